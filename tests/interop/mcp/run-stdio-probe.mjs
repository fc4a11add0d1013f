#!/usr/bin/env node
// `ipfs-kit mcp serve --stdio` driven by the official SDK client (mcp-probe.mjs):
// initialize and every list; a tool call and a resource read; version
// negotiation down to 2025-03-26 and up from an unknown version.
//   usage: node run-stdio-probe.mjs --bin PATH/TO/ipfs-kit     (CTest: interop.mcp_stdio_probe)
// Uses a temporary IPFS_KIT_PATH; prints one line per check; exit 1 on any failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const binIndex = process.argv.indexOf('--bin');
if (binIndex < 0 || !process.argv[binIndex + 1]) {
  console.error('usage: run-stdio-probe.mjs --bin PATH/TO/ipfs-kit');
  process.exit(2);
}
const bin = process.argv[binIndex + 1];
const repo = mkdtempSync(join(tmpdir(), 'ipfs-kit-mcp-stdio.'));
const server = `'${bin}' mcp serve --stdio --conformance-fixtures`;

let pass = 0, failures = 0;
const check = (what, ok, detail = '') => {
  if (ok) pass++; else failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} - ${what}${ok || !detail ? '' : `: ${detail}`}`);
};

function probe(...args) {
  const r = spawnSync(process.execPath, [join(here, 'mcp-probe.mjs'), '--stdio', server, '--timeout', '60000', ...args], {
    env: { ...process.env, IPFS_KIT_PATH: repo },
    encoding: 'utf8',
    timeout: 180000,
  });
  let doc = {};
  try { doc = JSON.parse(r.stdout); } catch { doc = { unparsable: r.stdout }; }
  return { status: r.status, doc, stderr: r.stderr };
}

try {
  const full = probe();
  check('initialize + lists: probe exit 0', full.status === 0, JSON.stringify(full.doc.error ?? full.stderr).slice(0, 400));
  check('negotiated 2025-11-25', full.doc.protocolVersion === '2025-11-25', full.doc.protocolVersion);
  check('serverInfo.name is ipfs-kit', full.doc.serverInfo?.name === 'ipfs-kit', JSON.stringify(full.doc.serverInfo));
  for (const cap of ['tools', 'resources', 'prompts', 'logging', 'completions']) {
    check(`capability ${cap} advertised`, full.doc.capabilities?.[cap] !== undefined);
  }
  const tools = (full.doc.tools ?? []).map((t) => t.name);
  check('tools/list has the fixtures', tools.includes('test_simple_text') && tools.includes('json_schema_2020_12_tool'), tools.join(','));
  check('resources/list', (full.doc.resources ?? []).some((r) => r.uri === 'test://static-text'));
  check('resources/templates/list', (full.doc.resourceTemplates ?? []).some((t) => t.uriTemplate === 'test://template/{id}/data'));
  check('prompts/list', (full.doc.prompts ?? []).some((p) => p.name === 'test_prompt_with_arguments'));

  const call = probe('--no-list', '--call', 'test_simple_text');
  check('tools/call over stdio', call.status === 0 && call.doc.call?.result?.content?.[0]?.text === 'This is a simple text response for testing.',
    JSON.stringify(call.doc).slice(0, 400));
  const failing = probe('--no-list', '--call', 'test_error_handling');
  check('a failing tool is an isError result (probe exit 3)', failing.status === 3, `exit ${failing.status}`);
  const unknown = probe('--no-list', '--call', 'no_such_tool');
  check('an unknown tool is a JSON-RPC error (probe exit 2)', unknown.status === 2 && /no_such_tool/.test(unknown.doc.error?.message ?? ''),
    JSON.stringify(unknown.doc.error));
  const read = probe('--no-list', '--read', 'test://template/42/data');
  check('resources/read through a template', read.status === 0 && /42/.test(read.doc.read?.contents?.[0]?.text ?? ''), JSON.stringify(read.doc).slice(0, 400));

  for (const version of ['2025-03-26', '2025-06-18']) {
    const old = probe('--protocol-version', version);
    check(`version negotiation: asked ${version}, got it, lists work`, old.status === 0 && old.doc.protocolVersion === version && (old.doc.tools ?? []).length > 0,
      `exit ${old.status} ${old.doc.protocolVersion} ${JSON.stringify(old.doc.error ?? '')}`);
  }
  // An unknown version gets the latest; the SDK accepts it because it knows it.
  const future = probe('--no-list', '--protocol-version', '2099-01-01');
  check('unknown version answered with the latest', future.status === 0 && future.doc.protocolVersion === '2025-11-25',
    `exit ${future.status} ${future.doc.protocolVersion}`);
} finally {
  rmSync(repo, { recursive: true, force: true });
}
console.log(`mcp stdio probe: ${pass} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
