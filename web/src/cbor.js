// Bounded CBOR (RFC 8949) encoder and decoder for the subset SMP uses: integers (64-bit as
// BigInt beyond Number's safe range), byte and text strings, arrays, maps (definite and
// indefinite), false/true/null. Floats, tags, undefined and indefinite strings are refused, as
// the device's reader refuses them (docs/spec/smp.md, "CBOR subset").

export class CborError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CborError';
  }
}

export const DEFAULT_LIMITS = Object.freeze({
  maxDepth: 8, // the device's CborLimits::max_depth
  maxItems: 1024, // the device's CborLimits::max_items
  maxStringLength: 65536, // no SMP packet is longer (16-bit length field)
});

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const UINT64_MAX = (1n << 64n) - 1n;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// Encoder

class ByteSink {
  constructor() {
    this.chunks = [];
    this.size = 0;
  }
  push(bytes) {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }
  bytes() {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

// Shortest head (preferred serialization), as the device's writer produces.
function head(major, value) {
  const v = BigInt(value);
  if (v < 0n || v > UINT64_MAX) throw new CborError(`CBOR argument ${v} out of range`);
  const m = major << 5;
  if (v < 24n) return Uint8Array.of(m | Number(v));
  if (v <= 0xffn) return Uint8Array.of(m | 24, Number(v));
  if (v <= 0xffffn) return Uint8Array.of(m | 25, Number(v >> 8n), Number(v & 0xffn));
  const size = v <= 0xffffffffn ? 4 : 8;
  const out = new Uint8Array(1 + size);
  out[0] = m | (size === 4 ? 26 : 27);
  for (let i = size; i >= 1; i--) out[i] = Number((v >> BigInt((size - i) * 8)) & 0xffn);
  return out;
}

export function cborHeadSize(value) {
  return head(0, value).length;
}

function encodeInto(sink, value, depth, limits) {
  if (value === null) return sink.push(Uint8Array.of(0xf6));
  if (value === false) return sink.push(Uint8Array.of(0xf4));
  if (value === true) return sink.push(Uint8Array.of(0xf5));
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) {
      throw new CborError(`only safe integers can be encoded (got ${value}); SMP has no floats`);
    }
    value = BigInt(value);
  }
  if (typeof value === 'bigint') {
    if (value >= 0n) return sink.push(head(0, value));
    return sink.push(head(1, -1n - value));
  }
  if (typeof value === 'string') {
    const utf8 = textEncoder.encode(value);
    sink.push(head(3, utf8.length));
    return sink.push(utf8);
  }
  if (value instanceof Uint8Array) {
    sink.push(head(2, value.length));
    return sink.push(Uint8Array.from(value));
  }
  const isContainer = Array.isArray(value) || (typeof value === 'object' && value !== undefined);
  if (isContainer && depth > limits.maxDepth) {
    throw new CborError(`nesting deeper than ${limits.maxDepth}`);
  }
  if (Array.isArray(value)) {
    sink.push(head(4, value.length));
    for (const item of value) encodeInto(sink, item, depth + 1, limits);
    return;
  }
  if (isContainer) {
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    const present = entries.filter(([, v]) => v !== undefined); // undefined: key left out
    sink.push(head(5, present.length));
    for (const [k, v] of present) {
      encodeInto(sink, k, depth + 1, limits);
      encodeInto(sink, v, depth + 1, limits);
    }
    return;
  }
  throw new CborError(`cannot encode a value of type ${typeof value}`);
}

// Encodes a value; objects and Maps become definite maps in insertion order.
export function encode(value, limits = DEFAULT_LIMITS) {
  const sink = new ByteSink();
  encodeInto(sink, value, 1, { ...DEFAULT_LIMITS, ...limits });
  return sink.bytes();
}

// ---------------------------------------------------------------------------------------------
// Decoder

class Reader {
  constructor(bytes, limits) {
    if (!(bytes instanceof Uint8Array)) throw new CborError('CBOR input must be a Uint8Array');
    this.bytes = bytes;
    this.at = 0;
    this.items = 0;
    this.limits = limits;
  }
  remaining() {
    return this.bytes.length - this.at;
  }
  fail(what) {
    throw new CborError(`${what} at byte ${this.at}`);
  }
  byte() {
    if (this.at >= this.bytes.length) this.fail('truncated CBOR: missing item');
    return this.bytes[this.at++];
  }
  // Reads an item head: { major, info, value (BigInt) | null for indefinite }.
  readHead() {
    if (++this.items > this.limits.maxItems) this.fail(`more than ${this.limits.maxItems} items`);
    const start = this.at;
    const initial = this.byte();
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info < 24) return { major, info, value: BigInt(info), start };
    if (info >= 28 && info <= 30) this.fail(`reserved additional information ${info}`);
    if (info === 31) return { major, info, value: null, start };
    const size = 1 << (info - 24);
    if (this.remaining() < size) this.fail(`truncated CBOR: ${size}-byte argument`);
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.bytes[this.at++]);
    return { major, info, value: v, start };
  }
  readLength(h, what) {
    if (h.value > BigInt(this.limits.maxStringLength)) {
      this.fail(`${what} of ${h.value} bytes exceeds the limit ${this.limits.maxStringLength}`);
    }
    const n = Number(h.value);
    if (n > this.remaining()) this.fail(`truncated CBOR: ${what} of ${n} bytes`);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  // Returns the item, or BREAK when an indefinite container ends (only allowed there).
  readItem(depth, breakAllowed) {
    const h = this.readHead();
    switch (h.major) {
      case 0:
        if (h.value === null) this.fail('indefinite-length integer');
        return toInteger(h.value);
      case 1:
        if (h.value === null) this.fail('indefinite-length integer');
        return toInteger(-1n - h.value);
      case 2:
        if (h.value === null) this.fail('indefinite-length byte string (unsupported)');
        return Uint8Array.from(this.readLength(h, 'byte string'));
      case 3: {
        if (h.value === null) this.fail('indefinite-length text string (unsupported)');
        const raw = this.readLength(h, 'text string');
        try {
          return textDecoder.decode(raw);
        } catch {
          return this.fail('text string is not valid UTF-8');
        }
      }
      case 4:
        return this.readArray(h, depth);
      case 5:
        return this.readMap(h, depth);
      case 6:
        return this.fail(`tag ${h.value} (unsupported)`);
      default:
        return this.readSimple(h, breakAllowed);
    }
  }
  enter(depth) {
    if (depth > this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth}`);
  }
  readArray(h, depth) {
    this.enter(depth);
    const out = [];
    if (h.value === null) {
      for (;;) {
        const item = this.readItem(depth + 1, true);
        if (item === BREAK) return out;
        out.push(item);
      }
    }
    // Every item takes at least one byte: a larger count cannot be real.
    if (h.value > BigInt(this.remaining())) this.fail(`array of ${h.value} items is truncated`);
    for (let i = Number(h.value); i > 0; i--) out.push(this.readItem(depth + 1, false));
    return out;
  }
  readMap(h, depth) {
    this.enter(depth);
    const out = {};
    const indefinite = h.value === null;
    if (!indefinite && h.value * 2n > BigInt(this.remaining())) {
      this.fail(`map of ${h.value} pairs is truncated`);
    }
    for (let i = indefinite ? Infinity : Number(h.value); i > 0; i--) {
      const keyAt = this.at;
      const key = this.readItem(depth + 1, indefinite);
      if (key === BREAK) break;
      const value = this.readItem(depth + 1, false);
      // SMP keys are text; other keys are skipped (after being checked), as the device does.
      if (typeof key !== 'string') continue;
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        this.at = keyAt;
        this.fail(`duplicate map key "${key}"`);
      }
      // defineProperty: a key such as "__proto__" stays an ordinary own property.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  readSimple(h, breakAllowed) {
    if (h.info === 31) {
      if (!breakAllowed) this.fail('unexpected break');
      return BREAK;
    }
    if (h.info === 20) return false;
    if (h.info === 21) return true;
    if (h.info === 22) return null;
    if (h.info >= 25 && h.info <= 27) return this.fail('floating-point value (unsupported)');
    if (h.info === 24 && h.value < 32n) return this.fail('one-byte simple value below 32');
    return this.fail(`simple value ${h.value} (unsupported)`);
  }
}

const BREAK = Symbol('break');

function toInteger(v) {
  return v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
}

// Decodes exactly one item that fills the whole input. Maps become plain objects with
// their text keys. Throws CborError on anything malformed, truncated, too deep or too large.
export function decode(bytes, limits = DEFAULT_LIMITS) {
  const reader = new Reader(bytes, { ...DEFAULT_LIMITS, ...limits });
  const value = reader.readItem(1, false);
  if (reader.remaining() !== 0) reader.fail(`${reader.remaining()} trailing bytes after the item`);
  return value;
}
