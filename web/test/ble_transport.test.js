// The Web Bluetooth transport with a fake navigator.bluetooth: the GATT calls, writes split at the
// piece size, notifications reassembled, a disconnect while a reply is awaited, and an upload
// that is cut by a disconnect and resumed after reconnecting.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';

import {
  BleTransport, checkPieceSize, DEFAULT_PIECE_SIZE, DisconnectedError, SMP_CHARACTERISTIC_UUID,
  SMP_SERVICE_UUID, splitPacket,
} from '../src/ble_transport.js';
import { SmpClient } from '../src/client.js';
import { decodePacket, encodePacket, Op, requests, SmpError } from '../src/smp.js';
import { uploadImage } from '../src/upload.js';
import { FakeBluetooth, FakeDevice } from '../test-support/fake_bluetooth.js';
import { FakeUploadDevice } from '../test-support/fake_upload_device.js';

const uuids = { serviceUuid: SMP_SERVICE_UUID, characteristicUuid: SMP_CHARACTERISTIC_UUID };

// A peripheral that answers echo requests with the same text.
function echoPeripheral(packet, characteristic) {
  const { header, payload } = decodePacket(packet);
  const reply = encodePacket({ op: Op.WRITE_RSP, group: header.group, id: header.id,
    payload: { r: payload.d } }, { seq: header.seq, version: header.version });
  setImmediate(() => characteristic.notifyPacket(reply));
}

test('UUIDs are the SMP service and characteristic', () => {
  assert.equal(SMP_SERVICE_UUID, '8d53dc1d-1db7-4cd3-868b-8a527460aa84');
  assert.equal(SMP_CHARACTERISTIC_UUID, 'da2e7828-fbce-4e01-ae9e-261174997c48');
  assert.equal(DEFAULT_PIECE_SIZE, 244);
});

test('connect asks for the SMP service and subscribes to notifications', async () => {
  const device = new FakeDevice({ ...uuids });
  const bluetooth = new FakeBluetooth(device);
  const t = await BleTransport.connect(bluetooth);
  assert.deepEqual(bluetooth.requests, [{ filters: [{ services: [SMP_SERVICE_UUID] }] }]);
  assert.equal(device.gatt.connected, true);
  assert.equal(device.characteristic.notifying, true);
  assert.equal(t.pieceSize, 244);
  assert.equal(t.name, 'fake-smp');
});

test('connect without Web Bluetooth or with no device chosen fails clearly', async () => {
  await assert.rejects(BleTransport.connect(undefined), /no Web Bluetooth/);
  await assert.rejects(BleTransport.connect(new FakeBluetooth(null)), { name: 'NotFoundError' });
  const wrong = new FakeDevice({ serviceUuid: 'other', characteristicUuid: 'x' });
  await assert.rejects(BleTransport.open(wrong), { name: 'NotFoundError' });
});

test('writes are split at the piece size, in order, none larger', async () => {
  for (const pieceSize of [20, 100, 244]) {
    const device = new FakeDevice({ ...uuids, mtu: pieceSize + 3 });
    const t = await BleTransport.connect(new FakeBluetooth(device), { pieceSize });
    const packet = new Uint8Array(randomBytes(1000));
    await t.send(packet);
    const writes = device.characteristic.writes;
    assert.equal(writes.length, Math.ceil(1000 / pieceSize));
    assert.ok(writes.slice(0, -1).every((w) => w.length === pieceSize));
    assert.equal(writes.at(-1).length, 1000 - (writes.length - 1) * pieceSize);
    assert.deepEqual(Buffer.concat(writes), Buffer.from(packet));
  }
  assert.deepEqual(splitPacket(new Uint8Array(0), 20), []);
  assert.throws(() => checkPieceSize(19), RangeError);
  assert.throws(() => checkPieceSize(513), RangeError);
  assert.throws(() => checkPieceSize(24.5), RangeError);
});

test('a write size above the link MTU fails with a hint to lower it', async () => {
  const device = new FakeDevice({ ...uuids, mtu: 23 });
  const t = await BleTransport.connect(new FakeBluetooth(device));
  await assert.rejects(t.send(new Uint8Array(300)), /lower the write size/);
  await assert.rejects(t.send(new Uint8Array(t.maxPacket + 1)), /exceeds/);
});

test('replies split over notifications, and two in one, are reassembled', async () => {
  const device = new FakeDevice({ ...uuids });
  const t = await BleTransport.connect(new FakeBluetooth(device));
  const a = encodePacket({ op: Op.READ_RSP, group: 0, id: 0, payload: { r: 'x'.repeat(600) } }, { seq: 1 });
  const b = encodePacket({ op: Op.READ_RSP, group: 0, id: 0, payload: { r: 'y' } }, { seq: 2 });
  const c = device.characteristic;
  c.notify(a.subarray(0, 3)); // not even a whole header
  c.notify(a.subarray(3, 300));
  c.notify(a.subarray(300, 599));
  assert.equal(t.queue.packets.length, 0);
  c.notify(Buffer.concat([a.subarray(599), b]));
  assert.deepEqual(await t.receive(100), a);
  assert.deepEqual(await t.receive(100), b);
  assert.equal(await t.receive(20), null);
  // A bad header is reported and skipped; the next packet still arrives.
  c.notify(Uint8Array.of(0xff, 0, 0, 0, 0, 0, 0, 0));
  c.notify(b);
  assert.deepEqual(await t.receive(100), b);
  assert.equal(t.linkErrors.length, 1);
});

test('SmpClient round trip over the transport, both directions fragmented', async () => {
  const device = new FakeDevice({ ...uuids, mtu: 23, peripheral: echoPeripheral });
  const t = await BleTransport.connect(new FakeBluetooth(device), { pieceSize: 20 });
  const client = new SmpClient(t, { timeoutMs: 500 });
  const text = 'hello over a small MTU '.repeat(20);
  assert.equal((await client.call(requests.echo(text))).r, text);
  assert.ok(device.characteristic.writes.length > 20);
});

test('a disconnect while a reply is awaited fails receive at once', async () => {
  const device = new FakeDevice({ ...uuids });
  const t = await BleTransport.connect(new FakeBluetooth(device));
  const seen = [];
  t.onDisconnected((e) => seen.push(e));
  const a = encodePacket({ op: Op.READ_RSP, group: 0, id: 0, payload: { r: 'x'.repeat(400) } }, { seq: 1 });
  device.characteristic.notify(a.subarray(0, 100)); // half a reply, then the link drops
  const started = Date.now();
  const pending = t.receive(5000);
  setTimeout(() => device.dropLink(), 20);
  await assert.rejects(pending, DisconnectedError);
  assert.ok(Date.now() - started < 1000);
  assert.equal(seen.length, 1);
  assert.equal(t.queue.waiters.length, 0);
  assert.equal(t.reassembler.inPacket, false);
  await assert.rejects(t.send(Uint8Array.of(1)), DisconnectedError);
  await assert.rejects(t.receive(10), DisconnectedError);
  const client = new SmpClient(t);
  await assert.rejects(client.call(requests.echo('x')), (e) => e instanceof DisconnectedError &&
    e instanceof SmpError);
});

test('an upload cut by a disconnect resumes after reconnecting to the same device', async () => {
  const smp = new FakeUploadDevice({ bufSize: 2048, bufCount: 3, maxPacket: 2048 });
  let ble = null;
  let requestsSeen = 0;
  const device = new FakeDevice({ ...uuids, peripheral: (packet) => {
    if (++requestsSeen === 12) setImmediate(() => device.dropLink());
    smp.onPacket(packet);
  } });
  // The upload device's replies go out as notifications.
  smp.deliver = (packet, upload) => {
    if (upload) smp.inFlight--;
    ble.characteristic.notifyPacket(packet);
  };
  ble = device;
  const data = new Uint8Array(randomBytes(40 * 1024));
  const first = await BleTransport.connect(new FakeBluetooth(device));
  await assert.rejects(uploadImage(new SmpClient(first, { timeoutMs: 500 }), data),
    DisconnectedError);
  const stored = smp.expected;
  assert.ok(stored > 0 && stored < data.length, `stored ${stored}`);

  const second = await BleTransport.open(device);
  assert.equal(device.connects, 2);
  // The old transport no longer listens to the device or the characteristic.
  assert.equal(device.listeners.get('gattserverdisconnected').size, 1);
  assert.equal(device.characteristic.listeners.get('characteristicvaluechanged').size, 1);
  const progress = [];
  const stats = await uploadImage(new SmpClient(second, { timeoutMs: 500 }), data,
    { onProgress: (p) => progress.push(p.bytes) });
  assert.equal(stats.match, true);
  assert.deepEqual(smp.received, data);
  // It continued from the device's offset instead of starting over.
  assert.equal(progress[0], stored);
  assert.ok(stats.bytesSent < data.length, `sent ${stats.bytesSent} of ${data.length}`);
});
