#!/usr/bin/env node
// selftest-gen.mjs OUTDIR — stand-in for the C++ `parquet_interop_gen`, to test the harness
// itself: writes <case>.parquet + <case>.rows.json [+ <case>.meta.json] with third-party
// writers (DuckDB COPY, parquet-wasm). The expected rows are computed here from the source
// data, independently of any reader, in the convention of readers.mjs.
//
//   node run-parquet-interop.mjs --gen selftest-gen.mjs                 -> all pass
//   PARQUET_SELFTEST_BAD=1 node run-parquet-interop.mjs --gen selftest-gen.mjs
//                        -> also writes 4 broken cases that must FAIL (wrong row, wrong meta,
//                           truncated file, missing rows.json)
import fs from 'node:fs'
import path from 'node:path'
import { requireNodeModules } from './deps.mjs'

requireNodeModules('selftest-gen')
const { DuckDBInstance } = await import('@duckdb/node-api')
const arrow = await import('apache-arrow')
const pw = await import('parquet-wasm')

const out = process.argv[2]
if (!out) { console.error('usage: selftest-gen.mjs OUTDIR'); process.exit(2) }
fs.mkdirSync(out, { recursive: true })
const put = (name, obj) => fs.writeFileSync(path.join(out, name), JSON.stringify(obj, null, 1) + '\n')

const con = await (await DuckDBInstance.create(':memory:')).connect()
await con.run("SET TimeZone = 'UTC'; SET threads = 1; SET preserve_insertion_order = true")
const q = (s) => (s === null ? 'NULL' : `'${String(s).replace(/'/g, "''")}'`)

// ---- expected-value helpers (independent of readers.mjs) --------------------------------
const floorDiv = (a, b) => { const r = a / b; return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? r - 1n : r }
const isoMicros = (us) => us === null ? null : new Date(Number(floorDiv(us, 1000n))).toISOString()
const isoNanos = (ns) => ns === null ? null : new Date(Number(floorDiv(ns, 1000000n))).toISOString()

// ---- case 1: many types, written by DuckDB -----------------------------------------------
const T = {
  i: [0, -1, 2147483647, -2147483648, 42, null],
  big: ['0', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993', null],
  sm: [0, -32768, 32767, 1, 2, null],
  ub: ['0', '18446744073709551615', '1', '2', '3', null],
  flag: [true, false, null, true, false, true],
  f: [1.5, -0.1, null, 3.4028234663852886e38, 0, 1e-7],
  d: [Math.PI, -2.5, 'NaN', 1e300, null, 0.1],
  s: ['a', '', null, 'ünïcødé ✓', 'quote\'"', 'x'.repeat(1000)],
  b: ['', '00ff', null, 'deadbeef', '00', '41'],
  day: ['1970-01-01', '2024-02-29', null, '1969-12-31', '9999-12-31', '2000-01-01'],
  ts: [0n, -1n, 1704067200123456n, null, 1704067200999999n, -62135596800000000n],
  ts_local: [1n, 999n, 1000n, -1001n, null, 1704067200000000n],
  ts_ns: [-1n, 1704067200123456789n, null, 0n, 999999n, 1000000n],
  u: ['00112233-4455-6677-8899-aabbccddeeff', null, 'ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-0000-0000-000000000000', '12345678-9abc-def0-1234-56789abcdef0', null]
}
const N = T.i.length
const sqlRow = (k) => [
  T.i[k] === null ? 'NULL' : `(${T.i[k]})::INTEGER`,
  T.big[k] === null ? 'NULL' : `(${T.big[k]})::BIGINT`,
  T.sm[k] === null ? 'NULL' : `(${T.sm[k]})::SMALLINT`,
  T.ub[k] === null ? 'NULL' : `(${T.ub[k]})::UBIGINT`,
  T.flag[k] === null ? 'NULL' : String(T.flag[k]),
  T.f[k] === null ? 'NULL' : `(${T.f[k]})::FLOAT`,
  T.d[k] === null ? 'NULL' : `'${T.d[k]}'::DOUBLE`,
  T.s[k] === null ? 'NULL' : `${q(T.s[k])}::VARCHAR`,
  T.b[k] === null ? 'NULL' : `from_hex('${T.b[k]}')`,
  T.day[k] === null ? 'NULL' : `DATE '${T.day[k]}'`,
  T.ts[k] === null ? 'NULL' : `make_timestamp((${T.ts[k]})::BIGINT)::TIMESTAMPTZ`,
  T.ts_local[k] === null ? 'NULL' : `make_timestamp((${T.ts_local[k]})::BIGINT)`,
  T.ts_ns[k] === null ? 'NULL' : `make_timestamp_ns((${T.ts_ns[k]})::BIGINT)`,
  T.u[k] === null ? 'NULL' : `'${T.u[k]}'::UUID`
].join(', ')
const cols = Object.keys(T)
const sel = Array.from({ length: N }, (_, k) => `SELECT ${k} AS k, ${sqlRow(k)}`)
const typesSql = `SELECT ${cols.join(', ')} FROM (${sel.join(' UNION ALL ')}) t(k, ${cols.join(', ')}) ORDER BY k`
const typesRows = Array.from({ length: N }, (_, k) => ({
  i: T.i[k],
  big: T.big[k],
  sm: T.sm[k],
  ub: T.ub[k],
  flag: T.flag[k],
  f: T.f[k],
  d: T.d[k],
  s: T.s[k],
  b: T.b[k],
  day: T.day[k],
  ts: isoMicros(T.ts[k]),
  ts_local: isoMicros(T.ts_local[k]),
  ts_ns: isoNanos(T.ts_ns[k]),
  u: T.u[k] === null ? null : T.u[k].replace(/-/g, '')
}))
const typesMeta = {
  num_rows: N,
  num_row_groups: 1,
  created_by: 'DuckDB',
  schema: [
    { name: 'i', type: 'INT32', logical: null, optional: true },
    { name: 'big', type: 'INT64', logical: null, optional: true },
    { name: 'sm', type: 'INT32', logical: 'INT(16,signed)', optional: true },
    { name: 'ub', type: 'INT64', logical: 'INT(64,unsigned)', optional: true },
    { name: 'flag', type: 'BOOLEAN', logical: null, optional: true },
    { name: 'f', type: 'FLOAT', logical: null, optional: true },
    { name: 'd', type: 'DOUBLE', logical: null, optional: true },
    { name: 's', type: 'BYTE_ARRAY', logical: 'STRING', optional: true },
    { name: 'b', type: 'BYTE_ARRAY', logical: null, optional: true },
    { name: 'day', type: 'INT32', logical: 'DATE', optional: true },
    { name: 'ts', type: 'INT64', logical: 'TIMESTAMP(MICROS,UTC)', optional: true },
    { name: 'ts_local', type: 'INT64', logical: 'TIMESTAMP(MICROS,LOCAL)', optional: true },
    { name: 'ts_ns', type: 'INT64', logical: 'TIMESTAMP(NANOS,LOCAL)', optional: true },
    { name: 'u', type: 'FIXED_LEN_BYTE_ARRAY', logical: 'UUID', optional: true }
  ],
  columns: [
    { path_in_schema: 'big', compression: 'ZSTD', stats_min: '-9223372036854775808', stats_max: '9223372036854775807', stats_null_count: 1 },
    { row_group_id: 0, path_in_schema: 's', stats_null_count: 1, stats_min: '', stats_max: 'ünïcødé ✓' },
    { path_in_schema: 'b', stats_min: '', stats_max: 'deadbeef' },
    { path_in_schema: 'ts', stats_min: '0001-01-01T00:00:00.000000Z', stats_max: '2024-01-01T00:00:00.999999Z', encodings: 'PLAIN' },
    { path_in_schema: 'f', stats_max: 3.4028234663852886e38, stats_min: -0.1 },
    { path_in_schema: 'day', stats_min: '1969-12-31', stats_max: '9999-12-31' }
  ]
}
async function duckCopy (sql, file, opts) {
  await con.run(`COPY (${sql}) TO ${q(path.join(out, file))} (FORMAT parquet, ${opts})`)
}
await duckCopy(typesSql, 'duckdb_types.parquet', 'COMPRESSION zstd')
put('duckdb_types.rows.json', typesRows)
put('duckdb_types.meta.json', typesMeta)

// ---- case 2: parquet-wasm (arrow-rs), REQUIRED columns, 3 row groups, SNAPPY, dictionary ----
const n2 = 250
const rows2 = Array.from({ length: n2 }, (_, k) => ({
  cid: `bafkrei${String(k % 37).padStart(52, 'q')}`,
  size_bytes: (BigInt(k) * 4_000_000_007n - 3n).toString(),
  pinned_at: new Date(Date.UTC(2024, 0, 1) + k * 1001).toISOString(),
  replicas: (k % 3) + 1,
  blob: Buffer.from([k & 255, (k * 7) & 255]).toString('hex')
}))
const sch2 = new arrow.Schema([
  new arrow.Field('cid', new arrow.Utf8(), false),
  new arrow.Field('size_bytes', new arrow.Int64(), false),
  new arrow.Field('pinned_at', new arrow.TimestampMillisecond('UTC'), false),
  new arrow.Field('replicas', new arrow.Int32(), false),
  new arrow.Field('blob', new arrow.Binary(), true)
])
const v = (type, xs) => arrow.vectorFromArray(xs, type).data[0]
const batch2 = new arrow.RecordBatch(sch2, arrow.makeData({
  type: new arrow.Struct(sch2.fields),
  length: n2,
  children: [
    v(new arrow.Utf8(), rows2.map(r => r.cid)),
    v(new arrow.Int64(), rows2.map(r => BigInt(r.size_bytes))),
    v(new arrow.TimestampMillisecond('UTC'), rows2.map(r => Date.parse(r.pinned_at))),
    v(new arrow.Int32(), rows2.map(r => r.replicas)),
    v(new arrow.Binary(), rows2.map(r => Buffer.from(r.blob, 'hex')))
  ]
}))
const props2 = new pw.WriterPropertiesBuilder()
  .setWriterVersion(pw.WriterVersion.V1)
  .setCompression(pw.Compression.SNAPPY)
  .setMaxRowGroupSize(100)
  .setDictionaryEnabled(false)
  .setColumnDictionaryEnabled('cid', true)
  .setStatisticsEnabled(pw.EnabledStatistics.Chunk)
  .build()
fs.writeFileSync(path.join(out, 'pw_pins_3rg.parquet'),
  pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(new arrow.Table(batch2), 'stream')), props2))
put('pw_pins_3rg.rows.json', rows2)
put('pw_pins_3rg.meta.json', {
  num_rows: n2,
  num_row_groups: 3,
  columns: [
    { path_in_schema: 'cid', compression: 'SNAPPY', encodings: ['RLE_DICTIONARY'] },
    { path_in_schema: 'size_bytes', compression: 'SNAPPY', encodings: 'PLAIN' },
    { row_group_id: 0, path_in_schema: 'size_bytes', stats_min: '-3', stats_max: String(99n * 4_000_000_007n - 3n), num_values: 100 },
    { row_group_id: 2, path_in_schema: 'pinned_at', stats_min: rows2[200].pinned_at, stats_max: rows2[249].pinned_at, num_values: 50 },
    { row_group_id: 1, path_in_schema: 'blob', stats_null_count: 0 }
  ]
})

// ---- case 3: no rows at all --------------------------------------------------------------
await duckCopy('SELECT 1::BIGINT AS id, \'x\' AS name WHERE false', 'empty.parquet', 'COMPRESSION snappy')
put('empty.rows.json', [])
put('empty.meta.json', { num_rows: 0, schema: [{ name: 'id', type: 'INT64', logical: null, optional: true }, { name: 'name', type: 'BYTE_ARRAY', logical: 'STRING', optional: true }] })

// ---- broken cases: the harness must report each of these --------------------------------
if (process.env.PARQUET_SELFTEST_BAD === '1') {
  fs.copyFileSync(path.join(out, 'duckdb_types.parquet'), path.join(out, 'bad_rows.parquet'))
  put('bad_rows.rows.json', typesRows.map((r, k) => k === 4 ? { ...r, ts: '2024-01-01T00:00:01.000Z' } : r))
  fs.copyFileSync(path.join(out, 'pw_pins_3rg.parquet'), path.join(out, 'bad_meta.parquet'))
  put('bad_meta.rows.json', rows2)
  put('bad_meta.meta.json', { num_row_groups: 2, columns: [{ path_in_schema: 'cid', compression: 'ZSTD' }] })
  const whole = fs.readFileSync(path.join(out, 'empty.parquet'))
  fs.writeFileSync(path.join(out, 'truncated.parquet'), whole.subarray(0, whole.length - 20))
  put('truncated.rows.json', [])
  fs.copyFileSync(path.join(out, 'empty.parquet'), path.join(out, 'no_rows_json.parquet'))
}
console.error(`selftest-gen: wrote ${fs.readdirSync(out).length} files to ${out}`)
