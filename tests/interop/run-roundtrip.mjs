#!/usr/bin/env node
// Round trip and CAR interop against the real blockstore:
//   add -> cat / get / ls give back the input (files, byte ranges, directories, symlinks,
//   HAMT shards, paths CID/a/b);
//   dag export -> the reference CAR verifier (--complete) accepts it, the block order is
//   `dag export` order, and the reference exporter unpacks identical bytes / trees;
//   a CAR (v1 and v2) written by the reference writer -> dag import -> cat / get identical.
//
// usage: node run-roundtrip.mjs [--bin build/bin/ipfs-kit] [--work DIR] [--keep] [--quick]
//                               [--filter REGEX] [-v]
// Prints one line per failure and closes with `N passed, N failed`; exit 1 on any failure.
import fs from 'node:fs'
import path from 'node:path'
import {
  requireNodeModules, runnerOptions, runKit, describeRun, Tally, sha256File, sha256Iter,
  describeTree, diffTrees
} from './harness.mjs'
import { makeTrees, writeRandomFile } from './gen.mjs'

requireNodeModules()
const { dagExportOrder } = await import('./lib.mjs')
const { verifyCar, carBlockstore, describeDag, writeCarFromPaths, carV1ToV2 } = await import('./car.mjs')
const opt = runnerOptions()
const tally = new Tally(opt.verbose)

const SETTINGS = {
  default: [],
  'p-v1': ['--profile', 'unixfs-v1-2025'],
  trickle: ['--trickle'],
  'raw-v0': ['--raw-leaves']
}
let repoN = 0
const repos = new Map()
async function repoFor (key) {
  if (repos.has(key)) return repos.get(key)
  const r = path.join(opt.work, `repo-${repoN++}`)
  const res = await runKit(opt.bin, ['init'], { env: { IPFS_KIT_PATH: r } })
  tally.check(res.code === 0 && !res.crashed, `init ${key}`, () => describeRun(res))
  repos.set(key, r)
  return r
}
const kit = (repo, args, o = {}) => runKit(opt.bin, args, { ...o, env: { IPFS_KIT_PATH: repo } })
const want = (name) => !opt.filter || opt.filter.test(name)

async function checkDagAgainstInput (name, bs, target, input) {
  const wantTree = await describeTree(input)
  const got = await describeDag(bs, target, { hashOf: sha256Iter }).catch(e => new Map([['', { error: e.message }]]))
  const d = diffTrees(wantTree, got)
  tally.check(d.length === 0, name, () => d.join('; '))
}

async function roundTrip (label, input, setting, { dir = false } = {}) {
  const base = `${label} [${setting}]`
  if (!want(base)) return
  const flags = SETTINGS[setting]
  const repo = await repoFor(setting)
  const addArgs = ['add', '-Q', ...(dir ? ['-r', '-H'] : []), ...flags, input]
  const added = await kit(repo, addArgs)
  if (added.code !== 0 || added.crashed) return tally.fail(`${base} add`, describeRun(added))
  const cid = added.stdout.toString().trim().split('\n').pop()
  tally.ok(`${base} add`)
  const tmp = path.join(opt.work, 'out'); fs.rmSync(tmp, { recursive: true, force: true }); fs.mkdirSync(tmp)

  if (!dir) {
    // cat, whole
    const catOut = path.join(tmp, 'cat')
    const c = await kit(repo, ['cat', cid], { stdout: catOut })
    const inSha = await sha256File(input)
    tally.check(c.code === 0 && !c.crashed && await sha256File(catOut) === inSha, `${base} cat`, () => c.code !== 0 ? describeRun(c) : 'bytes differ')
    // cat with a byte range straddling a chunk boundary
    const size = fs.statSync(input).size
    if (size > 300000) {
      const off = 262144 - 10; const len = Math.min(1048576 + 20, size - off)
      const r = await kit(repo, ['cat', '--offset', String(off), '--length', String(len), cid])
      const exp = Buffer.alloc(len); const fd = fs.openSync(input, 'r'); fs.readSync(fd, exp, 0, len, off); fs.closeSync(fd)
      tally.check(r.code === 0 && Buffer.compare(r.stdout, exp) === 0, `${base} cat --offset/--length`, () => r.code !== 0 ? describeRun(r) : `got ${r.stdout.length} bytes, want ${len}, differ`)
      const tail = await kit(repo, ['cat', '--offset', String(size - 5), cid])
      tally.check(tail.code === 0 && tail.stdout.length === 5, `${base} cat --offset tail`, () => tail.code !== 0 ? describeRun(tail) : `got ${tail.stdout.length} bytes`)
    }
    // get -o FILE
    const getOut = path.join(tmp, 'got')
    const g = await kit(repo, ['get', cid, '-o', getOut])
    tally.check(g.code === 0 && fs.existsSync(getOut) && await sha256File(getOut) === inSha, `${base} get`, () => g.code !== 0 ? describeRun(g) : 'file differs or missing')
  } else {
    // get -o DIR, compared as a tree (names, file bytes, symlink targets, empty dirs)
    const getOut = path.join(tmp, 'got')
    const g = await kit(repo, ['get', cid, '-o', getOut])
    if (g.code !== 0 || g.crashed) tally.fail(`${base} get`, describeRun(g))
    else {
      const d = diffTrees(await describeTree(input), await describeTree(getOut))
      tally.check(d.length === 0, `${base} get`, () => d.join('; '))
    }
    // ls lists every top-level entry
    const l = await kit(repo, ['ls', cid])
    const names = fs.readdirSync(input)
    const text = l.stdout.toString()
    const lines = text.split('\n')
    const missing = names.filter(n => !n.includes('\n') && !lines.some(line => line.endsWith(` ${n}`) || line.endsWith(` ${n}/`) || line.endsWith(`\t${n}`) || line === n))
    tally.check(l.code === 0 && missing.length === 0, `${base} ls`, () => l.code !== 0 ? describeRun(l) : `missing ${missing.slice(0, 3).join(', ')}`)
    // cat CID/path for a few nested files
    for (const rel of nestedFiles(input).slice(0, 3)) {
      const r = await kit(repo, ['cat', `${cid}/${rel}`])
      const exp = fs.readFileSync(path.join(input, rel))
      tally.check(r.code === 0 && Buffer.compare(r.stdout, exp) === 0, `${base} cat CID/${rel}`, () => r.code !== 0 ? describeRun(r) : 'bytes differ')
    }
  }

  // dag export -> reference verifier + exporter
  const car = path.join(tmp, 'export.car')
  const e = await kit(repo, ['dag', 'export', cid], { stdout: car })
  if (e.code !== 0 || e.crashed) tally.fail(`${base} dag export`, describeRun(e))
  else {
    const v = await verifyCar(car, { complete: true })
    tally.check(v.ok && v.roots.length === 1 && v.roots[0].toString() === cid, `${base} dag export: car-verify --complete`, () => `${v.problems.slice(0, 3).join('; ')} roots=${v.roots.join(',')}`)
    if (v.ok) {
      const bs = await carBlockstore(car)
      const bytes = new Map(); for await (const b of bs.reader.blocks()) bytes.set(b.cid.toString(), b.bytes)
      let order
      try { order = [...dagExportOrder(v.roots[0], c => { const b = bytes.get(c.toString()); if (!b) throw new Error(`missing ${c}`); return b })].map(b => b.cid.toString()) } catch (err) { order = [err.message] }
      const got = v.order.map(c => c.toString())
      tally.check(JSON.stringify(order) === JSON.stringify(got), `${base} dag export: block order (DFS pre-order, no duplicates)`, () => `${got.length} blocks, expected ${order.length}; first difference at ${order.findIndex((c, i) => c !== got[i])}`)
      await checkDagAgainstInput(`${base} dag export: reference exporter`, bs, cid, input)
    }
  }

  // reference CAR (v1; v2 for the default setting) -> dag import into a fresh repo -> read back
  for (const v2 of setting === 'default' ? [false, true] : [false]) {
    const refCar = path.join(tmp, `ref${v2 ? '-v2' : ''}.car`)
    const w = await writeCarFromPaths([...(dir ? ['-H'] : []), ...flags, input], refCar).catch(err => ({ error: err.message }))
    if (w.error) { tally.fail(`${base} ref car-write`, w.error); continue }
    if (v2) { carV1ToV2(refCar, refCar + '.2'); fs.renameSync(refCar + '.2', refCar) }
    const fresh = path.join(opt.work, `import-${repoN++}`)
    const imp = await kit(fresh, ['dag', 'import', refCar])
    const name = `${base} dag import (CARv${v2 ? 2 : 1} from reference writer)`
    if (imp.code !== 0 || imp.crashed) { tally.fail(name, describeRun(imp)); continue }
    const root = w.root.toString()
    const outPath = path.join(tmp, `imported${v2 ? '-v2' : ''}`)
    const g = await kit(fresh, dir ? ['get', root, '-o', outPath] : ['cat', root], dir ? {} : { stdout: outPath })
    if (g.code !== 0 || g.crashed) tally.fail(name, `read back: ${describeRun(g)}`)
    else {
      const d = diffTrees(await describeTree(input), await describeTree(outPath))
      tally.check(d.length === 0, name, () => d.join('; '))
    }
    fs.rmSync(fresh, { recursive: true, force: true })
  }
  fs.rmSync(tmp, { recursive: true, force: true })
}

function nestedFiles (root) {
  const out = []
  const visit = (dir, rel) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => b.name.length - a.name.length)) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) visit(path.join(dir, e.name), r)
      else if (e.isFile() && !e.name.includes('\n') && !e.name.includes('\t')) out.push(r)
    }
  }
  visit(root, '')
  // deepest first, so paths through subdirectories (and HAMT shards) are exercised
  return out.sort((a, b) => b.split('/').length - a.split('/').length)
}

// ---- files
const filesDir = path.join(opt.work, 'files'); fs.mkdirSync(filesDir, { recursive: true })
const fileCases = [[0], [1], [262145], [1048577], [3158073], [45613057, 'mid'], [310 * 1048576 + 1, 'large']]
for (const [size, tier] of fileCases) {
  if (opt.quick && tier) continue
  const name = `f-${size}`
  const settings = tier === 'large' ? ['default'] : tier === 'mid' ? ['default', 'p-v1'] : Object.keys(SETTINGS)
  if (!settings.some(s => want(`${name} [${s}]`))) continue
  const file = path.join(filesDir, name)
  writeRandomFile(file, size, name)
  for (const s of settings) await roundTrip(name, file, s)
  fs.rmSync(file, { force: true })
}

// ---- directory trees (added with -H so the whole tree comes back)
const trees = makeTrees(path.join(opt.work, 'trees'), ['nested', 'empty-dirs', 'empty', 'utf8', 'hidden', 'symlinks', 'single', 'hamt-4097', 'hamt-5200'])
for (const [name, dir] of Object.entries(trees)) {
  for (const s of ['default', 'p-v1']) await roundTrip(`tree:${name}`, dir, s, { dir: true })
}

if (!opt.keep) fs.rmSync(opt.work, { recursive: true, force: true })
else console.log(`# work dir kept: ${opt.work}`)
tally.finish()
