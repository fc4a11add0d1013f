#!/usr/bin/env node
// @helia/verified-fetch against trustless gateways only: no libp2p, no bitswap, no delegated
// routing, no DNS. Helia hashes every block it receives. Modelled on the oracle kit's vfetch.mjs.
//   import { openVerifiedFetch } from './vfetch.mjs'
//   const vf = await openVerifiedFetch('http://127.0.0.1:8080'); await vf.get('CID/path', 'car'); await vf.stop()
// CLI: node vfetch.mjs GATEWAY_URL CID[/path] [--format raw|car] [--out FILE] [--timeout MS]
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createHeliaLight } from 'helia'
import { withHTTP } from '@helia/http'
import { createVerifiedFetchWithHelia } from '@helia/verified-fetch'

const ACCEPT = { raw: 'application/vnd.ipld.raw', car: 'application/vnd.ipld.car' }

export async function openVerifiedFetch (gatewayUrl) {
  const helia = withHTTP(createHeliaLight(), {
    delegatedRouters: [],
    recursiveGateways: [gatewayUrl], // "every block is at this gateway"
    allowInsecure: true,
    allowLocal: true
  })
  // helia 7.1.15: with only fallback routers findProviders never settles; one no-op router
  // lets it fall through to the gateway (same workaround as the oracle kit).
  helia.addRouter({ name: 'no-op', async * findProviders () {} })
  await helia.start()
  const vf = await createVerifiedFetchWithHelia(helia)
  return {
    /** Resolves { status, contentType, bytes } or throws (timeout, verification failure). */
    async get (target, format, timeoutMs = 30000) {
      const ac = new AbortController()
      const timer = setTimeout(() => ac.abort(new Error('timeout')), timeoutMs)
      try {
        const headers = ACCEPT[format] ? { accept: ACCEPT[format] } : {}
        const res = await vf(`ipfs://${target}`, { signal: ac.signal, headers })
        const bytes = new Uint8Array(await res.arrayBuffer())
        return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes }
      } finally { clearTimeout(timer) }
    },
    async stop () { await vf.stop(); await helia.stop() }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const valued = ['--format', '--out', '--timeout']
  const pos = args.filter((a, i) => !a.startsWith('--') && !valued.includes(args[i - 1]))
  const opt = (n) => { const i = args.indexOf('--' + n); return i >= 0 ? args[i + 1] : undefined }
  const [gw, target] = pos
  if (!gw || !target) { console.error('usage: node vfetch.mjs GATEWAY_URL CID[/path] [--format raw|car] [--out FILE]'); process.exit(2) }
  const vf = await openVerifiedFetch(gw)
  let code = 0
  try {
    const r = await vf.get(target, opt('format'), Number(opt('timeout') ?? 30000))
    console.error(`status ${r.status} ${r.contentType}`)
    if (r.status !== 200) code = 1
    if (opt('out')) fs.writeFileSync(opt('out'), r.bytes)
    else await new Promise((resolve, reject) => process.stdout.write(r.bytes, (e) => e ? reject(e) : resolve()))
  } catch (e) { console.error(`ERROR ${e.name}: ${e.message}`); code = 1 }
  await vf.stop()
  process.exit(code)
}
