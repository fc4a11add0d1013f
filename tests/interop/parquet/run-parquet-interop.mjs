#!/usr/bin/env node
// Parquet interop runner. Two modes:
//
//   node run-parquet-interop.mjs --gen BUILD/tests/parquet_interop_gen [--work DIR] [--keep] [--filter RE] [-v]
//     Runs the C++ generator (`parquet_interop_gen OUTDIR`; a .mjs/.js generator runs under
//     node), which writes OUTDIR/<case>.parquet + OUTDIR/<case>.rows.json
//     [+ OUTDIR/<case>.meta.json] and exits 0. Every case is then read with hyparquet,
//     parquet-wasm and DuckDB (pq-verify.mjs): the three must agree, match rows.json, and
//     match meta.json when there is one.
//
//   node run-parquet-interop.mjs --samples DIR [--bin BUILD/bin/ipfs-kit] [--work DIR] [-v]
//     For every DIR/*.parquet: the three readers must agree with the expected rows
//     (<stem>.rows.json, else the *.rows.json whose stem prefixes the file's, e.g.
//     pins_zstd.parquet -> pins.rows.json), and `ipfs-kit parquet cat FILE` (one JSON object
//     per line) must print the same rows (int64 as numbers or strings, timestamps at ms).
//
// One line per case (`ok ...` / `FAIL ...`), closing with `N passed, N failed`; exit 1 on any
// failure, including a missing node_modules, generator or binary, or a generator that wrote
// no case.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { HERE, requireNodeModules } from './deps.mjs'

const USAGE = `usage: run-parquet-interop.mjs --gen GENERATOR [--work DIR] [--keep] [--filter RE] [-v]
       run-parquet-interop.mjs --samples DIR [--bin IPFS_KIT] [--work DIR] [--keep] [--filter RE] [-v]`

function parseArgs (argv) {
  const o = { gen: undefined, samples: undefined, bin: process.env.IPFS_KIT_BIN || path.resolve(HERE, '../../../build/bin/ipfs-kit'), work: undefined, keep: false, filter: undefined, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => { if (i + 1 >= argv.length) { console.error(`${a} needs a value\n${USAGE}`); process.exit(2) } return argv[++i] }
    if (a === '--gen') o.gen = val()
    else if (a === '--samples') o.samples = val()
    else if (a === '--bin') o.bin = val()
    else if (a === '--work') o.work = val()
    else if (a === '--keep') o.keep = true
    else if (a === '--filter') o.filter = new RegExp(val())
    else if (a === '-v' || a === '--verbose') o.verbose = true
    else if (a === '-h' || a === '--help') { console.log(USAGE); process.exit(0) } else { console.error(`unknown option ${a}\n${USAGE}`); process.exit(2) }
  }
  if (!o.gen === !o.samples) { console.error(USAGE); process.exit(2) }
  return o
}

class Tally {
  constructor () { this.passed = 0; this.failed = 0 }
  ok (name, detail = '') { this.passed++; console.log(`ok   ${name}${detail ? ` ${detail}` : ''}`) }
  fail (name, lines) {
    this.failed++
    const ls = [].concat(lines)
    console.log(`FAIL ${name}: ${ls[0]}`)
    for (const l of ls.slice(1)) console.log(`     ${name}: ${l}`)
  }
  finish () {
    console.log(`${this.passed} passed, ${this.failed} failed`)
    process.exit(this.failed === 0 && this.passed > 0 ? 0 : 1)
  }
}

function run (cmd, args, { timeoutMs = 600000, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } })
    const out = []; const err = []
    let spawnError
    child.stdout.on('data', d => out.push(d))
    child.stderr.on('data', d => err.push(d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (e) => { spawnError = e })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), spawnError })
    })
  })
}
const describe = (r) => r.spawnError ? `could not start: ${r.spawnError.message}`
  : r.signal ? `killed by ${r.signal}` : `exit ${r.code}`
const tail = (s, n = 5) => s.split('\n').filter(l => l.trim()).slice(-n)

function isExecutable (p) { try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile() } catch { return false } }

// ------------------------------------------------------------------ --gen

async function genMode (o, tally, verify) {
  const gen = path.resolve(o.gen)
  const isNode = /\.(m?js)$/.test(gen)
  if (!fs.existsSync(gen) || (!isNode && !isExecutable(gen))) {
    tally.fail('generator', `not found or not executable: ${gen} (build it, e.g. cmake --build build --target parquet_interop_gen)`)
    return
  }
  const outDir = path.join(o.work, 'cases')
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  const r = isNode ? await run(process.execPath, [gen, outDir]) : await run(gen, [outDir])
  if (r.code !== 0 || r.spawnError) {
    tally.fail('generator', [`${path.basename(gen)} ${outDir}: ${describe(r)}`, ...tail(r.stderr)])
    return
  }
  if (o.verbose && r.stderr.trim()) console.log(r.stderr.trimEnd())
  const files = fs.readdirSync(outDir).sort()
  const cases = files.filter(f => f.endsWith('.parquet')).map(f => f.slice(0, -'.parquet'.length))
  const stray = files.filter(f => !f.endsWith('.parquet') && !cases.some(c => f === `${c}.rows.json` || f === `${c}.meta.json`))
  if (stray.length) tally.fail('generator', `files that belong to no case (expected <case>.parquet/.rows.json/.meta.json): ${stray.join(', ')}`)
  if (cases.length === 0) {
    tally.fail('generator', `wrote no cases into ${outDir} (expected <case>.parquet + <case>.rows.json)`)
    return
  }
  for (const c of cases) {
    if (o.filter && !o.filter.test(c)) continue
    const file = path.join(outDir, `${c}.parquet`)
    const rowsFile = path.join(outDir, `${c}.rows.json`)
    const metaFile = path.join(outDir, `${c}.meta.json`)
    if (!fs.existsSync(rowsFile)) { tally.fail(c, `generator wrote ${c}.parquet but no ${c}.rows.json`); continue }
    const hasMeta = fs.existsSync(metaFile)
    const t0 = Date.now()
    const v = await verify.verifyFile(file, { rowsFile, metaFile: hasMeta ? metaFile : undefined })
    if (v.ok) tally.ok(c, `(${v.rows} rows, 3 readers agree, rows.json${hasMeta ? ' + meta.json' : ''} match; ${Date.now() - t0} ms)`)
    else tally.fail(c, v.problems)
  }
}

// ------------------------------------------------------------------ --samples

function expectedRowsFor (dir, stem) {
  const own = path.join(dir, `${stem}.rows.json`)
  if (fs.existsSync(own)) return own
  const candidates = fs.readdirSync(dir).filter(f => f.endsWith('.rows.json'))
    .map(f => f.slice(0, -'.rows.json'.length)).filter(s => stem.startsWith(`${s}_`)).sort((a, b) => b.length - a.length)
  return candidates.length ? path.join(dir, `${candidates[0]}.rows.json`) : undefined
}

async function samplesMode (o, tally, verify, R) {
  const dir = path.resolve(o.samples)
  if (!fs.existsSync(dir)) { tally.fail('samples', `no such directory: ${dir}`); return }
  const stems = fs.readdirSync(dir).filter(f => f.endsWith('.parquet')).sort().map(f => f.slice(0, -'.parquet'.length))
  if (stems.length === 0) { tally.fail('samples', `no .parquet files in ${dir}`); return }
  const bin = path.resolve(o.bin)
  let binProblem = isExecutable(bin) ? undefined : `ipfs-kit binary not found or not executable: ${bin} (build it, or pass --bin)`
  for (const stem of stems) {
    if (o.filter && !o.filter.test(stem)) continue
    const file = path.join(dir, `${stem}.parquet`)
    const rowsFile = expectedRowsFor(dir, stem)
    if (!rowsFile) { tally.fail(stem, `no expected rows (${stem}.rows.json or <prefix>.rows.json) in ${dir}`); continue }
    // 1. the oracles themselves agree on the fixture (guards the harness and the fixture)
    const v = await verify.verifyFile(file, { rowsFile })
    if (v.ok) tally.ok(`readers ${stem}`, `(${v.rows} rows, 3 readers agree with ${path.basename(rowsFile)})`)
    else { tally.fail(`readers ${stem}`, v.problems); continue }
    // 2. ipfs-kit parquet cat FILE
    const name = `ipfs-kit-cat ${stem}`
    if (binProblem) { tally.fail(name, binProblem); continue }
    const r = await run(bin, ['parquet', 'cat', file], { timeoutMs: 120000, env: { IPFS_KIT_PATH: path.join(o.work, 'repo-unused') } })
    if (r.spawnError || r.signal || r.code !== 0) {
      const err = tail(r.stderr, 3)
      const unsupported = !r.spawnError && !r.signal && /unknown|unrecogni[sz]ed|not expected|not (a )?(known|valid)|not (yet )?(supported|implemented)|invalid (sub)?command|usage/i.test(r.stderr + r.stdout)
      const msg = unsupported
        ? `ipfs-kit does not support \`parquet cat\` yet (${describe(r)}: ${err[0] ?? r.stdout.split('\n')[0]})`
        : `ipfs-kit parquet cat failed (${describe(r)})`
      tally.fail(name, [msg, ...(unsupported ? [] : err)])
      if (unsupported) binProblem = msg // same answer for every sample; say it once per file without re-running
      continue
    }
    const lines = r.stdout.split('\n').filter(l => l.trim() !== '')
    const got = []; let parseErr
    for (const [i, l] of lines.entries()) {
      try { got.push(R.parseJsonBig(l)) } catch (e) { parseErr = `output line ${i + 1} is not JSON (${e.message}): ${l.slice(0, 120)}`; break }
    }
    if (parseErr) { tally.fail(name, parseErr); continue }
    const schema = v.schema
    const norm = got.map(row => (row && typeof row === 'object' && !Array.isArray(row))
      ? Object.fromEntries(Object.entries(row).map(([k, x]) => { const col = schema.find(s => s.name === k); return [k, col ? R.coerceToConvention(x, col) : x] }))
      : row)
    const bad = norm.findIndex(x => !x || typeof x !== 'object' || Array.isArray(x))
    if (bad >= 0) { tally.fail(name, `output line ${bad + 1} is not a JSON object`); continue }
    const expected = JSON.parse(fs.readFileSync(rowsFile, 'utf8'))
    const d = R.diffRows(norm, expected, schema, ['ipfs-kit', 'expected'])
    if (d) tally.fail(name, d)
    else tally.ok(name, `(${norm.length} rows match ${path.basename(rowsFile)})`)
  }
}

// ------------------------------------------------------------------ main

const o = parseArgs(process.argv.slice(2))
const tally = new Tally()
requireNodeModules('parquet-interop')
const verify = await import('./pq-verify.mjs')
const R = await import('./readers.mjs')
const tmp = !o.work
o.work = o.work ? path.resolve(o.work) : fs.mkdtempSync(path.join(os.tmpdir(), 'ipfs-kit-parquet-'))
fs.mkdirSync(o.work, { recursive: true })
try {
  if (o.gen) await genMode(o, tally, verify)
  else await samplesMode(o, tally, verify, R)
} catch (e) {
  tally.fail('harness', String(e?.stack ?? e).split('\n').slice(0, 4))
}
await verify.close()
const hasFiles = (d) => fs.readdirSync(d, { withFileTypes: true }).some(e => e.isFile() || (e.isDirectory() && hasFiles(path.join(d, e.name))))
if (tmp && !o.keep && (tally.failed === 0 || !hasFiles(o.work))) fs.rmSync(o.work, { recursive: true, force: true })
else if (tally.failed > 0) console.log(`work dir (kept): ${o.work}`)
tally.finish()
