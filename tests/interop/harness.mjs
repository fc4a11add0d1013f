// Shared plumbing for the interop runners: dependency check, options, running ipfs-kit,
// pass/fail bookkeeping. Node standard library only, so it can report missing packages.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const HERE = path.dirname(fileURLToPath(import.meta.url))
export const REPO = path.resolve(HERE, '../..')

/** Fail loudly (exit 1) when `npm ci` has not been run in tests/interop. */
export function requireNodeModules () {
  const need = ['ipfs-unixfs-importer', 'ipfs-unixfs-exporter', '@ipld/car', '@ipld/dag-pb', 'multiformats']
  const missing = need.filter(p => !fs.existsSync(path.join(HERE, 'node_modules', p, 'package.json')))
  if (missing.length > 0) {
    console.error(`interop: missing node packages (${missing.join(', ')}) in ${HERE}/node_modules.`)
    console.error('interop: run `npm ci` in tests/interop (scripts/setup.sh does this).')
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
}

/** Parse common runner options: --bin PATH, --work DIR, --keep, --quick, --filter RE, -v. */
export function runnerOptions (argv = process.argv.slice(2)) {
  const o = { bin: process.env.IPFS_KIT_BIN || path.join(REPO, 'build/bin/ipfs-kit'), work: undefined, keep: false, quick: false, filter: undefined, verbose: false, huge: process.env.IPFS_KIT_INTEROP_HUGE !== '0' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--bin') o.bin = argv[++i]
    else if (a === '--work') o.work = argv[++i]
    else if (a === '--keep') o.keep = true
    else if (a === '--quick') o.quick = true
    else if (a === '--no-huge') o.huge = false
    else if (a === '--filter') o.filter = new RegExp(argv[++i])
    else if (a === '-v' || a === '--verbose') o.verbose = true
    else { console.error(`unknown option ${a}`); process.exit(2) }
  }
  o.bin = path.resolve(o.bin)
  try { fs.accessSync(o.bin, fs.constants.X_OK) } catch {
    console.error(`interop: ipfs-kit binary not found or not executable: ${o.bin} (build it, or pass --bin)`)
    console.log('0 passed, 1 failed')
    process.exit(1)
  }
  if (!o.work) o.work = fs.mkdtempSync(path.join(os.tmpdir(), 'ipfs-kit-interop-'))
  else fs.mkdirSync(o.work, { recursive: true })
  return o
}

/**
 * Run ipfs-kit. opts: env (merged), stdin (file path), stdout (file path: stream there instead
 * of capturing), timeoutMs. Resolves { code, signal, stdout, stderr, crashed, timedOut }.
 */
export function runKit (bin, args, opts = {}) {
  return new Promise((resolve) => {
    const stdio = ['ignore', 'pipe', 'pipe']
    const fds = []
    if (opts.stdin) { const fd = fs.openSync(opts.stdin, 'r'); fds.push(fd); stdio[0] = fd }
    if (opts.stdout) { const fd = fs.openSync(opts.stdout, 'w'); fds.push(fd); stdio[1] = fd }
    const child = spawn(bin, args, { stdio, env: { ...process.env, ...(opts.env || {}) } })
    const out = []; const err = []
    child.stdout?.on('data', d => out.push(d))
    child.stderr.on('data', d => err.push(d))
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, opts.timeoutMs ?? 600000)
    child.on('error', (e) => { err.push(Buffer.from(String(e))) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      for (const fd of fds) fs.closeSync(fd)
      const stderr = Buffer.concat(err).toString()
      const crashed = signal !== null || (code !== null && code >= 128) || /AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|terminate called/.test(stderr)
      resolve({ code, signal, stdout: Buffer.concat(out), stderr, crashed, timedOut })
    })
  })
}

/** First line of a string, for compact failure messages. */
export const firstLine = (s) => String(s).split('\n').find(l => l.trim() !== '') ?? ''

export function describeRun (r) {
  if (r.timedOut) return 'timed out'
  if (r.signal) return `killed by ${r.signal}`
  return `exit ${r.code}${r.stderr ? `: ${firstLine(r.stderr).slice(0, 300)}` : ''}`
}

/** Pass/fail tally; prints one line per failure and the closing `N passed, N failed`. */
export class Tally {
  constructor (verbose) { this.passed = 0; this.failed = 0; this.verbose = verbose }
  ok (name) { this.passed++; if (this.verbose) console.log(`ok   ${name}`) }
  fail (name, why) { this.failed++; console.log(`FAIL ${name}: ${why}`) }
  check (cond, name, why) { if (cond) this.ok(name); else this.fail(name, typeof why === 'function' ? why() : why) }
  finish () {
    console.log(`${this.passed} passed, ${this.failed} failed`)
    process.exit(this.failed === 0 && this.passed > 0 ? 0 : 1)
  }
}

export async function sha256File (p) {
  const h = crypto.createHash('sha256')
  for await (const chunk of fs.createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk)
  return h.digest('hex')
}

export async function sha256Iter (iter) {
  const h = crypto.createHash('sha256')
  for await (const chunk of iter) h.update(chunk)
  return h.digest('hex')
}

/** Flat description of a tree on disk (path -> {type, sha|link}), like car.mjs describeDag. */
export async function describeTree (root, { hidden = true } = {}) {
  const out = new Map()
  const st = fs.lstatSync(root)
  if (st.isFile()) { out.set('', { type: 'file', sha: await sha256File(root) }); return out }
  async function visit (dir, rel) {
    out.set(rel, { type: 'dir' })
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!hidden && e.name.startsWith('.')) continue
      const full = path.join(dir, e.name); const r = rel === '' ? e.name : `${rel}/${e.name}`
      if (e.isSymbolicLink()) out.set(r, { type: 'symlink', link: fs.readlinkSync(full) })
      else if (e.isDirectory()) await visit(full, r)
      else if (e.isFile()) out.set(r, { type: 'file', sha: await sha256File(full) })
    }
  }
  await visit(root, '')
  return out
}

/** Differences between two tree descriptions (at most `max`), as strings. */
export function diffTrees (want, got, max = 5) {
  const d = []
  for (const [k, v] of want) {
    const g = got.get(k)
    if (!g) d.push(`missing ${k || '.'}`)
    else if (JSON.stringify(g) !== JSON.stringify(v)) d.push(`differs ${k || '.'}: want ${JSON.stringify(v)} got ${JSON.stringify(g)}`)
  }
  for (const k of got.keys()) if (!want.has(k)) d.push(`unexpected ${k || '.'}`)
  return d.slice(0, max)
}
