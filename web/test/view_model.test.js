// The page's pure helpers: formatting, progress, the images table, controls and error messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { DisconnectedError } from '../src/ble_transport.js';
import { TimeoutError } from '../src/client.js';
import { ImageError } from '../src/mcuboot_image.js';
import { SmpError } from '../src/smp.js';
import {
  controls, errorText, flagsText, formatBytes, formatEta, formatRate, hexShort, imageFileSummary,
  imageRows, parsePieceSize, progressView, uploadRefusal,
} from '../src/view_model.js';

test('bytes, rate and ETA formatting', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(65536 + 512), '64.5 KiB');
  assert.equal(formatBytes(3 * 1024 * 1024), '3.0 MiB');
  assert.equal(formatBytes(-1), '–');
  assert.equal(formatBytes(NaN), '–');
  assert.equal(formatRate(0), '–');
  assert.equal(formatRate(Infinity), '–');
  assert.equal(formatRate(2048), '2.0 KiB/s');
  assert.equal(formatRate(100.4), '100 B/s');
  assert.equal(formatEta(null), '–');
  assert.equal(formatEta(-1), '–');
  assert.equal(formatEta(0), '0:00');
  assert.equal(formatEta(0.2), '0:01');
  assert.equal(formatEta(65), '1:05');
  assert.equal(formatEta(3600 + 62), '1:01:02');
});

test('progress view from upload.js progress', () => {
  const v = progressView({ bytes: 16384, total: 65536, rate: 4096, eta: 12 });
  assert.deepEqual([v.value, v.max, v.percent], [16384, 65536, 25]);
  assert.equal(v.text, '16.0 KiB of 64.0 KiB (25%) · 4.0 KiB/s · 0:12 left');
  assert.equal(progressView({ bytes: 0, total: 0, rate: 0, eta: null }).percent, 0);
  assert.equal(progressView({ bytes: 65535, total: 65536, rate: 1, eta: 1 }).percent, 99);
});

test('images table rows and flags', () => {
  const hash = Uint8Array.from({ length: 32 }, (_, i) => i + 0xa0);
  const rows = imageRows({ images: [
    { image: 0, slot: 0, version: '1.0.0', hash, bootable: true, pending: false, confirmed: true,
      active: true, permanent: false },
    { image: 0, slot: 1, version: '1.1.0', hash, bootable: true, pending: true, confirmed: false,
      active: false, permanent: true },
    { slot: 1, version: '2.0.0', bootable: false },
  ], splitStatus: 0 });
  assert.equal(rows[0].flags, 'active, confirmed');
  assert.equal(rows[1].flags, 'pending, permanent');
  assert.equal(rows[2].flags, 'not bootable');
  assert.equal(rows[0].hashShort, 'a0a1a2a3');
  assert.equal(rows[2].hashShort, '–');
  assert.equal(rows[2].hash, null);
  assert.equal(flagsText({}), 'none');
  assert.equal(hexShort(hash, 4), 'a0a1');
  assert.throws(() => imageRows({}), /no "images" array/);
  assert.throws(() => imageRows({ images: [{ slot: '0', version: '1' }] }), /entry 0/);
  assert.throws(() => imageRows({ images: [null] }), /entry 0/);
});

test('file summary and refusal of a file whose hash does not match', () => {
  const info = { version: '1.2.3+4', smpVersion: '1.2.3.4', fileSize: 66000, imageSize: 65536,
    signatureType: 'ED25519',
    encrypted: false, hashMatches: true, sha256: 'ab'.repeat(32) };
  const summary = Object.fromEntries(imageFileSummary(info));
  assert.equal(summary.Version, '1.2.3.4');
  assert.equal(summary.Signature, 'ED25519');
  assert.equal(summary.Encrypted, 'no');
  assert.match(summary['SHA-256'], /^matches \(abababab/);
  assert.equal(uploadRefusal(info), null);
  const bad = { ...info, hashMatches: false };
  assert.match(Object.fromEntries(imageFileSummary(bad))['SHA-256'], /DOES NOT MATCH/);
  assert.match(uploadRefusal(bad), /does not match/);
  const enc = { ...info, encrypted: true, aesBits: 128, encryption: 'ENC_KW', hashMatches: null,
    signatureType: null };
  const s = Object.fromEntries(imageFileSummary(enc));
  assert.equal(s.Encrypted, 'yes, AES-128 (ENC_KW)');
  assert.equal(s.Signature, 'none');
  assert.match(s['SHA-256'], /not checked/);
  assert.equal(uploadRefusal(enc), null);
});

test('controls follow the connection, a busy action, the file and the selection', () => {
  const file = { hashMatches: true };
  const row = { hash: new Uint8Array(32), active: false };
  const off = controls({ connected: false, busy: false, file, selected: row });
  assert.deepEqual([off.connect, off.upload, off.test, off.confirm, off.reset],
    [true, false, false, false, false]);
  assert.equal(off.connectLabel, 'Connect');
  const on = controls({ connected: true, busy: false, file, selected: row });
  assert.deepEqual([on.upload, on.test, on.confirm, on.reset], [true, true, true, true]);
  assert.equal(on.connectLabel, 'Disconnect');
  const busy = controls({ connected: true, busy: true, file, selected: row });
  assert.deepEqual([busy.connect, busy.upload, busy.test, busy.reset], [false, false, false, false]);
  assert.equal(controls({ connected: true, busy: false, file: null, selected: row }).upload, false);
  assert.equal(controls({ connected: true, busy: false, file: { hashMatches: false },
    selected: row }).upload, false);
  // The running image cannot be marked for test.
  assert.equal(controls({ connected: true, busy: false, file, selected: { ...row, active: true } })
    .test, false);
  assert.equal(controls({ connected: true, busy: false, file, selected: null }).confirm, false);
});

test('error messages name the device rc and say what to do', () => {
  const refused = new SmpError('upload at offset 0: device error group 1 rc 24 (invalid_hash)',
    { rc: 24, group: 1, rcName: 'invalid_hash' });
  assert.equal(errorText(refused),
    'The device refused: upload at offset 0: device error group 1 rc 24 (invalid_hash).');
  assert.match(errorText(new DisconnectedError('fake disconnected')), /^fake disconnected\. .*resumes/);
  assert.match(errorText(new TimeoutError('params: no reply')), /^The device did not answer/);
  assert.match(errorText(new ImageError('header_magic', 'header magic is 0x0')),
    /^This file was refused: not a valid MCUboot image: header magic/);
  assert.equal(errorText(new SmpError('malformed')), 'Error: malformed.');
  assert.equal(errorText(Object.assign(new Error('x'), { name: 'NotFoundError' })), 'No device was chosen.');
  assert.match(errorText(Object.assign(new Error('x'), { name: 'SecurityError' })), /localhost or https/);
  assert.match(errorText(Object.assign(new Error('GATT failed'), { name: 'NetworkError' })), /GATT failed/);
  assert.equal(errorText(new TypeError('boom')), 'Unexpected error: boom.');
  assert.equal(errorText('odd'), 'Unexpected error: odd.');
});

test('write size setting', () => {
  assert.equal(parsePieceSize('244'), 244);
  assert.equal(parsePieceSize(' 20 '), 20);
  assert.equal(parsePieceSize('512'), 512);
  for (const bad of ['19', '513', '', 'abc', '24.5', '-1', '1e3', '99999']) {
    assert.throws(() => parsePieceSize(bad), RangeError, bad);
  }
});
