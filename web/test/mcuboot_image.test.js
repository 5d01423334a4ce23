// The image parser against every imgtool vector in tests/vectors/imgtool (manifest.json).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ImageError, parseImage } from '../src/mcuboot_image.js';
import { fromHex } from '../test-support/hex.js';

const VECTORS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'vectors', 'imgtool');
const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8'));
const load = (file) => new Uint8Array(readFileSync(join(VECTORS, file)));

// Checks a parser can see without keys: the layout ones make parseImage throw.
const LAYOUT_CHECKS = new Set(['header_magic', 'header_size', 'bounds', 'protect_tlv_size',
  'tlv_prot_magic', 'tlv_magic', 'tlv_bounds']);
const trustedKeys = manifest.keys.filter((k) => k.public_spki_der_hex && !k.name.startsWith('wrong'));
const trustedKeyHashes = new Set(trustedKeys.map((k) => k.keyhash_sha256));
const trustedSpkis = new Set(trustedKeys.map((k) => k.public_spki_der_hex));

test('the manifest lists valid and must-fail images', () => {
  assert.equal(manifest.images.filter((i) => i.kind === 'valid').length, 26);
  assert.equal(manifest.images.filter((i) => i.must_fail).length, 25);
});

for (const entry of manifest.images.filter((i) => i.kind === 'valid')) {
  test(`valid ${entry.name}`, async () => {
    const image = await parseImage(load(entry.file));
    const h = entry.header;
    assert.equal(image.version, h.version);
    const [numbers, build] = h.version.split('+');
    assert.equal(image.smpVersion, build === '0' ? numbers : `${numbers}.${build}`);
    assert.equal(image.imageSize, h.img_size);
    assert.equal(image.header.hdrSize, h.hdr_size);
    assert.equal(image.header.protectTlvSize, h.protect_tlv_size);
    assert.equal(image.flags, h.flags);
    assert.deepEqual(image.flagNames, h.flag_names);
    assert.equal(image.unknownFlags, 0);
    assert.equal(image.tlvEnd, entry.layout.tlv_end);
    assert.equal(image.sha256, entry.sha256);
    assert.equal(image.signatureType, entry.signature_type);
    assert.equal(image.securityCounter, entry.security_counter);
    // imgtool spells some names differently (ECDSASIG, ENCEC256): compare types and offsets.
    assert.deepEqual(image.tlvs.map((t) => [t.type, t.len, t.offset - 4]),
      entry.tlvs.map((t) => [t.type, t.len, t.offset]));
    assert.deepEqual(image.protectedTlvs.map((t) => [t.type, t.len, t.offset - 4]),
      entry.protected_tlvs.map((t) => [t.type, t.len, t.offset]));
    assert.equal(image.encrypted, entry.encryption !== null);
    if (entry.encryption) {
      assert.equal(image.encryption, entry.encryption.type);
      assert.equal(image.aesBits, entry.encryption.aes_bits);
      assert.equal(image.hashMatches, null, 'the hash covers the plaintext: not checkable');
    } else {
      assert.equal(image.hashMatches, true);
      assert.equal(image.computedSha256, entry.sha256);
    }
    // The key reference names a trusted key of the vector set.
    if (image.keyHash) assert.ok(trustedKeyHashes.has(image.keyHash));
    if (image.pubKey) assert.ok(trustedSpkis.has(image.pubKey));
  });
}

for (const entry of manifest.images.filter((i) => i.must_fail)) {
  test(`must fail ${entry.name} (${entry.must_fail})`, async () => {
    const bytes = load(entry.file);
    if (LAYOUT_CHECKS.has(entry.must_fail)) {
      await assert.rejects(parseImage(bytes), (e) => {
        assert.ok(e instanceof ImageError);
        assert.equal(e.check, entry.must_fail);
        assert.match(e.message, /^not a valid MCUboot image: /);
        return true;
      });
      return;
    }
    const image = await parseImage(bytes);
    switch (entry.must_fail) {
      case 'hash':
        // Flagged, unless the payload is encrypted: then only the device (with the key) can tell.
        assert.equal(image.hashMatches, image.encrypted ? null : false);
        break;
      case 'keyhash':
        assert.ok(image.keyHash && !trustedKeyHashes.has(image.keyHash));
        break;
      case 'pubkey':
        assert.ok(image.pubKey && !trustedSpkis.has(image.pubKey));
        break;
      case 'signature':
      case 'enc_key_unwrap':
        // Needs signature verification / the device key: out of a parser's reach; the layout
        // and the hash are still intact.
        assert.equal(image.hashMatches, image.encrypted ? null : true);
        break;
      default:
        assert.fail(`check ${entry.must_fail} not covered by this test`);
    }
  });
}

test('files that are not images are refused with a clear message', async () => {
  await assert.rejects(parseImage(new Uint8Array(0)), /shorter than an image header/);
  await assert.rejects(parseImage(new TextEncoder().encode('#!/bin/sh\necho this is not an image at all\n')),
    /header magic is 0x.*expected 0x96f3b83d/);
  await assert.rejects(parseImage('text'), TypeError);
});

test('a header that claims more than the file holds is refused before reading', async () => {
  const bytes = load(manifest.images[0].file);
  const header = bytes.slice(0, 40);
  await assert.rejects(parseImage(header), (e) => e.check === 'bounds');
  const huge = bytes.slice();
  new DataView(huge.buffer).setUint32(12, 0xffffffff, true);
  await assert.rejects(parseImage(huge), (e) => e.check === 'bounds');
});

test('a second SHA256 TLV is refused', async () => {
  const entry = manifest.images.find((i) => i.name === 'hash_only_h20');
  const bytes = load(entry.file);
  // Append a copy of the SHA256 TLV and grow the area's tlv_tot.
  const off = entry.layout.tlv_area_offset;
  const tlv = bytes.slice(off + 4, off + 4 + 36);
  const grown = new Uint8Array([...bytes, ...tlv]);
  new DataView(grown.buffer).setUint16(off + 2, entry.layout.tlv_area_tlv_tot + 36, true);
  await assert.rejects(parseImage(grown), (e) => e.check === 'hash' && /2 SHA256 TLVs/.test(e.message));
});

test('the computed hash is SHA-256 over header, payload and protected TLVs', async () => {
  const entry = manifest.images.find((i) => i.name === 'ecdsa_p256_seccnt');
  const bytes = load(entry.file);
  const [from, to] = entry.layout.hash_region;
  const image = await parseImage(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  assert.equal(image.computedSha256, createHash('sha256').update(bytes.subarray(from, to)).digest('hex'));
  assert.deepEqual(fromHex(image.sha256).length, 32);
});

test('unknown flag bits are reported; the changed header no longer matches the hash', async () => {
  const bytes = load(manifest.images.find((i) => i.name === 'ecdsa_p256_h200').file);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(16, 0x80000004, true);
  const image = await parseImage(bytes);
  assert.equal(image.unknownFlags, 0x80000000);
  assert.deepEqual(image.flagNames, ['ENCRYPTED_AES128']);
  assert.equal(image.encrypted, true);
  assert.equal(image.hashMatches, null);
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(16, 0x10, true);
  const nonBootable = await parseImage(bytes);
  assert.deepEqual(nonBootable.flagNames, ['NON_BOOTABLE']);
  assert.equal(nonBootable.hashMatches, false);
});
