#!/usr/bin/env node
// Verify a CAR: re-hash every block against its CID; with `complete`, also require every block
// reachable (dag-pb links) from each root to be present. Modelled on the oracle kit's car-verify.mjs.
//   import { verifyCar } from './car-verify.mjs'; const r = await verifyCar(bytes, { complete: true })
// CLI: node car-verify.mjs FILE.car [--complete] [--quiet]   (exit 0 = all good)
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { CarBlockIterator } from '@ipld/car/iterator'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { identity } from 'multiformats/hashes/identity'
import * as dagPb from '@ipld/dag-pb'
import * as raw from 'multiformats/codecs/raw'
import { equals } from 'multiformats/bytes'

const hashers = { [sha256.code]: sha256, [sha512.code]: sha512, [identity.code]: identity }

/** input: Uint8Array or an async iterable of them. Resolves { ok, version, roots, blocks, problems, cids }. */
export async function verifyCar (input, { complete = false } = {}) {
  const problems = []; const cids = []; const links = new Map()
  let version = 0; let roots = []
  try {
    const it = await CarBlockIterator.fromIterable(input instanceof Uint8Array ? (async function * () { yield input })() : input)
    version = it.version
    roots = await it.getRoots()
    for await (const { cid, bytes } of it) {
      cids.push(cid)
      const h = hashers[cid.multihash.code]
      if (!h) { problems.push(`UNSUPPORTED-HASH ${cid}`); continue }
      const d = await h.digest(bytes)
      if (!equals(d.bytes, cid.multihash.bytes)) { problems.push(`MISMATCH ${cid}`); continue }
      if (complete) {
        if (cid.code === dagPb.code) links.set(cid.toString(), dagPb.decode(bytes).Links.map(l => l.Hash))
        else if (cid.code === raw.code) links.set(cid.toString(), [])
        else problems.push(`UNSUPPORTED-CODEC ${cid}`)
      }
    }
    if (complete) {
      const seen = new Set(); const stack = [...roots]
      while (stack.length) {
        const c = stack.pop(); const k = c.toString()
        if (seen.has(k)) continue
        seen.add(k)
        if (c.multihash.code === identity.code) continue
        const ch = links.get(k)
        if (!ch) { problems.push(`MISSING ${k}`); continue }
        stack.push(...ch)
      }
    }
  } catch (e) { problems.push(`ERROR ${e.message}`) }
  return { ok: problems.length === 0, version, roots: roots.map(String), blocks: cids.length, problems, cids: cids.map(String) }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const file = args.find(a => !a.startsWith('--'))
  if (!file) { console.error('usage: node car-verify.mjs FILE.car [--complete] [--quiet]'); process.exit(2) }
  const r = await verifyCar(fs.createReadStream(file), { complete: args.includes('--complete') })
  console.log(`version ${r.version}`)
  for (const root of r.roots) console.log(`root ${root}`)
  if (!args.includes('--quiet')) for (const c of r.cids) console.log(`block ${c}`)
  for (const p of r.problems) console.log(p)
  console.log(`${r.ok ? 'OK' : 'FAIL'} blocks=${r.blocks} bad=${r.problems.length}`)
  process.exit(r.ok ? 0 : 1)
}
