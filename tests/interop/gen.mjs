#!/usr/bin/env node
// Deterministic test inputs (Node standard library only, no packages needed).
//
//   node gen.mjs file OUT SIZE [SEED]   pseudo-random file of SIZE bytes (AES-128-CTR keystream
//                                       keyed by sha256(SEED); SEED defaults to "ipfs-kit")
//   node gen.mjs trees OUTDIR [NAME...] the directory trees below (all by default)
//   node gen.mjs sizes                  the file sizes the CID runner uses, one per line
//
// The same (SIZE, SEED) always gives the same bytes, on every machine.
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { fileURLToPath } from 'node:url'

export const KiB = 1024
export const MiB = 1024 * 1024
const C256 = 256 * KiB

/** Write SIZE deterministic bytes to OUT. */
export function writeRandomFile (out, size, seed = 'ipfs-kit') {
  const key = crypto.createHash('sha256').update(String(seed)).digest().subarray(0, 16)
  const cipher = crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16))
  const fd = fs.openSync(out, 'w')
  try {
    const block = 4 * MiB
    const zeros = Buffer.alloc(block)
    let left = size
    while (left > 0) {
      const n = Math.min(block, left)
      const buf = cipher.update(n === block ? zeros : zeros.subarray(0, n))
      fs.writeSync(fd, buf)
      left -= n
    }
  } finally { fs.closeSync(fd) }
}

/** Deterministic small content for tree files. */
function small (seed, size) {
  const key = crypto.createHash('sha256').update(String(seed)).digest().subarray(0, 16)
  return crypto.createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size))
}

function put (root, rel, content) {
  const p = path.join(root, rel)
  fs.mkdirSync(path.dirname(p), { recursive: true })
  fs.writeFileSync(p, content)
}

/**
 * File-size cases. `tier`: "small" (every setting), "large" (a few settings), "huge".
 * Chunk boundaries k*chunk-1, k*chunk, k*chunk+1 for k = 1, 2 and both chunk sizes; the
 * 174-link boundary (one level of 174 leaves of 256 KiB, then a second level); the
 * 1024-link boundary of unixfs-v1-2025 (1024 leaves of 1 MiB = 1 GiB); a 310 MiB + 1 file
 * that is a 3-level tree with 256 KiB chunks (1241 leaves > 174) and with 1 MiB chunks
 * (311 leaves > 174); and small-chunk files (size-1024) that reach the same link
 * boundaries and deeper trees cheaply.
 */
export function fileSizes () {
  const out = []
  const add = (size, tier, note) => out.push({ name: `f-${size}`, size, tier, note })
  add(0, 'small', 'empty'); add(1, 'small', 'one byte'); add(13, 'small', 'tiny')
  for (const chunk of [C256, MiB]) {
    for (const k of [1, 2]) for (const d of [-1, 0, 1]) add(k * chunk + d, 'small', `${k}x${chunk} ${d >= 0 ? '+' : ''}${d}`)
  }
  add(3 * MiB + 12345, 'small', 'uneven multi-chunk')
  add(174 * C256 - 1, 'mid', '174 links -1'); add(174 * C256, 'mid', '174 links exact')
  add(174 * C256 + 1, 'mid', '175th leaf: second level'); add(175 * C256, 'mid', '175 leaves')
  add(174 * MiB, 'large', '174 x 1 MiB: last one-level tree with --chunker size-1048576')
  add(174 * MiB + 1, 'large', 'second level with --chunker size-1048576')
  add(310 * MiB + 1, 'large', 'multi-level tree past 300 MiB')
  add(1024 * MiB, 'huge', 'unixfs-v1-2025: 1024 links exact')
  add(1024 * MiB + 1, 'huge', 'unixfs-v1-2025: 1025th leaf, second level')
  // small chunks: link boundaries and deep trees with little data
  for (const n of [174 * 1024 - 1, 174 * 1024, 174 * 1024 + 1, 1024 * 1024 + 1, 174 * 174 * 1024 + 1]) {
    if (!out.some(e => e.size === n)) add(n, 'small1k', 'size-1024 chunks')
    else out.find(e => e.size === n).small1k = true
  }
  return out
}

export const TREE_NAMES = ['nested', 'empty-dirs', 'empty', 'utf8', 'hidden', 'symlinks', 'hamt-4096', 'hamt-4097', 'hamt-v1-4369', 'hamt-v1-4370', 'hamt-5200', 'single']

/** Build the named directory trees under OUTDIR; returns { name: path }. */
export function makeTrees (outDir, names = TREE_NAMES) {
  const made = {}
  for (const name of names) {
    const root = path.join(outDir, name)
    fs.rmSync(root, { recursive: true, force: true })
    fs.mkdirSync(root, { recursive: true })
    BUILDERS[name](root)
    made[name] = root
  }
  return made
}

const BUILDERS = {
  // nested directories, files of several sizes (incl. multi-chunk ones) at every depth
  nested (r) {
    put(r, 'top.txt', 'top level\n')
    put(r, 'a/one.bin', small('a1', 1000))
    put(r, 'a/b/two.bin', small('a2', 300000))
    put(r, 'a/b/c/d/e/deep.txt', 'deep\n')
    put(r, 'a/b/c/big.bin', small('a3', MiB + 1))
    put(r, 'a/zero', '')
    put(r, 'z/last', small('z', 262145))
    put(r, 'm/same1', 'dup\n'); put(r, 'm/same2', 'dup\n')
  },
  // empty directories at several depths next to files
  'empty-dirs' (r) {
    put(r, 'file.txt', 'x\n')
    for (const d of ['e1', 'a/e2', 'a/b/c/e3', 'only-empty-children/x', 'only-empty-children/y']) fs.mkdirSync(path.join(r, d), { recursive: true })
  },
  // the directory itself is empty
  empty (_r) {},
  // non-ASCII (UTF-8) names; byte order differs from UTF-16 order for the astral ones
  utf8 (r) {
    const names = ['café.txt', 'naïve/日本語.txt', 'emoji-😀.bin', 'Ωmega', 'z-Ä', 'ａ全角', 'e\u0301-combining',
      'space name.txt', '\uE000-private', '\uFFFD-replacement', 'Ünïcödé/ß/ø.txt', 'tab\tname', 'new\nline', '𝄞-music']
    names.forEach((n, i) => put(r, n, small(`u${i}`, 100 + i)))
  },
  // hidden files and directories (skipped unless -H)
  hidden (r) {
    put(r, '.hidden', 'h\n'); put(r, '.dir/inner', 'i\n'); put(r, 'visible', 'v\n')
    put(r, 'sub/.also-hidden', 'ah\n'); put(r, 'sub/shown', 's\n'); put(r, '.only-hidden/.x', 'x\n')
  },
  // symlinks: to a file, to a directory, dangling, absolute, to a parent (not followed)
  symlinks (r) {
    put(r, 'target.txt', 'target\n'); put(r, 'sub/file', 'f\n')
    const ln = (t, n) => fs.symlinkSync(t, path.join(r, n))
    ln('target.txt', 'link-to-file'); ln('sub', 'link-to-dir'); ln('nope/missing', 'dangling')
    ln('/etc/hostname', 'absolute'); ln('..', 'sub/up'); ln('../target.txt', 'sub/rel')
  },
  // HAMT threshold with CIDv0 children: 4096 x (30-byte name + 34-byte CID) = 256 KiB exactly,
  // which is not above the threshold and stays a flat directory; one more entry shards.
  'hamt-4096' (r) { manyFiles(r, 4096, 30) },
  'hamt-4097' (r) { manyFiles(r, 4097, 30) },
  // The same edge for unixfs-v1-2025, which measures the real block size ("block-bytes"):
  // each link is 44 + 16 bytes (CIDv1 raw 36 B, 16-byte name, Tsize 10), plus 4 bytes of
  // UnixFS Data: 4369 entries make exactly 262144 bytes (flat), 4370 shard.
  'hamt-v1-4369' (r) { manyFiles(r, 4369, 16, 10) },
  'hamt-v1-4370' (r) { manyFiles(r, 4370, 16, 10) },
  // > 5000 entries, well past the threshold for every setting; a subdirectory and a
  // multi-chunk file inside the shard for path resolution through it.
  'hamt-5200' (r) {
    manyFiles(r, 5200, 40)
    put(r, 'subdir-in-shard/inner.txt', 'inside a sharded directory\n')
    put(r, 'big-in-shard.bin', small('bis', 700000))
  },
  // a directory with a single small file
  single (r) { put(r, 'only.txt', 'only\n') }
}

function manyFiles (r, n, nameLen, contentLen) {
  for (let i = 0; i < n; i++) {
    const stem = `e-${String(i).padStart(6, '0')}-`
    const content = `content of ${i}\n`
    put(r, stem.padEnd(nameLen, 'x'), contentLen ? content.padStart(contentLen, '.').slice(-contentLen) : content)
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, ...rest] = process.argv.slice(2)
  if (cmd === 'file' && rest.length >= 2) writeRandomFile(rest[0], Number(rest[1]), rest[2])
  else if (cmd === 'trees' && rest.length >= 1) console.log(JSON.stringify(makeTrees(rest[0], rest.length > 1 ? rest.slice(1) : TREE_NAMES), null, 1))
  else if (cmd === 'sizes') for (const f of fileSizes()) console.log(`${f.size}\t${f.tier}\t${f.note}`)
  else { console.error('usage: node gen.mjs file OUT SIZE [SEED] | trees OUTDIR [NAME...] | sizes'); process.exit(2) }
}
