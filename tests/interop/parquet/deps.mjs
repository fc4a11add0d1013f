// Dependency check for the Parquet interop scripts. Node standard library only, so it can
// run (and explain what to do) before any npm package is imported.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const HERE = path.dirname(fileURLToPath(import.meta.url))
export const NEEDED = ['hyparquet', 'hyparquet-compressors', 'parquet-wasm', 'apache-arrow', '@duckdb/node-api']

/** Exit 1 with a clear message (and a `0 passed, 1 failed` line) when node_modules is missing. */
export function requireNodeModules (prog) {
  const missing = NEEDED.filter(p => !fs.existsSync(path.join(HERE, 'node_modules', p, 'package.json')))
  if (missing.length === 0) return
  console.error(`${prog}: missing node packages (${missing.join(', ')}) in ${path.join(HERE, 'node_modules')}`)
  console.error(`${prog}: run npm ci in tests/interop/parquet  (cd ${HERE} && npm ci)`)
  console.log('0 passed, 1 failed')
  process.exit(1)
}
