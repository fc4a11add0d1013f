#!/usr/bin/env node
// An independent MCP client (the official TypeScript SDK) pointed at a server:
//
//   node mcp-probe.mjs --stdio "CMD ARGS..." [options]
//   node mcp-probe.mjs --http http://127.0.0.1:PORT/mcp [options]
//
// It connects (initialize + initialized), then lists tools, resources, resource
// templates and prompts (every page; only what the server advertises), and
// optionally calls a tool, reads a resource or sends any request.
//
//   --call NAME [--args JSON]     tools/call
//   --read URI                    resources/read
//   --request METHOD [--params JSON]
//   --protocol-version V          ask for V in initialize (version negotiation)
//   --timeout MS                  per request (default 30000)
//   --no-list                     skip the lists
//   --trace                       every JSON-RPC message on stderr
//
// Prints one JSON document on stdout. Exit 0 ok; 1 usage; 2 protocol or
// transport error (JSON-RPC error, a result the SDK's schemas reject, timeout);
// 3 the tool call returned isError.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, ResultSchema } from '@modelcontextprotocol/sdk/types.js';

const opt = { args: '{}', params: '{}', timeout: 30000, list: true, trace: false };
const argv = process.argv.slice(2);
const fail = (msg) => { console.error(`mcp-probe: ${msg}`); process.exit(1); };
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  const value = () => (i + 1 < argv.length ? argv[++i] : fail(`${flag} needs a value`));
  if (flag === '--stdio') opt.stdio = value();
  else if (flag === '--http') opt.http = value();
  else if (flag === '--call') opt.call = value();
  else if (flag === '--args') opt.args = value();
  else if (flag === '--read') opt.read = value();
  else if (flag === '--request') opt.request = value();
  else if (flag === '--params') opt.params = value();
  else if (flag === '--protocol-version') opt.version = value();
  else if (flag === '--timeout') opt.timeout = Number(value());
  else if (flag === '--no-list') opt.list = false;
  else if (flag === '--trace') opt.trace = true;
  else fail(`unknown argument ${flag}`);
}
if (Boolean(opt.stdio) === Boolean(opt.http)) fail('give exactly one of --stdio CMD and --http URL');
let callArgs, requestParams;
try {
  callArgs = JSON.parse(opt.args);
  requestParams = JSON.parse(opt.params);
} catch (e) {
  fail(`bad JSON: ${e.message}`);
}

// Sits between the client and the real transport: traces, remembers the raw
// initialize result, and rewrites the requested protocol version.
class Tap {
  constructor(inner) {
    this.inner = inner;
    inner.onmessage = (message, extra) => {
      if (opt.trace) console.error('<<', JSON.stringify(message));
      if (this.initId !== undefined && message.id === this.initId && message.result) {
        this.initResult = message.result;
      }
      this.onmessage?.(message, extra);
    };
    inner.onclose = () => this.onclose?.();
    inner.onerror = (e) => this.onerror?.(e);
  }
  get sessionId() { return this.inner.sessionId; }
  setProtocolVersion(v) { this.inner.setProtocolVersion?.(v); }
  start() { return this.inner.start(); }
  close() { return this.inner.close(); }
  send(message, options) {
    if (message.method === 'initialize') {
      this.initId = message.id;
      if (opt.version) message = { ...message, params: { ...message.params, protocolVersion: opt.version } };
    }
    if (opt.trace) console.error('>>', JSON.stringify(message));
    return this.inner.send(message, options);
  }
}

const inner = opt.stdio
  ? new StdioClientTransport({ command: '/bin/sh', args: ['-c', `exec ${opt.stdio}`], env: process.env, stderr: 'inherit' })
  : new StreamableHTTPClientTransport(new URL(opt.http));
const tap = new Tap(inner);
const client = new Client({ name: 'ipfs-kit-mcp-probe', version: '1.0.0' }, { capabilities: {} });
const ro = { timeout: opt.timeout };
const out = { transport: opt.stdio ? 'stdio' : 'streamable-http' };

// Follows nextCursor to the end (the typed helper validated the first page).
async function all(method, key) {
  const items = [];
  let cursor;
  for (let page = 0; page < 1000; page++) {
    const r = await client.request({ method, params: cursor ? { cursor } : {} }, ResultSchema, ro);
    items.push(...(r[key] ?? []));
    if (!r.nextCursor) return items;
    cursor = r.nextCursor;
  }
  throw new Error(`${method}: more than 1000 pages`);
}

let code = 0;
try {
  await client.connect(tap, ro);
  const caps = client.getServerCapabilities() ?? {};
  out.requestedProtocolVersion = opt.version ?? LATEST_PROTOCOL_VERSION;
  out.protocolVersion = tap.initResult?.protocolVersion;
  out.serverInfo = client.getServerVersion();
  out.capabilities = caps;
  out.instructions = client.getInstructions?.();
  if (opt.list) {
    if (caps.tools) {
      await client.listTools(undefined, ro);
      out.tools = await all('tools/list', 'tools');
    }
    if (caps.resources) {
      await client.listResources(undefined, ro);
      out.resources = await all('resources/list', 'resources');
      await client.listResourceTemplates(undefined, ro);
      out.resourceTemplates = await all('resources/templates/list', 'resourceTemplates');
    }
    if (caps.prompts) {
      await client.listPrompts(undefined, ro);
      out.prompts = await all('prompts/list', 'prompts');
    }
  }
  if (opt.read) out.read = await client.readResource({ uri: opt.read }, ro);
  if (opt.request) {
    out.request = { method: opt.request, result: await client.request({ method: opt.request, params: requestParams }, ResultSchema, ro) };
  }
  if (opt.call) {
    const r = await client.callTool({ name: opt.call, arguments: callArgs }, undefined, ro);
    out.call = { name: opt.call, result: r };
    if (r.isError) code = 3;
  }
} catch (e) {
  out.error = { message: e?.message ?? String(e), code: e?.code, data: e?.data };
  code = 2;
} finally {
  try { await client.close(); } catch { /* already closed */ }
}
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
process.exit(code);
