// The DuckDB reference for the routing benchmark (bench/route_bench.sh, DESIGN §10): the same
// point lookup as `ipfs-kit route lookup` as a DuckDB query on the same Parquet file, and
// DuckDB's own ZSTD re-write of the same rows for the file-size comparison.
//
// usage: node bench/duckdb_point.mjs FILE CID [RUNS] [--rewrite OUTDIR PARQUET...] [--once]
//
//   cold_*   a new in-memory DuckDBInstance, connect, first `SELECT * FROM read_parquet(FILE)
//            WHERE cid = ?` (the closest thing to a fresh process inside one node process;
//            node's own start-up and the module load are reported apart)
//   hot_*    median / min of RUNS executions of the same prepared statement on one connection,
//            with DuckDB's defaults, then again with `SET parquet_metadata_cache = true`
//   rewrite  for each PARQUET: COPY (SELECT * FROM read_parquet(PARQUET)) TO
//            OUTDIR/<name>.duckdb-zstd.parquet (FORMAT parquet, COMPRESSION zstd), with sizes
//   --once   only the cold query (for timing whole `node` processes); prints the row count
//
// Prints `key value` lines. @duckdb/node-api comes from tests/interop/parquet (npm ci there).
import { statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { performance } from 'node:perf_hooks'

const t_start = performance.now()
const { DuckDBInstance } = await import('../tests/interop/parquet/node_modules/@duckdb/node-api/lib/index.js')
const t_loaded = performance.now()

const argv = process.argv.slice(2)
const once = argv.includes('--once')
const args = argv.filter((a) => a !== '--once')
const rw = args.indexOf('--rewrite')
const pos = rw >= 0 ? args.slice(0, rw) : args
const [file, cid, runsArg] = pos
if (!file || !cid) {
  console.error('usage: node bench/duckdb_point.mjs FILE CID [RUNS] [--rewrite OUTDIR PARQUET...] [--once]')
  process.exit(2)
}
const runs = Number(runsArg ?? 1000)
const sql = (s) => `'${String(s).replace(/'/g, "''")}'`
const QUERY = `SELECT * FROM read_parquet(${sql(file)}) WHERE cid = $1`
const put = (k, v) => console.log(`${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : v}`)
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

// Cold: new instance, connection and statement, first query.
const c0 = performance.now()
const db = await DuckDBInstance.create(':memory:')
const con = await db.connect()
const c1 = performance.now()
const stmt = await con.prepare(QUERY)
stmt.bindVarchar(1, cid)
const first = await stmt.runAndReadAll()
const c2 = performance.now()
const rows = first.getRows().length
if (once) {
  console.log(rows)
  process.exit(rows > 0 ? 0 : 1)
}
put('node_module_load_ms', t_loaded - t_start)
put('cold_instance_ms', c1 - c0)
put('cold_query_ms', c2 - c1)
put('cold_total_ms', c2 - c0)
put('rows', rows)
if (rows === 0) { console.error(`duckdb: no rows for ${cid} in ${file}`); process.exit(1) }

async function hot (prefix) {
  const ms = []
  for (let i = 0; i < runs; i++) {
    const s = performance.now()
    const r = await stmt.runAndReadAll()
    const e = performance.now()
    if (r.getRows().length !== rows) throw new Error('row count changed')
    ms.push(e - s)
  }
  put(`${prefix}_runs`, runs)
  put(`${prefix}_p50_ms`, median(ms))
  put(`${prefix}_min_ms`, Math.min(...ms))
}
await hot('hot')
await con.run('SET parquet_metadata_cache = true')
await stmt.runAndReadAll()
await hot('hot_metacache')

if (rw >= 0) {
  const [outdir, ...files] = args.slice(rw + 1)
  for (const f of files) {
    const out = join(outdir, basename(f).replace(/\.parquet$/, '') + '.duckdb-zstd.parquet')
    const s = performance.now()
    await con.run(`COPY (SELECT * FROM read_parquet(${sql(f)})) TO ${sql(out)} (FORMAT parquet, COMPRESSION zstd)`)
    const e = performance.now()
    const tag = basename(f).replace(/-\d+\.parquet$/, '').replace(/\.parquet$/, '')
    put(`rewrite_${tag}_in_bytes`, statSync(f).size)
    put(`rewrite_${tag}_out_bytes`, statSync(out).size)
    put(`rewrite_${tag}_ms`, e - s)
    put(`rewrite_${tag}_file`, out)
  }
}
con.closeSync()
db.closeSync()
