#!/usr/bin/env node
// Drives the ipfs-kit dashboard in Debian's headless Chromium (playwright-core) against a
// running `ipfs-kit mcp serve --http` whose repository has a running daemon:
//   1. the page loads with no console errors and no page errors;
//   2. it shows the daemon's real backends (names from `ipfs-kit backend list --json`)
//      and its pins;
//   3. a pin added while the page is open (`ipfs-kit add`) appears, and reaches "pinned";
//   4. after `ipfs-kit daemon stop` the page says "daemon unavailable" and still shows
//      the backends, from the routing index;
//   5. the VFS browser walks a bucket made with the CLI and previews a file;
//   6. screenshots are saved (daemon running: NAME-running.png; stopped: NAME.png).
//   node dashboard.mjs --url http://127.0.0.1:PORT/ --cli /abs/ipfs-kit --screenshot out.png
// IPFS_KIT_PATH comes from the environment. Exit 0 when every check held.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
  if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
  return acc;
}, []));
for (const k of ['url', 'cli', 'screenshot']) {
  if (!args[k]) { console.error(`dashboard.mjs: --${k} is required`); process.exit(1); }
}
const cli = (...a) => execFileSync(args.cli, a, { encoding: 'utf8', env: process.env });

let failures = 0;
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const consoleErrors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));
  const wait = { timeout: 60000 };

  const url = new URL(args.url);
  url.searchParams.set('refresh', '300');
  const resp = await page.goto(url.toString());
  check(resp && resp.status() === 200, `GET ${args.url} answers 200`);

  // 2. the daemon's real backends
  const backends = JSON.parse(cli('backend', 'list', '--json')).backends.map((b) => b.name);
  check(backends.length >= 2, `the daemon has ${backends.length} backends: ${backends.join(', ')}`);
  await page.waitForSelector('#daemon-state.ok', wait);
  check(true, 'the page says the daemon is running');
  for (const name of backends) {
    const rowSel = `#backends tr[data-backend="${name}"]`;
    await page.waitForSelector(rowSel, wait);
    const state = await page.getAttribute(rowSel, 'data-state');
    check(state === 'healthy', `backend ${name} is shown, state ${state}`);
  }

  // 3. a pin added now appears and reaches pinned
  const dir = mkdtempSync(join(tmpdir(), 'ipfs-kit-dash-'));
  writeFileSync(join(dir, 'note.txt'), `dashboard test ${Date.now()}\n`);
  const cid = cli('add', '-Q', '--cid-version=1', join(dir, 'note.txt')).trim();
  rmSync(dir, { recursive: true });
  await page.waitForSelector(`#pins tr[data-cid="${cid}"]`, wait);
  check(true, `the new pin ${cid} appears`);
  await page.waitForSelector(`#pins tr[data-cid="${cid}"][data-status="pinned"]`, wait);
  check(true, `the new pin reaches pinned on the page`);
  const pinnedCount = await page.textContent('#pin-counts .count[data-label="pinned"] b');
  check(Number(pinnedCount) >= 1, `the pinned count shows ${pinnedCount}`);

  // the VFS bucket browser: a bucket made with the CLI, walked by clicking
  cli('vfs', 'bucket', 'create', 'photos');
  cli('vfs', 'mkdir', 'photos', '/albums/2026', '-p');
  execFileSync(args.cli, ['vfs', 'write', 'photos', '/albums/2026/caption.txt'],
               { input: 'a dashboard caption\n', env: process.env });
  cli('vfs', 'commit', 'photos', '-m', 'first');
  await page.click('#vfs-buckets tr[data-bucket="photos"] a', wait);
  await page.click('#vfs-entries a:text-is("albums")', wait);
  await page.click('#vfs-entries a:text-is("2026")', wait);
  await page.click('#vfs-entries a:text-is("caption.txt")', wait);
  await page.waitForSelector('#vfs-preview:has-text("a dashboard caption")', wait);
  check(true, 'the VFS browser walks photos:/albums/2026 and previews caption.txt');
  check(consoleErrors.length === 0, `no console errors while the daemon runs (${consoleErrors.join(' | ')})`);

  const running = args.screenshot.replace(/\.png$/, '') + '-running.png';
  await page.screenshot({ path: running, fullPage: true });
  check(true, `screenshot with the daemon running saved to ${running}`);

  // 4. daemon stopped
  cli('daemon', 'stop');
  await page.waitForSelector('#banner:has-text("daemon unavailable")', wait);
  check(true, 'the page says "daemon unavailable"');
  await page.waitForSelector('#daemon-state.bad', wait);
  for (const name of backends) {
    // The header row is always there: look for this backend's data row.
    const shown = await page.$(`#routing tbody tr[data-backend="${name}"]`);
    check(shown !== null, `routing stats for ${name} are still shown`);
    const fromIndex = await page.$(`#backends tr[data-backend="${name}"]`);
    check(fromIndex !== null, `backend ${name} is still shown, from the routing index`);
  }
  const source = await page.textContent('#backends-source');
  check(source.includes('index'), `the backends table says where it comes from: ${source}`);

  // 5. screenshot
  await page.screenshot({ path: args.screenshot, fullPage: true });
  check(true, `screenshot saved to ${args.screenshot}`);
  check(consoleErrors.length === 0, `no console errors at all (${consoleErrors.join(' | ')})`);
} catch (e) {
  check(false, `dashboard test: ${e.message}`);
} finally {
  await browser.close();  // playwright made and removes the profile directory
}
console.log(`dashboard: ${failures === 0 ? 'all checks passed' : failures + ' failed'}`);
process.exit(failures === 0 ? 0 : 1);
