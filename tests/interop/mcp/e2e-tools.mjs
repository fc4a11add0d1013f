#!/usr/bin/env node
// End-to-end: calls every tool `ipfs-kit mcp serve` lists, through the official MCP SDK
// client, over Streamable HTTP or stdio, against a running daemon with real backends, and
// checks what comes back:
//   - bytes added (text, base64, a local directory) come back from ipfs_cat / ipfs_get /
//     ipfs_ls / resources/read ipfs://...;
//   - a pin reaches "pinned" (pin_add wait, pin_status, pin_ls) and is removed (pin_rm);
//   - backends, health, routing and daemon status name the daemon's real backends;
//   - CAR export → import gives the same root;
//   - VFS: mkdir, write, read, ls, stat, mv, cp, rm, commit → a CID that ipfs_cat reads,
//     history, export, pin;
//   - an unknown tool is a JSON-RPC error; a failing call is an isError result.
// A tool the server lists that this script never called is a failure, so a new tool
// cannot go untested.
//   node e2e-tools.mjs (--http URL | --stdio "CMD") --backends local,archive
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const httpUrl = opt('--http');
const stdioCmd = opt('--stdio');
const wantBackends = (opt('--backends') || 'local').split(',');
if (!httpUrl === !stdioCmd) { console.error('give --http URL or --stdio CMD'); process.exit(1); }

let failures = 0;
const check = (ok, what) => { console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`); if (!ok) failures++; };
const called = new Set();
const transport = httpUrl
  ? new StreamableHTTPClientTransport(new URL(httpUrl))
  : new StdioClientTransport({ command: '/bin/sh', args: ['-c', `exec ${stdioCmd}`], env: process.env, stderr: 'inherit' });
const client = new Client({ name: 'ipfs-kit-e2e', version: '1.0.0' }, { capabilities: {} });
const ro = { timeout: 120000 };

async function call(name, args = {}, { expectError = false, onprogress } = {}) {
  called.add(name);
  const r = await client.callTool({ name, arguments: args }, undefined, { ...ro, ...(onprogress ? { onprogress } : {}) });
  if (!expectError && r.isError) {
    throw new Error(`${name} failed: ${r.content?.map((c) => c.text).join(' ')}`);
  }
  return r;
}
const sc = (r) => r.structuredContent;
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

const work = mkdtempSync(join(tmpdir(), 'ipfs-kit-e2e-'));
try {
  await client.connect(transport, ro);
  const logged = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => logged.push(n.params));
  await client.setLoggingLevel('info', ro);
  const tools = (await client.listTools(undefined, ro)).tools.map((t) => t.name);
  check(tools.length > 0, `tools/list: ${tools.length} tools`);
  for (const t of ['ipfs_add', 'ipfs_cat', 'ipfs_get', 'ipfs_ls', 'ipfs_stat', 'pin_add', 'pin_rm',
                   'pin_ls', 'pin_status', 'backend_list', 'backend_health', 'route_lookup',
                   'route_suggest', 'route_stats', 'daemon_status', 'car_export', 'car_import']) {
    check(tools.includes(t), `tool ${t} is listed`);
  }

  // --- content ---------------------------------------------------------------------
  const text = `hello from the e2e test ${Date.now()} ✓\n`;
  let progress = 0;
  const added = sc(await call('ipfs_add', { text, name: 'e2e-text' }, { onprogress: () => { progress++; } }));
  check(typeof added.cid === 'string' && added.cid.startsWith('b'), `ipfs_add text → ${added.cid}`);
  check(added.pin_state === 'queued', `ipfs_add submitted the pin to the daemon (${added.pin_state})`);
  check(logged.some((l) => l.level === 'info' && l.data?.event === 'added' && l.data?.cid === added.cid),
        `ipfs_add sent a log message (${JSON.stringify(logged[0] ?? null)})`);
  const cat = sc(await call('ipfs_cat', { path: added.cid }));
  check(cat.text === text && cat.encoding === 'text', 'ipfs_cat gives the added text back');
  const part = sc(await call('ipfs_cat', { path: added.cid, offset: 6, length: 4 }));
  check(part.text === text.slice(6, 10), 'ipfs_cat offset/length');

  const bin = randomBytes(300 * 1024 + 17);
  const addedBin = sc(await call('ipfs_add', { base64: bin.toString('base64') }, { onprogress: () => { progress++; } }));
  const catBin = sc(await call('ipfs_cat', { path: addedBin.cid, encoding: 'base64' }));
  check(Buffer.from(catBin.base64, 'base64').equals(bin), `ipfs_add base64 (${bin.length} bytes, 2 chunks) round-trips through ipfs_cat`);
  check(progress > 0, `progress notifications arrived during ipfs_add (${progress})`);

  const tree = join(work, 'tree');
  mkdirSync(join(tree, 'sub'), { recursive: true });
  writeFileSync(join(tree, 'a.txt'), 'file a\n');
  writeFileSync(join(tree, 'sub', 'b.bin'), randomBytes(5000));
  const addedDir = sc(await call('ipfs_add', { path: tree }));
  const ls = sc(await call('ipfs_ls', { path: addedDir.cid }));
  check(JSON.stringify(ls.entries.map((e) => e.name)) === '["a.txt","sub"]', `ipfs_ls lists a.txt and sub`);
  const st = sc(await call('ipfs_stat', { path: `${addedDir.cid}/sub/b.bin` }));
  // One chunk with raw leaves is a raw block (as Kubo's add --cid-version=1 makes it).
  check((st.type === 'file' || st.type === 'raw') && st.size === 5000, `ipfs_stat of a path inside: ${st.type}, ${st.size} bytes`);
  const out = join(work, 'got');
  sc(await call('ipfs_get', { path: addedDir.cid, output: out }));
  check(readFileSync(join(out, 'sub', 'b.bin')).equals(readFileSync(join(tree, 'sub', 'b.bin'))), 'ipfs_get writes the same bytes');

  const read = await client.readResource({ uri: `ipfs://${added.cid}` }, ro);
  check(read.contents[0]?.text === text, 'resources/read ipfs://CID gives the text');

  const carPath = join(work, 'dir.car');
  const exp = sc(await call('car_export', { path: addedDir.cid, output: carPath }));
  check(existsSync(carPath) && exp.root === addedDir.cid, `car_export wrote ${exp.bytes} bytes`);
  const imp = sc(await call('car_import', { path: carPath }));
  check(imp.roots[0].cid === addedDir.cid && imp.blocks >= 4, `car_import: root ${imp.roots[0].cid}, ${imp.blocks} blocks`);

  // --- pins ------------------------------------------------------------------------
  const pin = sc(await call('pin_add', { cid: addedBin.cid, name: 'e2e-pin', wait: true, timeout_s: 90 }));
  check(pin.status === 'pinned', `pin_add wait → ${pin.status}`);
  const ps = sc(await call('pin_status', { id: pin.requestid }));
  check(ps.status === 'pinned' && ps.requestid === pin.requestid, 'pin_status by request id: pinned');
  const psc = sc(await call('pin_status', { id: addedBin.cid }));
  check(psc.results.some((r) => r.requestid === pin.requestid), 'pin_status by CID lists the request');
  const pl = sc(await call('pin_ls', { status: 'pinned', limit: 100 }));
  check(pl.results.some((r) => r.requestid === pin.requestid), `pin_ls status=pinned includes it (${pl.count} pinned)`);
  const rm = sc(await call('pin_rm', { id: pin.requestid }));
  check(rm.removed.includes(pin.requestid), 'pin_rm removes it');

  // --- backends, routing, daemon --------------------------------------------------------
  const bl = sc(await call('backend_list'));
  const names = bl.backends.map((b) => b.name);
  check(wantBackends.every((b) => names.includes(b)), `backend_list: ${names.join(', ')}`);
  const bh = sc(await call('backend_health'));
  check(bh.backends.every((b) => b.state === 'healthy'), `backend_health: ${bh.backends.map((b) => b.name + '=' + b.state).join(', ')}`);
  const ds = sc(await call('daemon_status'));
  check(ds.available === true, `daemon_status: available at ${ds.api}`);
  let lookup;
  for (let i = 0; i < 120; i++) {  // the index is published shortly after the pin settles
    lookup = sc(await call('route_lookup', { cid: added.cid }));
    if (lookup.locations.length > 0) break;
    await sleep(500);
  }
  check(lookup.locations.length > 0 && lookup.locations.every((l) => names.includes(l.backend)),
        `route_lookup: ${lookup.locations.map((l) => l.backend).join(', ')}`);
  const sg = sc(await call('route_suggest', { size: 1000, n: 2 }));
  check(sg.backends.length >= 1 && names.includes(sg.backends[0].name), `route_suggest: ${sg.backends.map((b) => b.name).join(', ')}`);
  // Per-backend counts in the index follow the health monitor's probes, so they may still be
  // 0 in the generation that first holds the location: check the backends and generation.
  const rs = sc(await call('route_stats'));
  check(rs.generation >= lookup.generation && names.every((n) => rs.backends.some((b) => b.name === n)),
        `route_stats: generation ${rs.generation}, backends ${rs.backends.map((b) => b.name).join(', ')}`);

  // --- failures ----------------------------------------------------------------------------
  const bad = await call('ipfs_cat', { path: 'not-a-cid' }, { expectError: true });
  check(bad.isError === true && /CID/i.test(bad.content[0].text), `a failing call is an isError result: ${bad.content[0].text}`);
  try {
    await client.callTool({ name: 'no_such_tool', arguments: {} }, undefined, ro);
    check(false, 'an unknown tool is a JSON-RPC error');
  } catch (e) {
    check(/no_such_tool|unknown|not found/i.test(e.message), `an unknown tool is a JSON-RPC error: ${e.message}`);
  }

  // --- VFS -----------------------------------------------------------------------------------
  check(tools.includes('vfs_write'), 'the vfs_* tools are listed');
  await vfsChecks(tools, { cid: added.cid, text });

  const untested = tools.filter((t) => !called.has(t));
  check(untested.length === 0, `every listed tool was called (not called: ${untested.join(', ') || 'none'})`);
} catch (e) {
  check(false, `e2e: ${e.message}`);
} finally {
  try { await client.close(); } catch { /* ignore */ }
  rmSync(work, { recursive: true, force: true });
}
console.log(`e2e (${httpUrl ? 'http' : 'stdio'}): ${failures === 0 ? 'all checks passed' : failures + ' failed'}`);
process.exit(failures === 0 ? 0 : 1);

// VFS: every vfs_* tool, a commit read back through ipfs_cat, a copy from /ipfs/CID.
async function vfsChecks(tools, fromIpfs) {
  const bucket = `e2e-${httpUrl ? 'http' : 'stdio'}-${Date.now()}`;
  await call('vfs_buckets', { action: 'create', bucket });
  const listed = sc(await call('vfs_buckets', { action: 'list' }));
  check(JSON.stringify(listed).includes(bucket), 'vfs_buckets create + list');
  await call('vfs_mkdir', { bucket, path: '/docs/deep', parents: true });
  await call('vfs_write', { bucket, path: '/docs/hello.txt', text: 'hello vfs\n' });
  await call('vfs_write', { bucket, path: '/docs/data.bin', base64: Buffer.from([0, 1, 2, 255]).toString('base64') });
  const r = sc(await call('vfs_read', { bucket, path: '/docs/hello.txt' }));
  check(r.text === 'hello vfs\n', 'vfs_read gives the written text');
  const l = sc(await call('vfs_ls', { bucket, path: '/docs' }));
  check(l.entries.map((e) => e.name).sort().join() === 'data.bin,deep,hello.txt', `vfs_ls /docs: ${l.entries.map((e) => e.name).join(', ')}`);
  const s = sc(await call('vfs_stat', { bucket, path: '/docs/data.bin' }));
  check(s.size === 4 && s.type === 'file', `vfs_stat: ${s.type}, ${s.size} bytes`);
  await call('vfs_mv', { bucket, from: '/docs/data.bin', to: '/data.bin' });
  await call('vfs_cp', { bucket, from: '/docs/hello.txt', to: '/hello-copy.txt' });
  await call('vfs_cp', { bucket, from: `/ipfs/${fromIpfs.cid}`, to: '/from-ipfs.txt' });
  await call('vfs_rm', { bucket, path: '/docs/deep', recursive: true });
  const c = sc(await call('vfs_commit', { bucket, message: 'e2e' }));
  check(typeof c.commit?.cid === 'string', `vfs_commit → ${c.commit?.cid}`);
  const viaIpfs = sc(await call('ipfs_cat', { path: `${c.commit.cid}/hello-copy.txt` }));
  check(viaIpfs.text === 'hello vfs\n', 'ipfs_cat reads a file of the committed VFS root');
  const copied = sc(await call('ipfs_cat', { path: `${c.commit.cid}/from-ipfs.txt` }));
  check(copied.text === fromIpfs.text, 'vfs_cp from /ipfs/CID copied the content');
  const ls = sc(await call('ipfs_ls', { path: c.commit.cid }));
  check(ls.entries.map((e) => e.name).join() === 'data.bin,docs,from-ipfs.txt,hello-copy.txt', `ipfs_ls of the commit: ${ls.entries.map((e) => e.name).join(', ')}`);
  const h = sc(await call('vfs_history', { bucket }));
  check(h.commits[0]?.cid === c.commit.cid, 'vfs_history starts with the commit');
  const carOut = join(work, `${bucket}.car`);
  const ex = sc(await call('vfs_export', { bucket, output_path: carOut }));
  check(existsSync(carOut) && ex.root === c.commit.cid, 'vfs_export wrote a CAR of the commit');
  const p = sc(await call('vfs_pin', { bucket }));
  check(JSON.stringify(p).includes(c.commit.cid), `vfs_pin submitted the commit: ${JSON.stringify(p).slice(0, 160)}`);
  const res = await client.readResource({ uri: `vfs://${bucket}/hello-copy.txt` }, ro);
  check(res.contents[0]?.text === 'hello vfs\n', 'resources/read vfs://bucket/path');
  await call('vfs_buckets', { action: 'delete', bucket });
}
