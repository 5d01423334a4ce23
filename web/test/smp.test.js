// SMP headers, requests, replies and reassembly against byte vectors made from
// docs/spec/smp.md and docs/spec/smp-image.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decode } from '../src/cbor.js';
import {
  decodeHeader, decodePacket, encodeHeader, encodePacket, Group, Op, rcName, replyError,
  requests, SmpError, SmpReassembler, Version,
} from '../src/smp.js';
import { fromHex, toHex } from '../test-support/hex.js';

test('header layout: version bits 4-3, op bits 2-0, big-endian length and group', () => {
  const h = encodeHeader({ op: Op.WRITE, version: Version.V2, length: 0x0102, group: 0x0304,
    seq: 0xfe, id: 7 });
  assert.equal(toHex(h), '0a00010203 04fe07'.replace(/ /g, ''));
  assert.deepEqual(decodeHeader(fromHex('0b 00 01 02 03 04 fe 07')),
    { op: Op.WRITE_RSP, version: Version.V2, flags: 0, length: 0x102, group: 0x304, seq: 0xfe, id: 7 });
  assert.deepEqual(decodeHeader(fromHex('01 5a 00 00 00 01 00 00')),
    { op: Op.READ_RSP, version: Version.V1, flags: 0x5a, length: 0, group: 1, seq: 0, id: 0 });
});

test('bad headers are refused', () => {
  assert.throws(() => decodeHeader(fromHex('00 00 00 00 00 00 00')), /needs 8 bytes/);
  assert.throws(() => decodeHeader(fromHex('20 00 00 00 00 00 00 00')), /reserved bits/);
  assert.throws(() => decodeHeader(fromHex('04 00 00 00 00 00 00 00')), /op 4/);
  assert.throws(() => decodeHeader(fromHex('07 00 00 00 00 00 00 00')), /op 7/);
  assert.throws(() => decodeHeader(fromHex('10 00 00 00 00 00 00 00')), /version 3/);
  assert.throws(() => encodeHeader({ op: 4, length: 0, group: 0, seq: 0, id: 0 }), SmpError);
  assert.throws(() => encodeHeader({ op: 0, length: 0x10000, group: 0, seq: 0, id: 0 }), SmpError);
  assert.throws(() => encodeHeader({ op: 0, length: 0, group: 0, seq: 256, id: 0 }), SmpError);
});

test('echo request, v2 and v1', () => {
  // {"d": "hi"}: a1 61 64 62 68 69
  assert.equal(toHex(encodePacket(requests.echo('hi'), { seq: 7 })), '0a000006000007' + '00' + 'a16164626869');
  assert.equal(toHex(encodePacket(requests.echo('hi'), { seq: 1, version: Version.V1 })),
    '020000060000010' + '0a16164626869');
});

test('OS and image requests have the spec ids, ops and payloads', () => {
  const hash = new Uint8Array(32).fill(0xab);
  const cases = [
    [requests.reset(), Op.WRITE, Group.OS, 5, 'a0'],
    [requests.reset(true), Op.WRITE, Group.OS, 5, 'a165666f726365f5'],
    [requests.params(), Op.READ, Group.OS, 6, 'a0'],
    [requests.info('sv'), Op.READ, Group.OS, 7, 'a166666f726d6174627376'],
    [requests.imageState(), Op.READ, Group.IMAGE, 0, 'a0'],
    [requests.imageTest(hash), Op.WRITE, Group.IMAGE, 0, `a2646861736858 20${'ab'.repeat(32)}67636f6e6669726df4`],
    [requests.imageConfirm(), Op.WRITE, Group.IMAGE, 0, 'a167636f6e6669726df5'],
    [requests.imageConfirm(hash), Op.WRITE, Group.IMAGE, 0, `a2646861736858 20${'ab'.repeat(32)}67636f6e6669726df5`],
    [requests.erase(), Op.WRITE, Group.IMAGE, 5, 'a0'],
    [requests.erase(1), Op.WRITE, Group.IMAGE, 5, 'a164736c6f7401'],
    [requests.slotInfo(), Op.READ, Group.IMAGE, 6, 'a0'],
  ];
  for (const [req, op, group, id, payloadHex] of cases) {
    const packet = encodePacket(req, { seq: 3 });
    const payload = packet.subarray(8);
    assert.equal(toHex(packet.subarray(0, 8)),
      toHex(encodeHeader({ op, version: Version.V2, length: payload.length, group, seq: 3, id })));
    assert.equal(toHex(payload), payloadHex.replace(/ /g, ''));
  }
  assert.throws(() => requests.imageTest(new Uint8Array(31)), /32 bytes/);
  assert.throws(() => requests.echo(5), SmpError);
});

test('upload: first chunk carries image, len, sha, upgrade; later chunks off and data', () => {
  const sha = new Uint8Array(32).fill(1);
  const first = requests.upload({ off: 0, data: Uint8Array.of(9), len: 1000, sha, upgrade: false });
  assert.deepEqual(Object.keys(first.payload), ['off', 'data', 'image', 'len', 'sha', 'upgrade']);
  assert.equal(toHex(encodePacket(first, { seq: 0 }).subarray(8, 28)),
    'a6636f666600646461746141 09 65696d616765 00'.replace(/ /g, ''));
  const later = requests.upload({ off: 1, data: Uint8Array.of(9), len: 1000, sha, upgrade: true });
  assert.equal(toHex(encodePacket(later, { seq: 0 }).subarray(8)), 'a2636f666601646461746141' + '09');
  assert.equal(first.op, Op.WRITE);
  assert.equal(first.group, Group.IMAGE);
  assert.equal(first.id, 1);
  assert.throws(() => requests.upload({ off: 0, data: new Uint8Array(1), len: 1, sha: new Uint8Array(33) }), /32 bytes/);
  assert.throws(() => requests.upload({ off: -1, data: new Uint8Array(1) }), SmpError);
});

test('replies: v1 rc, v2 err {group, rc}, success', () => {
  // {"rc": 8}
  const v1 = decodePacket(fromHex('03 00 00 05 00 01 04 01 a1 62 72 63 08'));
  assert.deepEqual(replyError(v1.payload), { group: null, rc: 8, name: 'not_supported' });
  // {"err": {"group": 1, "rc": 24}}
  const v2 = decodePacket(fromHex('0b 00 00 12 00 01 04 01 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 18 18'));
  assert.deepEqual(replyError(v2.payload), { group: 1, rc: 24, name: 'invalid_hash' });
  // {"off": 512}
  const ok = decodePacket(fromHex('0b 00 00 08 00 01 04 01 a1 63 6f 66 66 19 02 00'));
  assert.equal(replyError(ok.payload), null);
  assert.equal(ok.payload.off, 512);
  assert.equal(replyError({ rc: 0 }), null);
  assert.throws(() => replyError({ err: { group: 'x', rc: 1 } }), /malformed v2 error/);
  assert.throws(() => replyError({ rc: 'x' }), /not an integer/);
  assert.equal(rcName(13), 'unsupported_too_new');
  assert.equal(rcName(33, Group.IMAGE), 'image_setting_test_to_active_denied');
  assert.equal(rcName(3, Group.OS), 'query_yields_no_answer');
  assert.equal(rcName(99, Group.IMAGE), 'rc_99');
});

test('whole packets: empty payload is {}, length must match, payload must be a map', () => {
  assert.deepEqual(decodePacket(fromHex('01 00 00 00 00 00 00 05')).payload, {});
  assert.throws(() => decodePacket(fromHex('01 00 00 02 00 00 00 05 a0')), /says 2 payload bytes, packet has 1/);
  assert.throws(() => decodePacket(fromHex('01 00 00 01 00 00 00 05 a0 00')), /says 1/);
  assert.throws(() => decodePacket(fromHex('01 00 00 01 00 00 00 05 80')), /not a CBOR map/);
  assert.throws(() => decodePacket(fromHex('01 00 00 02 00 00 00 05 a1 61')), /malformed SMP payload/);
  // indefinite map reply {"r": "hi"}
  assert.deepEqual(decodePacket(fromHex('01 00 00 07 00 00 00 00 bf 61 72 62 68 69 ff')).payload, { r: 'hi' });
});

test('reassembler: pieces, several packets in one piece, bad header, oversized', () => {
  const a = encodePacket(requests.echo('hello world'), { seq: 1 });
  const b = encodePacket(requests.params(), { seq: 2 });
  const r = new SmpReassembler({ maxPacket: 64 });
  // A packet in 3-byte pieces: complete only with the last piece.
  const got = [];
  for (let i = 0; i < a.length; i += 3) got.push(...r.feed(a.subarray(i, i + 3)).packets);
  assert.equal(got.length, 1);
  assert.deepEqual(got[0], a);
  assert.equal(r.inPacket, false);
  // The end of one packet and all of the next in one piece.
  const joined = new Uint8Array([...a, ...b]);
  const first = r.feed(joined.subarray(0, 5));
  assert.equal(first.packets.length, 0);
  const rest = r.feed(joined.subarray(5));
  assert.deepEqual(rest.packets, [a, b]);
  // A bad header drops the rest of its piece; the next piece starts a new packet.
  const bad = r.feed(new Uint8Array([0xe0, 0, 0, 0, 0, 0, 0, 0, ...b]));
  assert.equal(bad.packets.length, 0);
  assert.match(bad.errors[0], /bad header/);
  assert.deepEqual(r.feed(b).packets, [b]);
  // Oversized: its bytes are skipped, the following packet is found.
  const big = encodePacket(requests.echo('x'.repeat(100)), { seq: 3 });
  const out = r.feed(new Uint8Array([...big, ...b]));
  assert.match(out.errors[0], /oversized packet: 113 bytes, limit 64/);
  assert.deepEqual(out.packets, [b]);
  // A packet with an empty payload ends with its header.
  const empty = fromHex('01 00 00 00 00 00 09 05');
  assert.deepEqual(r.feed(new Uint8Array([...empty, ...b])).packets, [empty, b]);
  // reset() drops a partial packet.
  r.feed(a.subarray(0, 10));
  assert.equal(r.inPacket, true);
  r.reset();
  assert.deepEqual(r.feed(b).packets, [b]);
  assert.throws(() => new SmpReassembler({ maxPacket: 4 }), /at least 8/);
});

test('encoded packets decode back to the request', () => {
  const req = requests.upload({ off: 0, data: new Uint8Array(300).fill(7), len: 5000,
    sha: new Uint8Array(32).fill(3) });
  const { header, payload } = decodePacket(encodePacket(req, { seq: 200, version: Version.V1 }));
  assert.equal(header.seq, 200);
  assert.equal(header.version, Version.V1);
  assert.deepEqual(payload, decode(encodePacket(req, { seq: 0 }).subarray(8)));
  assert.equal(payload.len, 5000);
  assert.equal(payload.data.length, 300);
});
