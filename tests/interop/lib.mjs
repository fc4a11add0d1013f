// Reference side of the interop suite: maps Kubo-style `ipfs add` flags onto
// ipfs-unixfs-importer options and walks the file system the way Kubo does.
//
// Everything that decides a CID is done by the pinned third-party packages
// (ipfs-unixfs-importer, @ipld/dag-pb, multiformats); this file only translates flags.
//
// Kubo defaults (what `ipfs add` does with no flags):
//   CIDv0, dag-pb leaves of UnixFS type "file", fixed 262144-byte chunks, balanced layout
//   with at most 174 links per node, HAMT sharding once a directory's estimated size
//   (sum of link name bytes + CID bytes, "links-bytes") exceeds 256 KiB.
//   --cid-version 1 implies raw leaves unless --raw-leaves=false.
//   --trickle uses leaves of UnixFS type "raw" and never inlines a single leaf into the root.
//
// Named profiles (IPIP-499 "CID profiles", ipfs/specs PR 499; implemented natively by
// ipfs-unixfs-importer >= 17.1 through its `profile` option, which we pass through):
//   unixfs-v0-2015: CIDv0, dag-pb "file" leaves, 256 KiB chunks, 174 links per node,
//                   HAMT threshold 256 KiB estimated with "links-bytes" (Kubo's legacy default).
//   unixfs-v1-2025: CIDv1, raw leaves, 1 MiB chunks, 1024 links per node, HAMT fanout 256,
//                   threshold 256 KiB measured as the real serialized dag-pb block size
//                   ("block-bytes"), not the links-bytes estimate. That last point is the one
//                   where older Helia/Kubo versions disagreed near the threshold (helia#941).
// With a profile, only flags the user gave explicitly override the profile's values.
import fs from 'node:fs'
import path from 'node:path'
import { importer } from 'ipfs-unixfs-importer'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'
import * as dagPb from '@ipld/dag-pb'
import * as raw from 'multiformats/codecs/raw'
import { CID } from 'multiformats/cid'

export { CID }

export const ADD_USAGE = `PATH...|- [-r] [-w] [-H] [--cid-version 0|1] [--raw-leaves[=true|false]]
  [--chunker size-N] [--trickle] [--max-children N] [--profile unixfs-v0-2015|unixfs-v1-2025]`

export const PROFILES = new Set(['unixfs-v0-2015', 'unixfs-v1-2025'])

// Flags (besides the add flags) that take a value in our scripts.
const VALUE_FLAGS = new Set(['--out', '--bin', '--work', '--filter'])

/** Parse Kubo-like add flags. Unknown --x flags land in `extra`. */
export function parseAddArgs (argv) {
  const o = {
    paths: [], cidVersion: undefined, rawLeaves: undefined, chunkSize: undefined,
    trickle: false, maxChildren: undefined, wrap: false, hidden: false, profile: undefined,
    all: false, extra: {}
  }
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]
    let inline
    if (a.startsWith('--') && a.includes('=')) {
      inline = a.slice(a.indexOf('=') + 1)
      a = a.slice(0, a.indexOf('='))
    }
    const value = () => {
      if (inline !== undefined) return inline
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`)
      return argv[++i]
    }
    switch (a) {
      case '--cid-version': o.cidVersion = Number(value()); break
      case '--raw-leaves': o.rawLeaves = inline === undefined ? true : inline === 'true'; break
      case '--chunker': {
        const s = value(); const m = /^size-(\d+)$/.exec(s)
        if (!m) throw new Error(`only the size-N chunker is supported, got ${s}`)
        o.chunkSize = Number(m[1]); break
      }
      case '--trickle': o.trickle = true; break
      case '--max-children': o.maxChildren = Number(value()); break
      case '--profile': o.profile = value(); break
      case '-w': case '--wrap-with-directory': o.wrap = true; break
      case '-H': case '--hidden': o.hidden = true; break
      case '-r': case '--recursive': case '-Q': case '--quieter': case '-q': case '--quiet':
      case '-n': case '--only-hash': break
      case '--all': o.all = true; break
      default:
        if (a.startsWith('-') && a !== '-') o.extra[a.replace(/^-+/, '')] = VALUE_FLAGS.has(a) ? value() : (inline ?? true)
        else o.paths.push(a)
    }
  }
  if (o.cidVersion !== undefined && o.cidVersion !== 0 && o.cidVersion !== 1) throw new Error('--cid-version must be 0 or 1')
  if (o.profile !== undefined && !PROFILES.has(o.profile)) throw new Error(`unknown profile ${o.profile}`)
  return o
}

/** ipfs-unixfs-importer options equivalent to the parsed flags. */
export function importerOptions (o) {
  const opts = {
    wrapWithDirectory: o.wrap,
    reduceSingleLeafToSelf: true,
    shardSplitThresholdBytes: 262144, // Kubo Import.UnixFSHAMTDirectorySizeThreshold
    fieldOrder: 'links-first'
  }
  if (o.profile) {
    // The importer fills in everything not set here (see the header comment).
    opts.profile = o.profile
    if (o.cidVersion !== undefined) opts.cidVersion = o.cidVersion
    if (o.rawLeaves !== undefined) opts.rawLeaves = o.rawLeaves
    else if (o.cidVersion === 1) opts.rawLeaves = true
    if (o.chunkSize !== undefined) opts.chunker = fixedSize({ chunkSize: o.chunkSize })
    const width = o.maxChildren ?? (o.profile === 'unixfs-v1-2025' ? 1024 : 174)
    if (o.trickle) Object.assign(opts, trickleOpts(o.maxChildren))
    else if (o.maxChildren !== undefined) opts.layout = balanced({ maxChildrenPerNode: width })
    return opts
  }
  opts.cidVersion = o.cidVersion ?? 0
  opts.rawLeaves = o.rawLeaves ?? (opts.cidVersion === 1)
  opts.chunker = fixedSize({ chunkSize: o.chunkSize ?? 262144 })
  opts.shardSplitStrategy = 'links-bytes'
  if (o.trickle) Object.assign(opts, trickleOpts(o.maxChildren))
  else {
    opts.layout = balanced({ maxChildrenPerNode: o.maxChildren ?? 174 })
    opts.leafType = 'file'
  }
  return opts
}

function trickleOpts (maxChildren) {
  // Kubo's trickle builder: non-raw leaves are UnixFS "raw" nodes, no single-leaf inlining.
  return {
    layout: trickle(maxChildren ? { maxChildrenPerNode: maxChildren } : {}),
    leafType: 'raw',
    reduceSingleLeafToSelf: false
  }
}

const hidden = (name) => name.startsWith('.')
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))

/** Importer candidates for one command-line argument (named relative to its parent, like Kubo). */
export async function * candidatesFor (p, o, stdin = process.stdin) {
  if (p === '-') { yield { path: '', content: stdin }; return }
  const name = path.basename(path.resolve(p))
  const st = fs.statSync(p) // arguments themselves are dereferenced
  if (st.isFile()) { yield { path: name, content: readStream(p) }; return }
  if (!st.isDirectory()) throw new Error(`cannot add ${p}: not a file or directory`)
  yield * walkDir(p, name, o)
}

function readStream (p) { return fs.createReadStream(p, { highWaterMark: 1 << 20 }) }

async function * walkDir (dir, rel, o) {
  const ents = fs.readdirSync(dir, { withFileTypes: true }).sort(byteOrder)
  let yielded = false
  for (const e of ents) {
    if (!o.hidden && hidden(e.name)) continue
    const full = path.join(dir, e.name)
    const r = `${rel}/${e.name}`
    if (e.isSymbolicLink()) { yielded = true; yield { path: r, link: fs.readlinkSync(full) } } else if (e.isDirectory()) { yielded = true; yield * walkDir(full, r, o) } else if (e.isFile()) { yielded = true; yield { path: r, content: readStream(full) } }
  }
  // A directory is announced on its own only when empty: an explicit entry after its
  // children would replace the directory that the children built.
  if (!yielded) yield { path: rel }
}

/** Import o.paths into `blockstore`; returns { root, entries }. */
export async function importPaths (o, blockstore, stdin) {
  const opts = importerOptions(o)
  async function * source () { for (const p of o.paths) yield * candidatesFor(p, o, stdin) }
  const entries = []
  for await (const e of importer(source(), blockstore, opts)) entries.push(e)
  if (entries.length === 0) throw new Error('nothing imported')
  return { root: entries[entries.length - 1].cid, entries }
}

/** Root CID string for add flags (array of argv strings). */
export async function refCid (argv, stdin) {
  const o = parseAddArgs(argv)
  const { root } = await importPaths(o, discardingBlockstore, stdin)
  return root.toString()
}

/** Blockstore that keeps blocks in memory. */
export class MemoryBlockstore {
  constructor () { this.blocks = new Map() }
  put (cid, bytes) { this.blocks.set(cid.toString(), { cid, bytes }); return cid }
  get (cid) {
    const b = this.blocks.get(cid.toString())
    if (!b) throw new Error(`block not found: ${cid}`)
    return b.bytes
  }

  has (cid) { return this.blocks.has(cid.toString()) }
}

/** Blockstore for --only-hash: blocks are dropped. */
export const discardingBlockstore = { put: (cid) => cid, has: () => false }

/** Blocks of a DAG in `ipfs dag export` order: depth-first, pre-order, each block once. */
export function * dagExportOrder (root, getBytes) {
  const seen = new Set()
  const stack = [root]
  while (stack.length > 0) {
    const cid = stack.pop()
    const key = cid.toString()
    if (seen.has(key)) continue
    seen.add(key)
    const bytes = getBytes(cid)
    yield { cid, bytes }
    if (cid.code === dagPb.code) {
      const links = dagPb.decode(bytes).Links
      for (let i = links.length - 1; i >= 0; i--) stack.push(links[i].Hash)
    } else if (cid.code !== raw.code) {
      throw new Error(`cannot walk codec 0x${cid.code.toString(16)} (${cid})`)
    }
  }
}
