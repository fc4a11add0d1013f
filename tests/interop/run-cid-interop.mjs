#!/usr/bin/env node
// CID interop: for every generated input x every setting, the root CID printed by
// `ipfs-kit add -Q -n [-r] FLAGS INPUT` must equal the one ipfs-unixfs-importer computes
// (tests/interop/lib.mjs maps the flags). Also stdin input, several paths with -w, Debian's
// `ipfs_cid` (CIDv0, Rust) when installed.
//
// usage: node run-cid-interop.mjs [--bin build/bin/ipfs-kit] [--work DIR] [--keep]
//                                 [--quick] [--no-huge] [--filter REGEX] [-v]
//   --quick    small inputs only (no 43 MiB+ files);  --no-huge  skip the two 1 GiB files
//   (IPFS_KIT_INTEROP_HUGE=0 does the same); --filter  only cases whose name matches.
// Prints one line per mismatch and closes with `N passed, N failed`; exit 1 on any failure.
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { requireNodeModules, runnerOptions, runKit, describeRun, Tally } from './harness.mjs'
import { fileSizes, makeTrees, writeRandomFile, TREE_NAMES } from './gen.mjs'

requireNodeModules()
const { refCid } = await import('./lib.mjs')
const opt = runnerOptions()
const tally = new Tally(opt.verbose)

const S = {
  default: [],
  v1: ['--cid-version', '1'],
  'raw-v0': ['--raw-leaves'],
  c1m: ['--chunker', 'size-1048576'],
  trickle: ['--trickle'],
  wrap: ['-w'],
  'p-v0': ['--profile', 'unixfs-v0-2015'],
  'p-v1': ['--profile', 'unixfs-v1-2025']
}
const ALL = Object.keys(S)
const EXTRA = {
  'c1m-v1': ['--chunker', 'size-1048576', '--cid-version', '1'],
  'trickle-v1': ['--trickle', '--cid-version', '1'],
  'trickle-raw-v0': ['--trickle', '--raw-leaves'],
  c1k: ['--chunker', 'size-1024'],
  'c1k-v1': ['--chunker', 'size-1024', '--cid-version', '1'],
  'c1k-trickle': ['--chunker', 'size-1024', '--trickle'],
  'c1k-trickle-v1': ['--chunker', 'size-1024', '--trickle', '--cid-version', '1'],
  'p-v1-c1k': ['--profile', 'unixfs-v1-2025', '--chunker', 'size-1024'],
  hidden: ['-H'],
  'hidden-v1': ['-H', '--cid-version', '1'],
  'hidden-wrap': ['-H', '-w'],
  'p-v1-hidden': ['--profile', 'unixfs-v1-2025', '-H']
}
const flagsOf = (s) => S[s] ?? EXTRA[s]

async function compare (caseName, setting, paths, { dir = false, stdin } = {}) {
  const name = `${caseName} [${setting}]`
  if (opt.filter && !opt.filter.test(name)) return
  const flags = flagsOf(setting)
  const kitArgs = ['add', '-Q', '-n', ...(dir ? ['-r'] : []), ...flags, ...paths]
  const [kit, ref] = await Promise.all([
    runKit(opt.bin, kitArgs, { stdin, env: { IPFS_KIT_PATH: path.join(opt.work, 'repo-unused') } }),
    refCid([...flags, ...paths], stdin ? fs.createReadStream(stdin) : undefined).catch(e => `ref error: ${e.message}`)
  ])
  if (kit.code !== 0 || kit.crashed) return tally.fail(name, `ipfs-kit ${kitArgs.slice(0, -paths.length).join(' ')} failed (${describeRun(kit)}); ref=${ref}`)
  const got = kit.stdout.toString().trim()
  tally.check(got === ref, name, () => `ipfs-kit=${got || '(empty)'} ref=${ref}`)
}

// ---- files
const sizes = fileSizes()
const SMALL1K = new Set(sizes.filter(f => f.tier === 'small1k' || f.small1k).map(f => f.size))
const ipfsCid = (() => { try { execFileSync('sh', ['-c', 'command -v ipfs_cid'], { stdio: 'pipe' }); return true } catch { return false } })()
const filesDir = path.join(opt.work, 'files'); fs.mkdirSync(filesDir, { recursive: true })

function settingsFor (f) {
  switch (f.tier) {
    case 'small': return [...ALL, 'c1m-v1', 'trickle-v1', 'trickle-raw-v0', ...(SMALL1K.has(f.size) ? ['c1k', 'c1k-v1', 'c1k-trickle', 'c1k-trickle-v1', 'p-v1-c1k'] : [])]
    case 'small1k': return ['default', 'c1k', 'c1k-v1', 'c1k-trickle', 'c1k-trickle-v1', 'p-v1-c1k']
    case 'mid': return [...ALL, 'trickle-v1']
    case 'large': return f.size > 300 * 1048576 ? ['default', 'v1', 'c1m', 'trickle', 'p-v1'] : ['c1m', 'c1m-v1', 'p-v0']
    case 'huge': return ['p-v1']
    default: return []
  }
}

for (const f of sizes) {
  if (opt.quick && f.tier !== 'small' && f.tier !== 'small1k') continue
  if (!opt.huge && f.tier === 'huge') continue
  const settings = settingsFor(f)
  if (opt.filter && !settings.some(s => opt.filter.test(`${f.name} [${s}]`)) && !opt.filter.test(`${f.name} [stdin`)) continue
  const file = path.join(filesDir, f.name)
  writeRandomFile(file, f.size, f.name)
  for (const s of settings) await compare(f.name, s, [file])
  // stdin input (a handful of sizes)
  if ([0, 1, 262145, 3158073].includes(f.size)) for (const s of ['default', 'v1', 'p-v1', 'trickle']) await compare(`${f.name}(stdin)`, s, ['-'], { stdin: file })
  // Debian's Rust implementation (CIDv0, Kubo defaults), up to the mid tier
  if (ipfsCid && f.size <= 64 * 1048576 && (!opt.filter || opt.filter.test(`${f.name} [ipfs_cid]`))) {
    const kit = await runKit(opt.bin, ['add', '-Q', '-n', file], { env: { IPFS_KIT_PATH: path.join(opt.work, 'repo-unused') } })
    let want
    try { want = JSON.parse(execFileSync('ipfs_cid', [file], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 20 }).toString()).CIDv0 } catch (e) { want = `ipfs_cid error: ${e.message}` }
    tally.check(kit.code === 0 && kit.stdout.toString().trim() === want, `${f.name} [ipfs_cid v0]`, () => `ipfs-kit=${kit.code === 0 ? kit.stdout.toString().trim() : describeRun(kit)} ipfs_cid=${want}`)
  }
  if (!opt.keep || f.size > 64 * 1048576) fs.rmSync(file, { force: true })
}

// ---- directory trees
const treesDir = path.join(opt.work, 'trees')
const trees = makeTrees(treesDir, TREE_NAMES)
for (const [name, dir] of Object.entries(trees)) {
  const big = name.startsWith('hamt-')
  const settings = big
    ? ['default', 'v1', 'raw-v0', 'wrap', 'p-v0', 'p-v1', ...(name === 'hamt-5200' ? ['trickle', 'c1m', 'hidden'] : [])]
    : [...ALL, 'hidden', 'hidden-v1', 'hidden-wrap', 'p-v1-hidden']
  for (const s of settings) await compare(`tree:${name}`, s, [dir], { dir: true })
}

// ---- several paths wrapped together (files and a directory)
{
  const a = path.join(filesDir, 'multi-a'); const b = path.join(filesDir, 'multi-b')
  writeRandomFile(a, 300000, 'multi-a'); writeRandomFile(b, 17, 'multi-b')
  for (const s of ['wrap', 'hidden-wrap']) await compare('multi:a+b+nested', s, [a, b, trees.nested], { dir: true })
}

if (!opt.keep) fs.rmSync(opt.work, { recursive: true, force: true })
else console.log(`# work dir kept: ${opt.work}`)
tally.finish()
