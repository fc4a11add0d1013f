#!/usr/bin/env node
// Check a CAR (v1 or v2) with @ipld/car: every block re-hashed against its CID; with
// --complete every block reachable from the roots must be present. Prints `version N`,
// `root CID` lines and one line per problem. Exit 0 = good, 1 = bad, 2 = usage.
// usage: node ref-car-verify.mjs FILE.car [--complete]
import { verifyCar } from './car.mjs'

const args = process.argv.slice(2)
const file = args.find(a => !a.startsWith('--'))
if (!file) { console.error('usage: node ref-car-verify.mjs FILE.car [--complete]'); process.exit(2) }
const r = await verifyCar(file, { complete: args.includes('--complete') })
if (r.version !== undefined) console.log(`version ${r.version}`)
for (const root of r.roots) console.log(`root ${root}`)
for (const p of r.problems) console.log(`BAD ${p}`)
console.log(`${r.ok ? 'OK' : 'FAIL'} blocks=${r.order.length} bytes=${r.bytes}`)
process.exit(r.ok ? 0 : 1)
