#!/usr/bin/env node
// Reference root CID, as `ipfs add -Q --only-hash` prints it, computed by ipfs-unixfs-importer.
// usage: node ref-cid.mjs [add flags] PATH...|-      (--all: print `added CID NAME` for every entry)
import { parseAddArgs, importPaths, discardingBlockstore, ADD_USAGE } from './lib.mjs'

let o
try { o = parseAddArgs(process.argv.slice(2)) } catch (e) { console.error(`ref-cid: ${e.message}`); process.exit(2) }
if (o.paths.length === 0) { console.error(`usage: node ref-cid.mjs [--all] ${ADD_USAGE}`); process.exit(2) }
try {
  const { root, entries } = await importPaths(o, discardingBlockstore)
  if (o.all) for (const e of entries) console.log(`added ${e.cid} ${e.path ?? ''}`.trimEnd())
  else console.log(root.toString())
} catch (e) { console.error(`ref-cid: ${e.message}`); process.exit(1) }
