// CAR and exporter helpers shared by the ref-*.mjs tools and the runners.
// The real work is done by @ipld/car and ipfs-unixfs-exporter (pinned in package.json).
import fs from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { CarWriter } from '@ipld/car/writer'
import { CarBlockIterator } from '@ipld/car/iterator'
import { CarReader } from '@ipld/car/reader'
import { exporter } from 'ipfs-unixfs-exporter'
import * as dagPb from '@ipld/dag-pb'
import * as raw from 'multiformats/codecs/raw'
import { sha256, sha512 } from 'multiformats/hashes/sha2'
import { identity } from 'multiformats/hashes/identity'
import { equals } from 'multiformats/bytes'
import { parseAddArgs, importPaths, MemoryBlockstore, dagExportOrder } from './lib.mjs'

/** Import with add flags and write a CARv1 in `dag export` order. Returns { root, blocks }. */
export async function writeCarFromPaths (argv, outPath) {
  const o = parseAddArgs(argv)
  const bs = new MemoryBlockstore()
  const { root } = await importPaths(o, bs)
  const { writer, out } = CarWriter.create([root])
  const done = pipeline(Readable.from(out), fs.createWriteStream(outPath))
  let blocks = 0
  for (const b of dagExportOrder(root, (c) => bs.get(c))) { await writer.put(b); blocks++ }
  await writer.close()
  await done
  return { root, blocks }
}

/** Wrap a CARv1 file into a CARv2 file (no index), for the v2 import test. */
export function carV1ToV2 (v1Path, v2Path) {
  const v1 = fs.readFileSync(v1Path)
  const pragma = Buffer.from('0aa16776657273696f6e02', 'hex') // {version: 2} as a CARv1-style header
  const header = Buffer.alloc(40)
  const dataOffset = pragma.length + header.length
  header.writeBigUInt64LE(BigInt(dataOffset), 16)
  header.writeBigUInt64LE(BigInt(v1.length), 24)
  header.writeBigUInt64LE(0n, 32) // no index
  fs.writeFileSync(v2Path, Buffer.concat([pragma, header, v1]))
}

const HASHERS = { [sha256.code]: sha256, [sha512.code]: sha512, [identity.code]: identity }

/**
 * Re-hash every block of a CAR (v1 or v2). With `complete`, every block reachable from the
 * roots (dag-pb / raw) must be present. Returns { ok, version, roots, order, problems, bytes }.
 */
export async function verifyCar (file, { complete = false } = {}) {
  const problems = []
  const order = []
  const children = new Map()
  let version; let roots = []; let bytes = 0
  try {
    const it = await CarBlockIterator.fromIterable(fs.createReadStream(file))
    version = it.version
    roots = await it.getRoots()
    for await (const { cid, bytes: data } of it) {
      order.push(cid)
      bytes += data.length
      const hasher = HASHERS[cid.multihash.code]
      if (!hasher) { problems.push(`unsupported hash 0x${cid.multihash.code.toString(16)} in ${cid}`); continue }
      const digest = await hasher.digest(data)
      if (!equals(digest.bytes, cid.multihash.bytes)) { problems.push(`hash mismatch ${cid}`); continue }
      if (cid.code === dagPb.code) children.set(cid.toString(), dagPb.decode(data).Links.map(l => l.Hash))
      else if (cid.code === raw.code) children.set(cid.toString(), [])
      else if (complete) problems.push(`unsupported codec 0x${cid.code.toString(16)} in ${cid}`)
    }
    if (complete) {
      const seen = new Set(); const stack = [...roots]
      while (stack.length) {
        const c = stack.pop(); const k = c.toString()
        if (seen.has(k)) continue
        seen.add(k)
        if (c.multihash.code === identity.code) continue
        const ch = children.get(k)
        if (!ch) { problems.push(`missing block ${k}`); continue }
        stack.push(...ch)
      }
    }
  } catch (e) {
    problems.push(`parse error: ${e.message}`)
  }
  return { ok: problems.length === 0, version, roots, order, problems, bytes }
}

/** Blockstore view of a CAR file for ipfs-unixfs-exporter. */
export async function carBlockstore (file) {
  const reader = await CarReader.fromBytes(fs.readFileSync(file))
  return {
    reader,
    // interface-blockstore 7: get() yields the bytes as an async iterable of chunks
    get: async function * (cid) {
      const b = await reader.get(cid)
      if (!b) throw new Error(`block not in CAR: ${cid}`)
      yield b.bytes
    }
  }
}

/** Stream the bytes of a UnixFS file at `target` (CID[/path]) to `sink` (a Writable). */
export async function exportFile (blockstore, target, sink) {
  const entry = await exporter(target, blockstore)
  if (entry.type === 'directory') throw new Error(`${target} is a directory`)
  for await (const chunk of entry.content()) {
    if (!sink.write(chunk)) await new Promise(resolve => sink.once('drain', resolve))
  }
}

/**
 * Describe a UnixFS DAG as a flat map path -> {type, size, sha?, link?} using the reference
 * exporter; used to compare with a tree on disk.
 */
export async function describeDag (blockstore, target, { hashOf }) {
  const out = new Map()
  async function visit (t, rel) {
    const entry = await exporter(t, blockstore)
    if (entry.type === 'directory') {
      out.set(rel, { type: 'dir' })
      for await (const child of entry.entries()) await visit(`${t}/${child.name}`, rel === '' ? child.name : `${rel}/${child.name}`)
    } else if (entry.unixfs?.type === 'symlink') {
      out.set(rel, { type: 'symlink', link: Buffer.from(entry.unixfs.data ?? []).toString() })
    } else if (entry.type === 'file' || entry.type === 'raw' || entry.type === 'identity') {
      out.set(rel, { type: 'file', sha: await hashOf(entry.content()) })
    } else {
      out.set(rel, { type: entry.type })
    }
  }
  await visit(target, '')
  return out
}
