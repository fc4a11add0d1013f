#!/usr/bin/env node
// Latency of one MCP tool call over Streamable HTTP, as an agent's SDK client sees it,
// beside references measured in the same run on the same server:
//   ipfs_cat  tools/call of ipfs_cat on a small file (SDK client, SSE answer)
//   ping      the protocol round trip with no work (SDK client, same session)
//   raw POST  tools/call ipfs_cat as one JSON POST (Accept: application/json) with fetch
//   gateway   GET /ipfs/CID of the same file (fetch, keep-alive)
//   node bench/mcp_latency.mjs URL CID [N]
// Prints one JSON object: p50/p90/p99 in microseconds per kind.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../tests/interop/mcp/package.json'));
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const [url, cid, nText] = process.argv.slice(2);
const N = Number(nText || 2000);
const base = new URL(url);
const client = new Client({ name: 'mcp-bench', version: '1.0.0' }, { capabilities: {} });
const transport = new StreamableHTTPClientTransport(base);
await client.connect(transport);

function stats(samples) {
  samples.sort((a, b) => a - b);
  const q = (p) => Math.round(samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]);
  return { n: samples.length, p50_us: q(0.5), p90_us: q(0.9), p99_us: q(0.99) };
}
async function measure(fn) {
  for (let i = 0; i < Math.min(200, N / 10); i++) await fn();  // warm-up
  const out = [];
  for (let i = 0; i < N; i++) {
    const t = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return stats(out);
}

const result = {};
result.ipfs_cat = await measure(async () => {
  const r = await client.callTool({ name: 'ipfs_cat', arguments: { path: cid } });
  if (r.isError) throw new Error(r.content[0].text);
});
result.ping = await measure(() => client.ping());
const headers = {
  'content-type': 'application/json', accept: 'application/json',
  'mcp-session-id': transport.sessionId, 'mcp-protocol-version': '2025-11-25',
};
let id = 1000;
result.raw_post = await measure(async () => {
  const r = await fetch(base, { method: 'POST', headers, body: JSON.stringify({
    jsonrpc: '2.0', id: id++, method: 'tools/call', params: { name: 'ipfs_cat', arguments: { path: cid } } }) });
  const j = await r.json();
  if (!j.result || j.result.isError) throw new Error(JSON.stringify(j));
});
const gw = new URL(`/ipfs/${cid}`, base);
result.gateway = await measure(async () => {
  const r = await fetch(gw);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`gateway ${r.status}`);
});
await client.close();
console.log(JSON.stringify(result));
