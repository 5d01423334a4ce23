// The updater page in a real browser (Debian's chromium through WebDriver BiDi), served by
// `bleota web`, updating the simulated device (`bleota sim run --udp`) through an emulated
// Bluetooth peripheral bridged to it (support/smp_peripheral_bridge.js). Driven like a user:
// clicks through input.performActions, the file chosen through input.setFiles. Run through
// run.js (CTest web_browser_tests), which skips when chromium or chromedriver is missing.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SmpClient } from '../src/client.js';
import { parseImage } from '../src/mcuboot_image.js';
import { requests, SmpError } from '../src/smp.js';
import { toHex } from '../test-support/hex.js';
import {
  BLEOTA_BIN, makeSignedImages, spawnLogged, startSimDevice, stopProcess,
} from '../test-support/sim_device.js';
import { openUdpTransport } from '../test-support/udp_transport.js';
import { buildPage } from '../build.js';
import { BidiSession } from './support/bidi_session.js';
import { NOTIFY_BY_READ_PRELOAD, SmpPeripheralBridge } from './support/smp_peripheral_bridge.js';
import { serveDirectory } from './support/static_server.js';

// Where the screenshots go (CTest: screenshots/ in the build directory).
const SHOT_DIR = process.env.BLEOTA_WEB_SCREENSHOTS ?? join(tmpdir(), 'bleota-web-screenshots');
const PHONE = { width: 390, height: 844 };

// Two images signed with the sim's key: 1.0.0 (provisioned) and 2.0.0 with a 64 KiB payload, and
// a copy of 2.0.0 with one payload byte flipped.
function makeImages(dir) {
  makeSignedImages(dir, 'update-2.0.0.img');
  const tampered = readFileSync(join(dir, 'update-2.0.0.img'));
  tampered[0x200 + 1000] ^= 0x01;
  writeFileSync(join(dir, 'tampered-2.0.0.img'), tampered);
}

async function startWebServer(dir) {
  const proc = spawnLogged(['web', '--port', '0'], dir);
  for (let i = 0; i < 200; i++) {
    const match = /serving the updater at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(proc.log());
    if (match) return { ...proc, url: match[1] };
    if (proc.child.exitCode !== null) break;
    await sleep(50);
  }
  await stopProcess(proc);
  throw new Error(`bleota web did not print its URL:\n${proc.log()}`);
}

// The device's image list over its own UDP port, apart from the page.
async function deviceImages(port) {
  const transport = await openUdpTransport('127.0.0.1', port);
  try {
    const client = new SmpClient(transport, { timeoutMs: 1000, retries: 1 });
    return (await client.call(requests.imageState(), 'image list')).images;
  } finally {
    await transport.close();
  }
}

// After a reset the device boots (and installs) before it serves again: wait like a user would.
async function waitForDeviceBack(port) {
  const transport = await openUdpTransport('127.0.0.1', port);
  try {
    const client = new SmpClient(transport, { timeoutMs: 300, retries: 0 });
    for (let i = 0; i < 100; i++) {
      try {
        await client.call(requests.echo('back?'), 'echo');
        return;
      } catch (e) {
        if (!(e instanceof SmpError)) throw e;
        await sleep(100);
      }
    }
  } finally {
    await transport.close();
  }
  throw new Error('the device did not come back after the reset');
}

// The page as a user sees it, read through script.evaluate.
const READ_PAGE = `JSON.stringify((() => {
  const text = (id) => document.getElementById(id).textContent.trim();
  const rows = [...document.querySelectorAll('#images-body tr')]
    .filter((tr) => tr.cells.length === 5)
    .map((tr) => ({ slot: tr.cells[1].textContent, version: tr.cells[2].textContent,
      hash: tr.cells[3].textContent, flags: tr.cells[4].textContent,
      selected: tr.cells[0].querySelector('input').checked }));
  const dts = [...document.querySelectorAll('#file-info dt')];
  const file = Object.fromEntries(dts.map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
  const disabled = Object.fromEntries(['connect', 'refresh', 'test', 'confirm', 'reset', 'upload']
    .map((id) => [id, document.getElementById(id).disabled]));
  const progress = document.getElementById('progress');
  return { device: text('device-name'), status: text('status'), error: text('error'), rows, file,
    disabled, progress: { value: progress.value, max: progress.max, text: text('progress-text') },
    bluetooth: Boolean(navigator.bluetooth) };
})())`;

class Page {
  // diagnostics(): text added to a failure (what the device, bridge and driver said).
  constructor(session, context, diagnostics = () => '') {
    this.session = session;
    this.context = context;
    this.diagnostics = diagnostics;
  }

  async evaluate(expression) {
    const r = await this.session.send('script.evaluate', { expression, awaitPromise: true,
      target: { context: this.context } });
    if (r.type === 'exception') throw new Error(`page: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result;
  }

  async read() {
    return JSON.parse((await this.evaluate(READ_PAGE)).value);
  }

  // Polls the page until check(state) is true; fails with the last state seen.
  async waitUntil(what, check, timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    let state;
    for (;;) {
      state = await this.read();
      if (check(state)) return state;
      if (Date.now() > deadline) {
        throw new Error(`page: ${what} not seen within ${timeoutMs} ms; last state:\n` +
          JSON.stringify(state, null, 1) + '\n' + this.diagnostics());
      }
      await sleep(50);
    }
  }

  // A real mouse click in the middle of the element (a user gesture, as requestDevice needs).
  async click(id) {
    const r = await this.evaluate(`JSON.stringify((() => {
      const e = document.getElementById(${JSON.stringify(id)});
      e.scrollIntoView({ block: 'center' });
      const b = e.getBoundingClientRect();
      return [Math.round(b.x + b.width / 2), Math.round(b.y + b.height / 2)];
    })())`);
    const [x, y] = JSON.parse(r.value);
    await this.session.send('input.performActions', { context: this.context, actions: [{
      type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' },
      actions: [{ type: 'pointerMove', x, y }, { type: 'pointerDown', button: 0 },
        { type: 'pointerUp', button: 0 }] }] });
    await this.session.send('input.releaseActions', { context: this.context });
  }

  async chooseFile(path) {
    const input = await this.evaluate("document.getElementById('file')");
    await this.session.send('input.setFiles', { context: this.context,
      element: { sharedId: input.sharedId }, files: [path] });
  }

  async screenshot(dir, name) {
    const { data } = await this.session.send('browsingContext.captureScreenshot',
      { context: this.context, origin: 'document' });
    const path = join(dir, `${name}.png`);
    writeFileSync(path, Buffer.from(data, 'base64'));
    return path;
  }
}

const hashShort = (sha256) => sha256.slice(0, 8);

// The whole update through the page. servePage(dir) starts the server of the page and resolves
// with { url, log(), close() }; shots: where screenshots go, or null for none.
async function updateThroughPage(t, servePage, shots) {
  assert.ok(BLEOTA_BIN, 'BLEOTA_BIN must name the built bleota (CTest sets it)');
  const dir = mkdtempSync(join(tmpdir(), 'bleota-browser-'));
  if (shots) mkdirSync(shots, { recursive: true });
  const screenshot = (page, name) => (shots ? page.screenshot(shots, name) : null);
  const cleanup = [];
  t.after(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  makeImages(dir);
  const v1 = await parseImage(new Uint8Array(readFileSync(join(dir, 'v1.img'))));
  const v2 = await parseImage(new Uint8Array(readFileSync(join(dir, 'update-2.0.0.img'))));
  const device = await startSimDevice(dir);
  cleanup.push(() => stopProcess(device));
  const web = await servePage(dir);
  cleanup.push(() => web.close());
  const session = await BidiSession.start({ windowSize: PHONE });
  cleanup.push(() => session.close());
  if (process.env.BLEOTA_BIDI_TRACE) {
    session.on('*', (method, params) => console.error('event <', method,
      JSON.stringify(params).slice(0, 200)));
  }

  const { contexts } = await session.send('browsingContext.getTree', {});
  const context = contexts[0].context;
  await session.send('browsingContext.setViewport', { context, viewport: PHONE });
  await session.send('session.subscribe', { events: ['bluetooth'] });
  await session.send('script.addPreloadScript', { functionDeclaration: NOTIFY_BY_READ_PRELOAD });
  await session.send('browsingContext.navigate', { context, url: web.url, wait: 'complete' });
  const bridge = new SmpPeripheralBridge(session, { context, udpPort: device.port });
  await bridge.start();
  cleanup.push(async () => bridge.close());
  // On failure: what the device, the server, the bridge and the driver said.
  const diagnostics = () => `bridge errors: ${JSON.stringify(bridge.errors)}\n` +
    `device:\n${device.log().slice(-3000)}\nweb:\n${web.log().slice(-1000)}\n` +
    `driver:\n${session.logText().slice(-2000)}`;
  const page = new Page(session, context, diagnostics);

  await t.test('connect lists the provisioned image', async () => {
    const start = await page.read();
    assert.equal(start.bluetooth, true, 'navigator.bluetooth exists');
    assert.equal(start.disabled.upload, true);
    await page.click('connect');
    const state = await page.waitUntil('the images table',
      (s) => s.rows.length === 1 && /^Connected/.test(s.status), 15000);
    assert.match(state.device, /^Connected to /);
    assert.deepEqual(state.rows, [{ slot: '0', version: '1.0.0', hash: hashShort(v1.sha256),
      flags: 'active, confirmed', selected: false }]);
    assert.equal(state.error, '');
    assert.equal(bridge.connections, 1);
    await screenshot(page, '1-connected');
  });

  await t.test('a tampered image is refused by the page and nothing is uploaded', async () => {
    await page.chooseFile(join(dir, 'tampered-2.0.0.img'));
    const state = await page.waitUntil('the refusal', (s) => s.error !== '');
    assert.match(state.error, /SHA-256 does not match its SHA256 TLV: the file is damaged or tampered with/);
    assert.equal(state.file['SHA-256'], 'DOES NOT MATCH');
    assert.equal(state.file.Version, '2.0.0');
    assert.equal(state.disabled.upload, true, 'Upload stays disabled');
    await screenshot(page, '2-tampered-refused');
    assert.equal(bridge.countRequests(1, 1), 0, 'no image upload request reached the device');
    assert.equal((await deviceImages(device.port)).length, 1);
  });

  await t.test('the signed 64 KiB image: upload cut by a link drop, reconnect, resumed to 100%',
    async (st) => {
      await page.chooseFile(join(dir, 'update-2.0.0.img'));
      let state = await page.waitUntil('the file summary', (s) => s.file.Version === '2.0.0' &&
        !s.disabled.upload);
      assert.equal(state.error, '', 'the refusal of the tampered file is gone');
      assert.equal(state.file.Signature, 'ECDSA_P256');
      assert.match(state.file['SHA-256'], new RegExp(`^matches \\(${v2.sha256.slice(0, 16)}`));
      assert.match(state.file.Size, /^64\.\d KiB \(payload 64\.0 KiB\)$/);
      // About a third of the image reaches the device, then the link drops.
      bridge.dropLinkAfterUploads(12);
      await page.click('upload');
      state = await page.waitUntil('upload progress', (s) => s.progress.value > 0);
      if (state.progress.value < state.progress.max) await screenshot(page, '3-uploading');
      state = await page.waitUntil('the link drop', (s) => /\(disconnected\)$/.test(s.device));
      assert.match(state.error, /bleota-sim disconnected\. Connect again; an interrupted upload resumes/);
      assert.ok(state.progress.value < v2.fileSize, `cut at ${state.progress.value}`);
      const cutBytes = bridge.requestBytes(1, 1);

      await page.click('connect'); // the same device again, without the chooser
      state = await page.waitUntil('the reconnect', (s) => /^Connected/.test(s.status) &&
        !s.disabled.upload);
      assert.equal(bridge.connections, 2);
      await page.click('upload');
      state = await page.waitUntil('the upload to finish',
        (s) => /^Uploaded 2\.0\.0 in/.test(s.status), 30000);
      assert.equal(state.progress.value, v2.fileSize);
      assert.equal(state.progress.max, v2.fileSize);
      assert.match(state.progress.text, /\(100%\)/);
      assert.equal(state.error, '');
      assert.equal(state.rows.length, 2);
      assert.deepEqual(state.rows[1], { slot: '1', version: '2.0.0', hash: hashShort(v2.sha256),
        flags: 'none', selected: true });
      // Resumed: the second upload sent only what the device lacked (a restart from 0 would send
      // more than the whole file again; ~23 KiB reached the device before the drop, of which it
      // had written ~15 KiB when the page asked again).
      const resumedBytes = bridge.requestBytes(1, 1) - cutBytes;
      assert.ok(resumedBytes < v2.fileSize - 4 * 1024, `${resumedBytes} bytes sent after the reconnect`);
      st.diagnostic(`cut after ${cutBytes} request bytes; ${resumedBytes} sent after the reconnect`);
      await screenshot(page, '4-uploaded');
    });

  await t.test('test, reset, reconnect: the new image runs in test mode', async () => {
    await page.click('slot-1');
    await page.click('test');
    let state = await page.waitUntil('slot 1 pending', (s) => /^Marked for a test boot/.test(s.status));
    assert.equal(state.rows[1].flags, 'pending');
    await page.click('reset');
    // The bridge drops the link after the reset's reply, as a real device does.
    state = await page.waitUntil('the disconnect', (s) => /\(disconnected\)$/.test(s.device));
    assert.equal(state.disabled.connect, false);
    await waitForDeviceBack(device.port);
    await page.click('connect');
    state = await page.waitUntil('the images after the reset',
      (s) => /^Connected/.test(s.status) && s.rows.length === 2, 15000);
    assert.equal(bridge.connections, 3);
    assert.deepEqual(state.rows.map((r) => [r.slot, r.version, r.hash, r.flags]), [
      ['0', '2.0.0', hashShort(v2.sha256), 'active'],
      ['1', '1.0.0', hashShort(v1.sha256), 'confirmed'],
    ]);
  });

  await t.test('confirm keeps the new image', async () => {
    await page.click('slot-0');
    await page.click('confirm');
    const state = await page.waitUntil('the confirm', (s) => s.status === 'Image confirmed.');
    assert.equal(state.rows[0].flags, 'active, confirmed');
    await screenshot(page, '5-confirmed');
    const images = await deviceImages(device.port);
    const running = images.find((i) => i.slot === 0);
    assert.equal(running.version, '2.0.0');
    assert.equal(toHex(running.hash), v2.sha256);
    assert.equal(running.active, true);
    assert.equal(running.confirmed, true);
    const previous = images.find((i) => i.slot === 1);
    assert.ok(!previous || previous.confirmed === false, 'no revert pending');
    assert.deepEqual(bridge.errors, []);
    t.diagnostic(`screenshots in ${shots ?? '(none)'}; ${bridge.writes} writes, ${bridge.requests.length} ` +
      `requests, ${bridge.replies} replies, at most ${bridge.maxReadsPending} reads waiting`);
  });
}

test('the page as bleota web serves it updates the simulated device in chromium',
  { timeout: 60000 }, (t) => updateThroughPage(t, async (dir) => {
    const web = await startWebServer(dir);
    return { url: web.url, log: web.log, close: () => stopProcess(web) };
  }, SHOT_DIR));

// The page for static hosting (`npm run build`: one minified bundle), built into a temporary
// directory and served with the same CSP as bleota web.
test('the npm run build bundle of the page updates the simulated device in chromium',
  { timeout: 60000 }, (t) => updateThroughPage(t, async (dir) => {
    const files = await buildPage(join(dir, 'dist'));
    const bundle = files.find((f) => f.file === 'src/app.js');
    t.diagnostic(`bundle: ${files.map((f) => `${f.file} ${f.bytes} bytes (${f.gzipBytes} gzip)`).join(', ')}`);
    assert.ok(bundle.bytes < 64 * 1024, `bundle of ${bundle.bytes} bytes`);
    const served = await serveDirectory(join(dir, 'dist'));
    return { url: served.url, log: () => '', close: served.close };
  }, null));
