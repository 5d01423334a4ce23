// End to end: this page's SMP client against the real simulated device (`bleota sim run`) over
// UDP. Needs BLEOTA_BIN (CTest sets it to the built bleota); skipped without it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { SmpClient } from '../src/client.js';
import { parseImage } from '../src/mcuboot_image.js';
import { requests, SmpError, Version } from '../src/smp.js';
import { uploadImage } from '../src/upload.js';
import { toHex } from '../test-support/hex.js';
import { BLEOTA_BIN, makeSignedImages, startSimDevice } from '../test-support/sim_device.js';
import { openUdpTransport } from '../test-support/udp_transport.js';

const SKIP = BLEOTA_BIN ? false
  : 'BLEOTA_BIN is not set (path of the built bleota): device test skipped';

async function images(client) {
  const state = await client.call(requests.imageState(), 'image list');
  assert.ok(Array.isArray(state.images), 'image list has images');
  return state.images;
}

// After a reset the device boots (install) and serves again; ask until it answers.
async function waitForDevice(client) {
  for (let i = 0; i < 40; i++) {
    try {
      return await client.call(requests.echo('back'), 'echo');
    } catch (e) {
      if (!(e instanceof SmpError)) throw e;
      await sleep(100);
    }
  }
  throw new Error('the device did not come back after the reset');
}

test('web SMP client updates the simulated device over UDP', { skip: SKIP, timeout: 120000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bleota-web-'));
  makeSignedImages(dir);
  const device = await startSimDevice(dir);
  let transport = await openUdpTransport('127.0.0.1', device.port);
  t.after(async () => {
    await transport.close();
    device.child.kill('SIGTERM');
    await device.exited;
    rmSync(dir, { recursive: true, force: true });
  });
  let client = new SmpClient(transport, { timeoutMs: 2000, retries: 2 });
  const v1 = await parseImage(new Uint8Array(readFileSync(join(dir, 'v1.img'))));
  const v2bytes = new Uint8Array(readFileSync(join(dir, 'v2.img')));
  const v2 = await parseImage(v2bytes);
  assert.equal(v2.hashMatches, true);
  assert.equal(v2.signatureType, 'ECDSA_P256');

  await t.test('echo and params', async () => {
    assert.deepEqual(await client.call(requests.echo('hello from the web'), 'echo'), { r: 'hello from the web' });
    assert.deepEqual(await client.call(requests.params(), 'params'), { buf_size: 4096, buf_count: 4 });
  });

  await t.test('image list shows the provisioned image, active and confirmed', async () => {
    const list = await images(client);
    assert.equal(list.length, 1);
    assert.equal(list[0].slot, 0);
    assert.equal(list[0].version, '1.0.0');
    assert.equal(toHex(list[0].hash), v1.sha256);
    assert.equal(list[0].active, true);
    assert.equal(list[0].confirmed, true);
  });

  await t.test('a tampered image is refused with the device rc (v2: group 1 rc 24; v1: rc 3)', async () => {
    const tampered = v2bytes.slice();
    tampered[v2.header.hdrSize + 1000] ^= 0x01; // a payload byte: the SHA256 TLV no longer matches
    assert.equal((await parseImage(tampered)).hashMatches, false);
    await assert.rejects(uploadImage(client, tampered), (e) => {
      assert.ok(e instanceof SmpError, String(e));
      assert.equal(e.group, 1);
      assert.equal(e.rc, 24);
      assert.equal(e.rcName, 'invalid_hash');
      return true;
    });
    const v1client = new SmpClient(transport, { version: Version.V1, timeoutMs: 2000 });
    await assert.rejects(uploadImage(v1client, tampered), (e) => e.group === null && e.rc === 3);
    const list = await images(client);
    assert.equal(list.length, 1, 'the refused image is not listed');
  });

  await t.test('an interrupted upload resumes from the offset the device kept', async () => {
    // The link dies after 12 requests: the device keeps the session (RAM) and its offset.
    let sends = 0;
    const dying = { ...transport, send: (p) => (sends++ < 12 ? transport.send(p) : undefined) };
    const first = new SmpClient(dying, { timeoutMs: 300, retries: 1 });
    await assert.rejects(uploadImage(first, v2bytes, { params: { bufSize: 4096, bufCount: 4 } }),
      /no reply/);
    const progress = [];
    const stats = await uploadImage(client, v2bytes, { onProgress: (p) => progress.push(p) });
    assert.equal(stats.match, true);
    assert.ok(stats.resumes >= 1);
    // The first reply already acknowledged what the interrupted upload had sent.
    assert.ok(progress[0].bytes >= 10 * 1400, `resumed at ${progress[0].bytes}`);
    assert.ok(stats.bytesSent < v2bytes.length, `${stats.bytesSent} bytes sent again`);
    // Complete: the same first chunk again is answered from the slot ("already there").
    const again = await uploadImage(client, v2bytes);
    assert.equal(again.match, true);
    assert.ok(again.requests <= again.window, `${again.requests} requests`);
  });

  await t.test('erase, then a whole pipelined upload of the signed 64 KiB image', async () => {
    assert.deepEqual(await client.call(requests.erase(1), 'erase'), {});
    assert.equal((await images(client)).length, 1, 'slot 1 erased');
    const progress = [];
    const stats = await uploadImage(client, v2bytes, { onProgress: (p) => progress.push(p) });
    assert.equal(stats.match, true);
    assert.equal(stats.window, 4);
    assert.equal(stats.packetLimit, 1472); // UDP datagram limit below buf_size 4096
    assert.equal(stats.timeouts, 0);
    assert.equal(progress.at(-1).bytes, v2bytes.length);
    assert.ok(stats.requests >= Math.ceil(v2bytes.length / 1472));
    const list = await images(client);
    assert.equal(list.length, 2);
    assert.equal(list[1].slot, 1);
    assert.equal(list[1].version, '2.0.0');
    assert.equal(toHex(list[1].hash), v2.sha256);
    assert.equal(list[1].pending, false);
  });

  await t.test('mark for test, reset, runs the new image in test mode after reconnect', async () => {
    const hash = Uint8Array.from(Buffer.from(v2.sha256, 'hex'));
    const state = await client.call(requests.imageTest(hash), 'image test');
    const slot1 = state.images.find((i) => i.slot === 1);
    assert.equal(slot1.pending, true);
    assert.equal(slot1.permanent, false);
    assert.deepEqual(await client.call(requests.reset(), 'reset'), {});
    await transport.close();
    transport = await openUdpTransport('127.0.0.1', device.port);
    client = new SmpClient(transport, { timeoutMs: 1000, retries: 1 });
    assert.deepEqual(await waitForDevice(client), { r: 'back' });
    const list = await images(client);
    const running = list.find((i) => i.slot === 0);
    assert.equal(running.version, '2.0.0', device.log());
    assert.equal(running.active, true);
    assert.equal(toHex(running.hash), v2.sha256);
    // Test mode: not confirmed, and the old image stays as the revert target.
    assert.equal(running.confirmed, false);
    const previous = list.find((i) => i.slot === 1);
    assert.equal(previous.version, '1.0.0');
    assert.equal(previous.confirmed, true);
  });

  await t.test('confirm keeps the new image', async () => {
    const state = await client.call(requests.imageConfirm(), 'image confirm');
    const running = state.images.find((i) => i.slot === 0);
    assert.equal(running.version, '2.0.0');
    assert.equal(running.confirmed, true);
    assert.equal(running.active, true);
    // Confirmed: no revert pending, the old image is no longer the confirmed one in slot 1.
    const previous = state.images.find((i) => i.slot === 1);
    assert.ok(!previous || previous.confirmed === false);
  });
});
