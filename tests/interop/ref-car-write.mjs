#!/usr/bin/env node
// Import PATH with add flags and write a CARv1 whose block order is `ipfs dag export`'s
// (depth-first pre-order, each block once). Prints the root CID.
// usage: node ref-car-write.mjs --out OUT.car [--v2] [add flags] PATH...
import fs from 'node:fs'
import { parseAddArgs, ADD_USAGE } from './lib.mjs'
import { writeCarFromPaths, carV1ToV2 } from './car.mjs'

const argv = process.argv.slice(2)
let o
try { o = parseAddArgs(argv) } catch (e) { console.error(`ref-car-write: ${e.message}`); process.exit(2) }
const out = o.extra.out
if (o.paths.length === 0 || typeof out !== 'string') { console.error(`usage: node ref-car-write.mjs --out OUT.car [--v2] ${ADD_USAGE}`); process.exit(2) }
const passArgs = argv.filter((a, i) => a !== '--v2' && a !== '--out' && argv[i - 1] !== '--out' && !a.startsWith('--out='))
try {
  const tmp = `${out}.v1.tmp`
  const { root, blocks } = await writeCarFromPaths(passArgs, o.extra.v2 ? tmp : out)
  if (o.extra.v2) { carV1ToV2(tmp, out); fs.rmSync(tmp) }
  console.log(root.toString())
  console.error(`wrote ${out}: ${blocks} blocks`)
} catch (e) { console.error(`ref-car-write: ${e.message}`); process.exit(1) }
