// Three independent Parquet readers, normalised to one convention so that their results
// (and the expected rows a writer publishes) can be compared value by value:
//
//   hyparquet     pure JavaScript (Thrift footer + page decoding in JS; ZSTD/Snappy/... via
//                 hyparquet-compressors)
//   parquet-wasm  arrow-rs (Rust parquet crate) compiled to wasm, rows via Arrow IPC
//   duckdb        DuckDB's C++ parquet extension (@duckdb/node-api, native libduckdb)
//
// Each read*(file) resolves { reader, schema, rows }:
//   schema  [{ name, type, logical, optional }] for the top-level leaf columns, in file order:
//           type     physical type: BOOLEAN INT32 INT64 INT96 FLOAT DOUBLE BYTE_ARRAY
//                    FIXED_LEN_BYTE_ARRAY (null when the reader cannot tell, e.g. Arrow decimals)
//           logical  null, or STRING | DATE | JSON | UUID | ENUM | FLOAT16 |
//                    TIMESTAMP(MILLIS|MICROS|NANOS,UTC|LOCAL) | INT(8|16|32|64,signed|unsigned) |
//                    DECIMAL(precision,scale); '?' when the reader cannot tell (parquet-wasm on
//                    FIXED_LEN_BYTE_ARRAY(16), which may be a UUID). Legacy converted types map to the same names
//                    (UTF8 -> STRING, TIMESTAMP_MICROS -> TIMESTAMP(MICROS,UTC), INT_32 on INT32 ->
//                    null, ...); INT(32,signed) on INT32 and INT(64,signed) on INT64 are null.
//           optional true for OPTIONAL columns, false for REQUIRED
//   rows    [{ column: value }] in file order, values normalised:
//           null                 -> null
//           BOOLEAN              -> true/false
//           INT32 (any width)    -> number
//           INT64 (not timestamp)-> decimal string ("5000000000"), unsigned too
//           FLOAT / DOUBLE       -> number (FLOAT: the float32 value); NaN/Infinity/-Infinity as
//                                   the strings "NaN", "Infinity", "-Infinity"
//           TIMESTAMP (any unit) -> ISO-8601 UTC with exactly 3 fraction digits, truncated
//                                   towards -infinity to the millisecond ("2024-01-01T00:00:00.000Z")
//           DATE                 -> "YYYY-MM-DD"
//           STRING / JSON / ENUM -> string (JSON as its raw text)
//           other BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY, UUID -> lowercase hex string
//           DECIMAL              -> decimal string of the unscaled value with the point inserted
//                                   ("12.34"); not exercised yet
// Only flat schemas (no groups, no repeated fields) are supported; nested files throw.
import { readFileSync } from 'node:fs'
import { parquetMetadata, parquetReadObjects } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import * as pw from 'parquet-wasm'
import * as arrow from 'apache-arrow'
import { DuckDBInstance } from '@duckdb/node-api'

export const READERS = ['hyparquet', 'parquet-wasm', 'duckdb']

// ---------------------------------------------------------------- value helpers

const floorDiv = (a, b) => { const q = a / b; return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q }

/** ms since epoch (bigint|number) -> "YYYY-MM-DDTHH:MM:SS.mmmZ" */
export function isoFromMillis (ms) {
  const d = new Date(Number(ms))
  if (Number.isNaN(d.getTime())) throw new Error(`timestamp out of range: ${ms} ms`)
  return d.toISOString()
}
export const isoFromUnit = (v, unit) => isoFromMillis(
  unit === 'MILLIS' ? BigInt(v) : unit === 'MICROS' ? floorDiv(BigInt(v), 1000n) : unit === 'NANOS' ? floorDiv(BigInt(v), 1000000n)
    : unit === 'SECONDS' ? BigInt(v) * 1000n : (() => { throw new Error(`unknown timestamp unit ${unit}`) })())
export const dateFromDays = (days) => isoFromMillis(BigInt(days) * 86400000n).slice(0, 10)
export const hex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')
export const normFloat = (x, isFloat32) =>
  Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : isFloat32 ? Math.fround(x) : x

function decimalString (unscaled, scale) {
  let s = (unscaled < 0n ? -unscaled : unscaled).toString()
  if (scale > 0) { s = s.padStart(scale + 1, '0'); s = `${s.slice(0, -scale)}.${s.slice(-scale)}` }
  return (unscaled < 0n ? '-' : '') + s
}
function bigFromTwosComplement (bytes) {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  const bits = BigInt(bytes.length * 8)
  return bytes.length && (bytes[0] & 0x80) ? v - (1n << bits) : v
}

// ---------------------------------------------------------------- schema helpers

const CONVERTED_INT = { INT_8: [8, true], INT_16: [16, true], INT_32: [32, true], INT_64: [64, true], UINT_8: [8, false], UINT_16: [16, false], UINT_32: [32, false], UINT_64: [64, false] }
function intLogical (type, bits, signed) {
  if (signed && ((type === 'INT32' && bits === 32) || (type === 'INT64' && bits === 64))) return null
  return `INT(${bits},${signed ? 'signed' : 'unsigned'})`
}

/**
 * Thrift-shaped schema element (hyparquet's objects; DuckDB's parquet_schema rows after
 * parseDuckdbLogical) -> normalised { name, type, logical, optional }.
 */
export function normElement (el) {
  const lt = el.logical_type
  const type = el.type
  let logical = null
  if (lt && lt.type) {
    switch (lt.type) {
      case 'TIMESTAMP': logical = `TIMESTAMP(${lt.unit},${lt.isAdjustedToUTC ? 'UTC' : 'LOCAL'})`; break
      case 'TIME': logical = `TIME(${lt.unit},${lt.isAdjustedToUTC ? 'UTC' : 'LOCAL'})`; break
      case 'INTEGER': logical = intLogical(type, lt.bitWidth, lt.isSigned); break
      case 'DECIMAL': logical = `DECIMAL(${lt.precision ?? el.precision},${lt.scale ?? el.scale ?? 0})`; break
      default: logical = lt.type
    }
  } else if (el.converted_type) {
    const ct = el.converted_type
    if (ct === 'UTF8') logical = 'STRING'
    else if (ct === 'TIMESTAMP_MILLIS') logical = 'TIMESTAMP(MILLIS,UTC)'
    else if (ct === 'TIMESTAMP_MICROS') logical = 'TIMESTAMP(MICROS,UTC)'
    else if (ct === 'TIME_MILLIS') logical = 'TIME(MILLIS,UTC)'
    else if (ct === 'TIME_MICROS') logical = 'TIME(MICROS,UTC)'
    else if (CONVERTED_INT[ct]) logical = intLogical(type, ...CONVERTED_INT[ct])
    else if (ct === 'DECIMAL') logical = `DECIMAL(${el.precision},${el.scale ?? 0})`
    else logical = ct // DATE, JSON, ENUM, BSON, ...
  }
  return { name: el.name, type: type ?? null, logical, optional: el.repetition_type === 'OPTIONAL' }
}

function flatLeaves (elements, reader) {
  // elements[0] is the root; a flat file has only leaves below it.
  const leaves = elements.slice(1)
  for (const el of leaves) {
    if (Number(el.num_children ?? 0) > 0 || el.repetition_type === 'REPEATED') {
      throw new Error(`${reader}: nested/repeated column '${el.name}' — the interop harness supports flat schemas only`)
    }
  }
  return leaves
}

const tsUnit = (logical) => /^TIMESTAMP\((\w+),/.exec(logical ?? '')?.[1]

// ---------------------------------------------------------------- hyparquet

function toArrayBuffer (file) {
  const buf = readFileSync(file)
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
}

export async function readHyparquet (file) {
  const ab = toArrayBuffer(file)
  const md = parquetMetadata(ab)
  const leaves = flatLeaves(md.schema, 'hyparquet')
  const schema = leaves.map(normElement)
  // Custom parsers keep full precision: timestamps are floored to ms from the raw integer,
  // not truncated through Number()/Date as hyparquet's defaults do.
  const parsers = {
    timestampFromMilliseconds: (v) => isoFromUnit(v, 'MILLIS'),
    timestampFromMicroseconds: (v) => isoFromUnit(v, 'MICROS'),
    timestampFromNanoseconds: (v) => isoFromUnit(v, 'NANOS'),
    dateFromDays: (d) => dateFromDays(d),
    jsonFromBytes: (b) => b && new TextDecoder().decode(b),
    uuidFromBytes: (b) => b && hex(b)
  }
  // utf8:false so that BYTE_ARRAY without a STRING annotation stays bytes.
  const raw = await parquetReadObjects({ file: ab, compressors, utf8: false, parsers })
  const rows = raw.map((r) => {
    const o = {}
    for (let c = 0; c < schema.length; c++) {
      const col = schema[c]; const el = leaves[c]; let v = r[col.name]
      if (v === undefined || v === null) v = null
      else if (col.logical?.startsWith('DECIMAL')) {
        const scale = el.scale ?? el.logical_type?.scale ?? 0
        // hyparquet returns decimals as floats; re-derive the exact value from the bytes is not
        // possible here, so print the float at the declared scale.
        v = typeof v === 'number' ? v.toFixed(scale) : String(v)
      } else if (typeof v === 'bigint') v = v.toString()
      else if (v instanceof Uint8Array) v = hex(v)
      else if (typeof v === 'number' && (col.type === 'FLOAT' || col.type === 'DOUBLE')) v = normFloat(v, col.type === 'FLOAT')
      else if (v instanceof Date) v = v.toISOString() // INT96 or anything the parsers missed
      o[col.name] = v
    }
    return o
  })
  return { reader: 'hyparquet', schema, rows }
}

// ---------------------------------------------------------------- parquet-wasm (arrow-rs)

const ARROW_TS_UNIT = { [arrow.TimeUnit.SECOND]: 'SECONDS', [arrow.TimeUnit.MILLISECOND]: 'MILLIS', [arrow.TimeUnit.MICROSECOND]: 'MICROS', [arrow.TimeUnit.NANOSECOND]: 'NANOS' }

function arrowField (f) {
  const t = f.type
  const n = (type, logical = null) => ({ name: f.name, type, logical, optional: f.nullable })
  const T = arrow.DataType
  if (T.isUtf8(t) || T.isLargeUtf8?.(t)) return n('BYTE_ARRAY', 'STRING')
  if (T.isBinary(t) || T.isLargeBinary?.(t)) return n('BYTE_ARRAY')
  // arrow-rs (as built into parquet-wasm) drops the UUID annotation: FixedSizeBinary(16) may or may not be a UUID
  if (T.isFixedSizeBinary(t)) return n('FIXED_LEN_BYTE_ARRAY', t.byteWidth === 16 ? '?' : null)
  if (T.isBool(t)) return n('BOOLEAN')
  if (T.isInt(t)) {
    const type = t.bitWidth === 64 ? 'INT64' : 'INT32'
    return n(type, intLogical(type, t.bitWidth, t.isSigned))
  }
  if (T.isFloat(t)) return t.precision === arrow.Precision.HALF ? n('FIXED_LEN_BYTE_ARRAY', 'FLOAT16') : n(t.precision === arrow.Precision.SINGLE ? 'FLOAT' : 'DOUBLE')
  if (T.isTimestamp(t)) return n('INT64', `TIMESTAMP(${ARROW_TS_UNIT[t.unit]},${t.timezone ? 'UTC' : 'LOCAL'})`)
  if (T.isDate(t)) return n('INT32', 'DATE')
  if (T.isDecimal(t)) return n(null, `DECIMAL(${t.precision},${t.scale})`)
  throw new Error(`parquet-wasm: column '${f.name}' has Arrow type ${t} — not handled by the interop harness`)
}

export async function readParquetWasm (file) {
  const bytes = new Uint8Array(readFileSync(file))
  const table = arrow.tableFromIPC(pw.readParquet(bytes).intoIPCStream())
  for (const f of table.schema.fields) {
    if (arrow.DataType.isStruct(f.type) || arrow.DataType.isList(f.type) || arrow.DataType.isMap(f.type)) {
      throw new Error(`parquet-wasm: nested column '${f.name}' — the interop harness supports flat schemas only`)
    }
  }
  const schema = table.schema.fields.map(arrowField)
  const rows = Array.from({ length: table.numRows }, () => ({}))
  schema.forEach((col, c) => {
    const vec = table.getChildAt(c)
    const t = table.schema.fields[c].type
    const unit = tsUnit(col.logical)
    let i = 0
    for (const chunk of vec.data) {
      const cv = arrow.makeVector(chunk)
      for (let j = 0; j < chunk.length; j++, i++) {
        let v = cv.get(j)
        if (v === null || v === undefined) v = null
        else if (unit) v = isoFromUnit(chunk.values[j], unit === 'SECONDS' ? 'SECONDS' : unit) // raw int64, exact
        else if (arrow.DataType.isDate(t)) v = dateFromDays(t.unit === arrow.DateUnit.DAY ? chunk.values[j] : Math.floor(Number(chunk.values[j]) / 86400000))
        else if (arrow.DataType.isDecimal(t)) {
          const w = chunk.values.subarray(j * (t.bitWidth / 32), (j + 1) * (t.bitWidth / 32)) // little-endian 32-bit words
          let u = 0n
          for (let k = w.length - 1; k >= 0; k--) u = (u << 32n) | BigInt(w[k] >>> 0)
          if (w[w.length - 1] & 0x80000000) u -= 1n << BigInt(t.bitWidth)
          v = decimalString(u, t.scale)
        } else if (typeof v === 'bigint') v = v.toString()
        else if (v instanceof Uint8Array) v = hex(v)
        else if (typeof v === 'number' && (col.type === 'FLOAT' || col.type === 'DOUBLE')) v = normFloat(v, col.type === 'FLOAT')
        rows[i][col.name] = v
      }
    }
  })
  return { reader: 'parquet-wasm', schema, rows }
}

// ---------------------------------------------------------------- DuckDB

let duck // one in-memory instance per process
async function duckConnection () {
  if (!duck) {
    const db = await DuckDBInstance.create(':memory:')
    const con = await db.connect()
    await con.run("SET TimeZone = 'UTC'")
    duck = { db, con }
  }
  return duck.con
}
export const sqlString = (s) => `'${String(s).replace(/'/g, "''")}'`

/** Run SQL in the shared in-memory DuckDB (TimeZone=UTC); returns JSON-ish row objects. */
export async function duckdbQuery (sql) {
  const con = await duckConnection()
  return (await con.runAndReadAll(sql)).getRowObjectsJson()
}

/** DuckDB's parquet_schema() logical_type text -> hyparquet-style { type, ... } object. */
export function parseDuckdbLogical (s) {
  if (!s) return undefined
  const m = /^(\w+?)Type\((.*)\)$/s.exec(s)
  if (!m) return { type: s.toUpperCase() }
  const kind = m[1].toUpperCase(); const body = m[2]
  const num = (k) => { const x = new RegExp(`${k}=(-?\\d+)`).exec(body); return x ? Number(x[1]) : undefined }
  const unit = () => /MILLIS=Milli/.test(body) ? 'MILLIS' : /MICROS=Micro/.test(body) ? 'MICROS' : /NANOS=Nano/.test(body) ? 'NANOS' : undefined
  switch (kind) {
    case 'TIMESTAMP': case 'TIME': return { type: kind, isAdjustedToUTC: num('isAdjustedToUTC') === 1, unit: unit() }
    case 'INT': return { type: 'INTEGER', bitWidth: num('bitWidth'), isSigned: num('isSigned') === 1 }
    case 'DECIMAL': return { type: 'DECIMAL', precision: num('precision'), scale: num('scale') }
    case 'UUID': case 'JSON': case 'STRING': case 'DATE': case 'ENUM': case 'BSON': case 'FLOAT16': return { type: kind }
    default: return { type: kind }
  }
}

export async function readDuckdb (file) {
  const con = await duckConnection()
  const f = sqlString(file)
  const elements = (await con.runAndReadAll(`SELECT * FROM parquet_schema(${f})`)).getRowObjectsJson()
    .map((e) => ({ ...e, logical_type: parseDuckdbLogical(e.logical_type), num_children: e.num_children === null ? undefined : Number(e.num_children) }))
  const leaves = flatLeaves(elements, 'duckdb')
  const schema = leaves.map(normElement)
  const reader = await con.runAndReadAll(`SELECT * FROM read_parquet(${f}, binary_as_string=false)`)
  const names = reader.columnNames()
  if (names.length !== schema.length) throw new Error(`duckdb: read_parquet gave ${names.length} columns, parquet_schema ${schema.length}`)
  const rows = reader.getRows().map((r) => {
    const o = {}
    for (let c = 0; c < schema.length; c++) {
      const col = schema[c]; let v = r[c]
      if (v === null || v === undefined) v = null
      else if (typeof v === 'bigint') v = v.toString()
      else if (typeof v === 'number') v = (col.type === 'FLOAT' || col.type === 'DOUBLE') ? normFloat(v, col.type === 'FLOAT') : v
      else if (typeof v === 'object') {
        if ('micros' in v) v = isoFromUnit(v.micros, 'MICROS')
        else if ('millis' in v) v = isoFromUnit(v.millis, 'MILLIS')
        else if ('nanos' in v) v = isoFromUnit(v.nanos, 'NANOS')
        else if ('seconds' in v) v = isoFromUnit(v.seconds, 'SECONDS')
        else if ('days' in v) v = dateFromDays(v.days)
        else if ('bytes' in v) v = hex(v.bytes)
        else if (col.logical === 'UUID') v = String(v).replace(/-/g, '')
        else v = String(v) // DECIMAL and anything else with a canonical text form
      }
      o[col.name] = v
    }
    return o
  })
  return { reader: 'duckdb', schema, rows }
}

export async function closeDuckdb () {
  if (duck) { duck.con.closeSync?.(); duck.db.closeSync?.(); duck = undefined }
}

export const readers = { hyparquet: readHyparquet, 'parquet-wasm': readParquetWasm, duckdb: readDuckdb }

// ---------------------------------------------------------------- comparing

/** Compact, type-revealing rendering of a value for diff lines. */
export const show = (v) => (v === undefined ? 'undefined' : JSON.stringify(v))

const schemaKey = (s) => `${s.name}:${s.type ?? '?'}:${s.logical ?? '-'}:${s.optional ? 'optional' : 'required'}`

/** First schema difference between two normalised schemas, or null. A null type or a '?' logical (reader cannot tell) matches any. */
export function diffSchema (a, b) {
  if (a.length !== b.length) return `column count ${a.length} vs ${b.length} ([${a.map(x => x.name)}] vs [${b.map(x => x.name)}])`
  for (let i = 0; i < a.length; i++) {
    const x = a[i]; const y = b[i]
    const same = x.name === y.name && x.optional === y.optional &&
      (x.logical === y.logical || x.logical === '?' || y.logical === '?') &&
      (x.type === null || y.type === null || x.type === y.type)
    if (!same) return `column ${i}: ${schemaKey(x)} vs ${schemaKey(y)}`
  }
  return null
}

function valueEq (a, b, col) {
  if (a === b) return true
  if (col?.type === 'FLOAT' && typeof a === 'number' && typeof b === 'number') return Math.fround(a) === Math.fround(b)
  return false
}

/**
 * First row difference between two row arrays (columns from `schema`), or null.
 * Both sides must have exactly the schema's columns. labels name the two sides in the message.
 */
export function diffRows (a, b, schema, [la, lb] = ['', '']) {
  const L = (x, y) => la || lb ? `${la} ${show(x)} vs ${lb} ${show(y)}` : `${show(x)} vs ${show(y)}`
  if (a.length !== b.length) return `row count: ${la || lb ? `${la} ${a.length} vs ${lb} ${b.length}` : `${a.length} vs ${b.length}`}`
  const names = schema.map(s => s.name)
  for (let i = 0; i < a.length; i++) {
    const ka = Object.keys(a[i]); const kb = Object.keys(b[i])
    for (const k of kb) if (!names.includes(k)) return `row ${i}: unexpected column '${k}' (file has ${names.join(', ')})`
    for (const k of ka) if (!names.includes(k)) return `row ${i}: unexpected column '${k}' (file has ${names.join(', ')})`
    for (const col of schema) {
      const x = a[i][col.name]; const y = b[i][col.name]
      if (x === undefined || y === undefined) return `row ${i} column ${col.name}: missing (${L(x, y)})`
      if (!valueEq(x, y, col)) return `row ${i} column ${col.name} (${col.type}${col.logical ? ' ' + col.logical : ''}): ${L(x, y)}`
    }
  }
  return null
}

// ---------------------------------------------------------------- lenient JSON (ipfs-kit output)

/** JSON.parse that keeps integers beyond 2^53 exact by turning them into decimal strings. */
export function parseJsonBig (text) {
  let out = ''; let inStr = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inStr) {
      out += ch
      if (ch === '\\') { out += text[++i] ?? '' } else if (ch === '"') inStr = false
      continue
    }
    if (ch === '"') { inStr = true; out += ch; continue }
    if (ch === '-' || (ch >= '0' && ch <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 64))
      const tok = m[0]
      const isInt = !m[1] && !m[2]
      out += (isInt && !Number.isSafeInteger(Number(tok))) ? `"${tok}"` : tok
      i += tok.length - 1
      continue
    }
    out += ch
  }
  return JSON.parse(out)
}

/** ISO-8601 timestamp (T or space; any number of fraction digits; Z, ±hh[:mm] or none) -> ms ISO, or null. */
export function isoToMillisIso (s) {
  const m = /^(\d{4,}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d(?::?\d\d)?)?$/.exec(s)
  if (!m) return null
  const ms = (m[3] ?? '').padEnd(3, '0').slice(0, 3)
  let tz = m[4] ?? 'Z' // no offset (DuckDB's text for LOCAL timestamps): take as UTC
  if (/^[+-]\d\d$/.test(tz)) tz += ':00'
  else if (/^[+-]\d{4}$/.test(tz)) tz = `${tz.slice(0, 3)}:${tz.slice(3)}`
  const d = new Date(`${m[1]}T${m[2]}.${ms}${tz}`)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

/**
 * Coerce a value printed by another program (ipfs-kit parquet cat) to the convention, using
 * the column's normalised schema: int64 numbers -> decimal strings, timestamps -> ms ISO.
 */
export function coerceToConvention (v, col) {
  if (v === null || v === undefined) return v ?? null
  if (tsUnit(col.logical)) {
    if (typeof v === 'string') return isoToMillisIso(v) ?? v
    return v
  }
  if (col.type === 'INT64' && !col.logical?.startsWith('DECIMAL')) {
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v).toString()
    if (typeof v === 'bigint') return v.toString()
    return v
  }
  if ((col.type === 'FLOAT' || col.type === 'DOUBLE') && typeof v === 'number') return normFloat(v, col.type === 'FLOAT')
  return v
}
