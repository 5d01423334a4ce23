// CBOR against RFC 8949 Appendix A byte vectors and malformed input.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { CborError, decode, encode } from '../src/cbor.js';
import { fromHex, toHex } from '../test-support/hex.js';

// [value, preferred encoding] from RFC 8949 Appendix A (the subset SMP uses).
const ROUND_TRIP = [
  [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'],
  [1000, '1903e8'], [1000000, '1a000f4240'], [1000000000000, '1b000000e8d4a51000'],
  [18446744073709551615n, '1bffffffffffffffff'], [-1, '20'], [-10, '29'], [-100, '3863'],
  [-1000, '3903e7'], [-18446744073709551616n, '3bffffffffffffffff'],
  [false, 'f4'], [true, 'f5'], [null, 'f6'],
  [new Uint8Array(0), '40'], [Uint8Array.of(1, 2, 3, 4), '4401020304'],
  ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'], ['\u00fc', '62c3bc'],
  ['\u6c34', '63e6b0b4'], [[], '80'], [[1, 2, 3], '83010203'],
  [[1, [2, 3], [4, 5]], '8301820203820405'],
  [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
  [['a', { b: 'c' }], '826161a161626163'],
];

test('encode gives the RFC 8949 preferred encodings', () => {
  for (const [value, hex] of ROUND_TRIP) assert.equal(toHex(encode(value)), hex, String(value));
});

test('decode reads the RFC 8949 vectors back', () => {
  for (const [value, hex] of ROUND_TRIP) {
    const got = decode(fromHex(hex));
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array) &&
        !Array.isArray(value)) {
      assert.deepEqual({ ...got }, value);
    } else {
      assert.deepEqual(got, value, hex);
    }
  }
});

test('2^53 and beyond decode as BigInt, safe integers as numbers', () => {
  assert.equal(decode(fromHex('1b001fffffffffffff')), Number.MAX_SAFE_INTEGER);
  assert.equal(decode(fromHex('1b0020000000000000')), 2n ** 53n);
  assert.equal(decode(fromHex('3b001ffffffffffffe')), -Number.MAX_SAFE_INTEGER);
  assert.equal(decode(fromHex('3b001fffffffffffff')), -(2n ** 53n));
});

test('non-shortest heads are accepted', () => {
  assert.equal(decode(fromHex('1800')), 0);
  assert.equal(decode(fromHex('1b0000000000000001')), 1);
  assert.deepEqual(decode(fromHex('5a0000000101')), Uint8Array.of(1));
});

test('indefinite arrays and maps decode (RFC 8949 Appendix A)', () => {
  assert.deepEqual(decode(fromHex('9fff')), []);
  assert.deepEqual(decode(fromHex('9f018202039f0405ffff')), [1, [2, 3], [4, 5]]);
  assert.deepEqual({ ...decode(fromHex('bf61610161629f0203ffff')) }, { a: 1, b: [2, 3] });
  assert.deepEqual({ ...decode(fromHex('bf6346756ef563416d7421ff')) }, { Fun: true, Amt: -2 });
});

test('non-text map keys are skipped, text keys kept', () => {
  assert.deepEqual(decode(fromHex('a201026161f5')), { a: true });
});

test('a "__proto__" key is an ordinary property', () => {
  const got = decode(fromHex('a1695f5f70726f746f5f5f01'));
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.deepEqual(Object.keys(got), ['__proto__']);
});

const MALFORMED = [
  ['', 'empty input'],
  ['19 03', 'truncated 2-byte argument'],
  ['1a 00 00 00', 'truncated 4-byte argument'],
  ['62 61', 'text shorter than its length'],
  ['44 01 02 03', 'bytes shorter than its length'],
  ['83 01 02', 'array missing an item'],
  ['a1 61 61', 'map missing a value'],
  ['9f 01 02', 'indefinite array without break'],
  ['bf 61 61 ff', 'break as a map value'],
  ['ff', 'break at top level'],
  ['82 01 ff', 'break in a definite array'],
  ['1c', 'reserved additional information 28'],
  ['1f', 'indefinite integer'],
  ['5f 41 01 ff', 'indefinite byte string'],
  ['7f 61 61 ff', 'indefinite text string'],
  ['c0 60', 'tag'],
  ['f9 3c 00', 'half float'],
  ['fb 3f f1 99 99 99 99 99 9a', 'double'],
  ['f7', 'undefined'],
  ['f8 10', 'one-byte simple value below 32'],
  ['62 c3 28', 'invalid UTF-8'],
  ['a2 61 61 01 61 61 02', 'duplicate key'],
  ['01 02', 'trailing byte'],
  ['9b ff ff ff ff ff ff ff ff', 'array count beyond the input'],
  ['bb 00 00 00 00 00 00 00 02 01', 'map count beyond the input'],
  ['5b 00 00 00 00 ff ff ff ff', 'byte string length beyond the limit'],
];

test('malformed input throws CborError', () => {
  for (const [hex, what] of MALFORMED) {
    assert.throws(() => decode(fromHex(hex)), CborError, what);
  }
});

test('nesting deeper than the limit is refused, at the limit accepted', () => {
  const nested = (arrays) => fromHex('81'.repeat(arrays) + '00');
  assert.doesNotThrow(() => decode(nested(8)));
  assert.throws(() => decode(nested(9)), /nesting deeper than 8/);
  assert.throws(() => decode(fromHex('9f'.repeat(10000))), /nesting deeper/);
  assert.doesNotThrow(() => encode([[[[[[[[1]]]]]]]]));
  assert.throws(() => encode([[[[[[[[[1]]]]]]]]]), /nesting deeper than 8/);
});

test('item count limit bounds the work on a long indefinite array', () => {
  const many = new Uint8Array(2000).fill(0);
  many[0] = 0x9f;
  many[1999] = 0xff;
  assert.throws(() => decode(many), /more than 1024 items/);
  assert.equal(decode(many, { maxItems: 2000 }).length, 1998);
});

test('encode refuses what SMP cannot carry', () => {
  assert.throws(() => encode(1.5), CborError);
  assert.throws(() => encode(2 ** 60), CborError);
  assert.throws(() => encode(undefined), CborError);
  assert.throws(() => encode(2n ** 64n), CborError);
  assert.throws(() => encode(-(2n ** 64n) - 1n), CborError);
});

test('random bytes never hang and only throw CborError', () => {
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 16;
  };
  for (let i = 0; i < 5000; i++) {
    const bytes = Uint8Array.from({ length: 1 + (rand() % 40) }, () => rand() & 0xff);
    try {
      decode(bytes);
    } catch (e) {
      assert.ok(e instanceof CborError, `${toHex(bytes)}: ${e}`);
    }
  }
});
