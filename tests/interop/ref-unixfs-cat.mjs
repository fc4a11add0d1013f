#!/usr/bin/env node
// Read a UnixFS file out of a CAR with ipfs-unixfs-exporter and write it to stdout.
// usage: node ref-unixfs-cat.mjs FILE.car [CID[/path]]      (default: the CAR's first root)
//        node ref-unixfs-cat.mjs FILE.car [CID[/path]] --ls (list a directory: CID SIZE NAME)
import { exporter } from 'ipfs-unixfs-exporter'
import { carBlockstore, exportFile } from './car.mjs'

const args = process.argv.slice(2)
const ls = args.includes('--ls')
const [file, target] = args.filter(a => a !== '--ls')
if (!file) { console.error('usage: node ref-unixfs-cat.mjs FILE.car [CID[/path]] [--ls]'); process.exit(2) }
try {
  const bs = await carBlockstore(file)
  const t = target ?? (await bs.reader.getRoots())[0].toString()
  if (ls) {
    const entry = await exporter(t, bs)
    if (entry.type !== 'directory') throw new Error(`not a directory: ${t}`)
    for await (const e of entry.entries()) console.log(`${e.cid} ${e.name}`)
  } else {
    await exportFile(bs, t, process.stdout)
  }
} catch (e) { console.error(`ref-unixfs-cat: ${e.message}`); process.exit(1) }
