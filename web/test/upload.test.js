// The pipelined upload engine against an in-memory device.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import { encode } from '../src/cbor.js';
import { SmpClient } from '../src/client.js';
import { requests, SmpError } from '../src/smp.js';
import { readParams, UploadChunker, uploadImage } from '../src/upload.js';
import { FakeUploadDevice } from '../test-support/fake_upload_device.js';

const image = () => new Uint8Array(randomBytes(64 * 1024 + 123));

test('pipelined upload: window = buf_count, every packet within buf_size, data intact', async () => {
  const device = new FakeUploadDevice({ bufSize: 1024, bufCount: 4 });
  const client = new SmpClient(device.transport, { timeoutMs: 500 });
  const data = image();
  const seen = [];
  const stats = await uploadImage(client, data, { onProgress: (p) => seen.push(p) });
  assert.deepEqual(device.received, data);
  assert.equal(stats.match, true);
  assert.equal(stats.window, 4);
  assert.equal(device.maxInFlight, 4);
  assert.ok(device.packetSizes.every((n) => n <= 1024));
  // Every packet but the last fills the limit exactly.
  assert.ok(device.packetSizes.slice(0, -1).every((n) => n === 1024), String(device.packetSizes));
  assert.equal(seen.at(-1).bytes, data.length);
  assert.ok(seen.every((p, i) => i === 0 || p.bytes > seen[i - 1].bytes));
  assert.ok(seen.every((p) => p.total === data.length && p.rate >= 0));
  assert.equal(seen.at(-1).eta, 0);
});

test('packets fill whole link pieces', async () => {
  const device = new FakeUploadDevice({ bufSize: 4096, bufCount: 2, maxPacket: 4096, pieceSize: 244 });
  const client = new SmpClient(device.transport, { timeoutMs: 500 });
  await uploadImage(client, image());
  const target = Math.floor(4096 / 244) * 244;
  assert.ok(device.packetSizes.slice(0, -1).every((n) => n === target), String(device.packetSizes));
});

test('window option bounds the pipeline; params unsupported falls back to 512/1', async () => {
  const device = new FakeUploadDevice({ paramsSupported: false });
  const client = new SmpClient(device.transport, { timeoutMs: 500 });
  const data = image().subarray(0, 5000);
  const stats = await uploadImage(client, data, { window: 8 });
  assert.deepEqual(stats.params, { bufSize: 512, bufCount: 1, fromDevice: false });
  assert.equal(device.maxInFlight, 1);
  assert.ok(device.packetSizes.every((n) => n <= 512));
  assert.deepEqual(device.received, data);
  assert.equal(await readParams(client).then((p) => p.bufSize), 512);
});

test('lost requests: the device asks for its offset, the upload resumes there', async () => {
  const device = new FakeUploadDevice({ bufSize: 1024, bufCount: 4 });
  device.dropRequests = new Set([3, 20]);
  const client = new SmpClient(device.transport, { timeoutMs: 200 });
  const data = image();
  const stats = await uploadImage(client, data);
  assert.deepEqual(device.received, data);
  assert.ok(stats.resumes >= 1 || stats.timeouts >= 1);
  assert.equal(stats.match, true);
});

test('a lost last request times out and is sent again', async () => {
  const device = new FakeUploadDevice({ bufSize: 1024, bufCount: 1 });
  const data = image().subarray(0, 3000);
  device.dropRequests = new Set([3]); // the last of 4 requests
  const client = new SmpClient(device.transport, { timeoutMs: 100 });
  const stats = await uploadImage(client, data);
  assert.equal(stats.timeouts, 1);
  assert.deepEqual(device.received, data);
});

test('a silent device ends the upload with a timeout after the retries', async () => {
  const device = new FakeUploadDevice({ bufSize: 1024, bufCount: 2 });
  device.dropRequests = { has: () => true };
  const client = new SmpClient(device.transport, { timeoutMs: 50, retries: 2 });
  await assert.rejects(uploadImage(client, image()), /no reply after 3 attempts/);
});

test('a second upload of the same image resumes from the device offset', async () => {
  const device = new FakeUploadDevice({ bufSize: 1024, bufCount: 1 });
  const data = image();
  device.dropRequests = { has: (i) => i >= 10 }; // the link dies after 10 requests
  const client = new SmpClient(device.transport, { timeoutMs: 50, retries: 1 });
  await assert.rejects(uploadImage(client, data));
  const offset = device.expected;
  assert.ok(offset > 0 && offset < data.length);
  device.dropRequests = new Set();
  const sent = device.packetSizes.length;
  const stats = await uploadImage(client, data);
  assert.deepEqual(device.received, data);
  assert.ok(stats.resumes >= 1);
  // Far fewer requests than a whole upload: it went on from the offset.
  assert.ok(device.packetSizes.length - sent < Math.ceil(data.length / 900));
});

test('a device refusal is thrown with its rc', async () => {
  const device = new FakeUploadDevice();
  device.upload = () => ({ err: { group: 1, rc: 24 } });
  const client = new SmpClient(device.transport, { timeoutMs: 200 });
  await assert.rejects(uploadImage(client, image()), (e) => e instanceof SmpError &&
    e.rc === 24 && e.group === 1 && e.rcName === 'invalid_hash');
});

test('chunker: the largest data size that fits, across CBOR head sizes', () => {
  const sha = new Uint8Array(32);
  for (const limit of [76, 80, 100, 300, 512, 1024, 2048, 4096]) {
    const c = new UploadChunker({ size: 100000, sha, packetLimit: limit });
    for (const off of [0, 23, 24, 255, 256, 65535, 65536]) {
      const n = c.dataSizeAt(off);
      const size = 8 + encode(c.request(off, new Uint8Array(n)).payload).length;
      assert.ok(size <= limit, `limit ${limit} off ${off}: ${size}`);
      const bigger = 8 + encode(c.request(off, new Uint8Array(n + 1)).payload).length;
      assert.ok(bigger > limit, `limit ${limit} off ${off}: ${n + 1} would fit`);
    }
  }
  assert.throws(() => new UploadChunker({ size: 10, sha, packetLimit: 40 }), /cannot carry upload data/);
  assert.equal(new UploadChunker({ size: 10, sha, packetLimit: 512 }).dataSizeAt(4), 6);
});

test('bad upload arguments are refused', async () => {
  const device = new FakeUploadDevice();
  const client = new SmpClient(device.transport);
  await assert.rejects(uploadImage(client, new Uint8Array(0)), /empty/);
  await assert.rejects(uploadImage(client, image(), { window: 0 }), /out of range/);
  await assert.rejects(uploadImage(client, image(), { window: 65 }), /out of range/);
  assert.throws(() => new SmpClient({ send() {}, receive() {}, maxPacket: 4 }), /maxPacket/);
  await assert.rejects(client.call(requests.echo('x'.repeat(5000))), /exceeds the link/);
});
