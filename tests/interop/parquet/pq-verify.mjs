#!/usr/bin/env node
// pq-verify.mjs — read one Parquet file with three independent readers (hyparquet, parquet-wasm
// = arrow-rs, DuckDB) and check that they agree with each other (schema and every value), and
// optionally with the expected rows and with expected footer metadata.
//
//   node pq-verify.mjs FILE [ROWS.json] [--meta META.json]
//
// ROWS.json: array of row objects in file order, values in the convention of readers.mjs
//   (int64 as decimal strings, timestamps as "2024-01-01T00:00:00.000Z", binary as hex, ...).
// META.json: either an array of column-chunk expectations, or an object
//   { "schema": [{name,type,logical,optional}], "columns": [...], <file keys> }
//   columns[]:  { "row_group_id": 0, "path_in_schema": "size_bytes", "compression": "ZSTD",
//                 "stats_min": "1048573", "stats_max": "5521140781", "stats_null_count": 0,
//                 "encodings": "RLE_DICTIONARY", ... }
//     checked against DuckDB's parquet_metadata(FILE) rows. Every key present is compared with
//     the DuckDB column of the same name; keys left out are not checked; null means "must be
//     null". row_group_id omitted = every row group. stats_min / stats_max compare with the
//     value a reader uses (min_value/max_value, falling back to the deprecated min/max), after
//     converting DuckDB's text to the row convention (timestamps at ms, binary as hex, ...).
//     encodings: a string must be a substring of DuckDB's list ("PLAIN, RLE, RLE_DICTIONARY");
//     an array lists encodings that must each be in it exactly.
//   file keys (num_rows, num_row_groups, created_by, format_version, ...): compared with
//     DuckDB's parquet_file_metadata(FILE) (created_by as a substring).
//
// Prints `ok FILE (N rows, 3 readers agree)` or one `FAIL FILE: ...` line per problem;
// exit 0 / 1 (2 on usage error).
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { requireNodeModules } from './deps.mjs'

let R // readers.mjs, loaded after the dependency check
async function lib () { return (R ??= await import('./readers.mjs')) }

/** DuckDB blob text ("\x00\xFFab") -> hex. */
function duckBlobToHex (s) {
  const out = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) { out.push(parseInt(s.slice(i + 2, i + 4), 16)); i += 3 } else out.push(...Buffer.from(s[i], 'utf8'))
  }
  return Buffer.from(out).toString('hex')
}

/** A statistics value (DuckDB's text, or the expectation) -> comparable string in the row convention. */
function statKey (v, col, fromDuck) {
  if (v === null || v === undefined) return null
  const logical = col?.logical ?? ''
  if (/^TIMESTAMP/.test(logical) && typeof v === 'string') return R.isoToMillisIso(v) ?? v
  if (col && (col.type === 'FLOAT' || col.type === 'DOUBLE')) {
    const n = Number(v)
    if (!Number.isNaN(n) || v === 'NaN') return String(col.type === 'FLOAT' ? Math.fround(n) : n)
    return String(v)
  }
  if (fromDuck && logical === 'UUID') return v.replace(/-/g, '').toLowerCase()
  if (fromDuck && col && (col.type === 'FIXED_LEN_BYTE_ARRAY' || col.type === 'BYTE_ARRAY') && !['STRING', 'JSON', 'ENUM'].includes(logical)) return duckBlobToHex(v)
  return String(v)
}

function encodingsMatch (want, got) {
  if (got === null || got === undefined) return false
  if (Array.isArray(want)) { const have = String(got).split(/,\s*/); return want.every(e => have.includes(e)) }
  return String(got).includes(String(want))
}

async function checkMeta (file, meta, schema, fail) {
  const f = R.sqlString(file)
  const spec = Array.isArray(meta) ? { columns: meta } : meta
  const bySchema = Object.fromEntries(schema.map(c => [c.name, c]))
  if (spec.schema) {
    const d = R.diffSchema(spec.schema, schema)
    if (d) fail(`meta schema: expected vs file: ${d}`)
  }
  const fileKeys = Object.keys(spec).filter(k => !['schema', 'columns', 'comment'].includes(k))
  if (fileKeys.length) {
    const [fm] = await R.duckdbQuery(`SELECT * FROM parquet_file_metadata(${f})`)
    for (const k of fileKeys) {
      if (!(k in fm)) { fail(`meta: parquet_file_metadata has no column '${k}'`); continue }
      const want = spec[k]; const got = fm[k]
      const ok = k === 'created_by' ? got !== null && String(got).includes(String(want)) : (want === null ? got === null : String(want) === String(got))
      if (!ok) fail(`meta: ${k}: expected ${R.show(want)}, duckdb ${R.show(got)}`)
    }
  }
  const rows = await R.duckdbQuery(`SELECT * FROM parquet_metadata(${f})`)
  for (const [idx, exp] of (spec.columns ?? []).entries()) {
    if (exp.path_in_schema === undefined) { fail(`meta: columns[${idx}] has no path_in_schema`); continue }
    const match = rows.filter(r => r.path_in_schema === exp.path_in_schema &&
      (exp.row_group_id === undefined || String(r.row_group_id) === String(exp.row_group_id)))
    const where = `rg ${exp.row_group_id ?? '*'} ${exp.path_in_schema}`
    if (match.length === 0) { fail(`meta: ${where}: no such column chunk (file has ${[...new Set(rows.map(r => r.path_in_schema))].join(', ')} in ${new Set(rows.map(r => r.row_group_id)).size} row group(s))`); continue }
    const col = bySchema[exp.path_in_schema]
    for (const r of match) {
      for (const [k, want] of Object.entries(exp)) {
        if (k === 'row_group_id' || k === 'path_in_schema' || k === 'comment') continue
        let got; let ok
        if (k === 'stats_min' || k === 'stats_max') {
          got = r[`${k}_value`] ?? r[k]
          ok = statKey(want, col, false) === statKey(got, col, true)
          if (!ok && got !== null && statKey(got, col, true) !== String(got)) got = `${got} (= ${statKey(got, col, true)} in the row convention)`
        } else if (!(k in r)) { fail(`meta: ${where}: parquet_metadata has no column '${k}'`); continue } else if (k === 'encodings') {
          got = r[k]; ok = encodingsMatch(want, got)
        } else if (k === 'stats_min_value' || k === 'stats_max_value') {
          got = r[k]; ok = statKey(want, col, false) === statKey(got, col, true)
        } else {
          got = r[k]; ok = want === null ? got === null : got !== null && String(want) === String(got)
        }
        if (!ok) fail(`meta: rg ${r.row_group_id} ${exp.path_in_schema}: ${k} expected ${R.show(want)}, duckdb ${R.show(got)}`)
      }
    }
  }
}

/**
 * Verify one file. opts: { rowsFile, metaFile }. Resolves { ok, rows, problems: [string] }.
 */
export async function verifyFile (file, opts = {}) {
  await lib()
  const problems = []
  const fail = (m) => problems.push(m)
  if (!fs.existsSync(file)) return { ok: false, rows: 0, problems: [`no such file: ${file}`] }
  const results = {}
  for (const name of R.READERS) {
    try { results[name] = await R.readers[name](file) } catch (e) { fail(`${name} cannot read the file: ${String(e?.message ?? e).split('\n')[0]}`) }
  }
  const okNames = R.READERS.filter(n => results[n])
  const base = okNames[0]
  for (const n of okNames.slice(1)) {
    const ds = R.diffSchema(results[base].schema, results[n].schema)
    if (ds) fail(`schema differs, ${base} vs ${n}: ${ds}`)
    const dr = R.diffRows(results[base].rows, results[n].rows, results[base].schema, [base, n])
    if (dr) fail(`readers disagree, ${base} vs ${n}: ${dr}`)
  }
  if (base && opts.rowsFile) {
    let expected
    try { expected = JSON.parse(fs.readFileSync(opts.rowsFile, 'utf8')) } catch (e) { fail(`cannot load ${opts.rowsFile}: ${e.message}`) }
    if (expected !== undefined) {
      if (!Array.isArray(expected)) fail(`${opts.rowsFile}: expected a JSON array of row objects`)
      else {
        const d = R.diffRows(results[base].rows, expected, results[base].schema, ['file', 'expected'])
        if (d) fail(`rows differ from ${path.basename(opts.rowsFile)}: ${d}`)
      }
    }
  }
  if (opts.metaFile) {
    let meta
    try { meta = JSON.parse(fs.readFileSync(opts.metaFile, 'utf8')) } catch (e) { fail(`cannot load ${opts.metaFile}: ${e.message}`) }
    if (meta !== undefined) {
      try { await checkMeta(file, meta, results[base]?.schema ?? [], fail) } catch (e) { fail(`meta check failed: ${String(e?.message ?? e).split('\n')[0]}`) }
    }
  }
  return { ok: problems.length === 0, rows: base ? results[base].rows.length : 0, problems, schema: results[base]?.schema }
}

export async function close () { if (R) await R.closeDuckdb() }

async function main () {
  const args = process.argv.slice(2)
  let file; let rowsFile; let metaFile
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--meta') metaFile = args[++i]
    else if (args[i].startsWith('-')) { console.error(`pq-verify: unknown option ${args[i]}`); process.exit(2) } else if (!file) file = args[i]
    else if (!rowsFile) rowsFile = args[i]
    else { console.error(`pq-verify: unexpected argument ${args[i]}`); process.exit(2) }
  }
  if (!file || (args.includes('--meta') && !metaFile)) { console.error('usage: pq-verify.mjs FILE [ROWS.json] [--meta META.json]'); process.exit(2) }
  requireNodeModules('pq-verify')
  const r = await verifyFile(file, { rowsFile, metaFile })
  await close()
  if (r.ok) console.log(`ok ${file} (${r.rows} rows, 3 readers agree${rowsFile ? ', rows match' : ''}${metaFile ? ', meta matches' : ''})`)
  else for (const p of r.problems) console.log(`FAIL ${file}: ${p}`)
  process.exit(r.ok ? 0 : 1)
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main()
