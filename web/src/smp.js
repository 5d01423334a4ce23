// SMP (mcumgr) packets: the 8-byte header, request builders for the OS and image groups, reply
// decoding with v1 `rc` and v2 `err {group, rc}` errors, and a reassembler for packets that
// arrive in pieces (BLE notifications). Facts: docs/spec/smp.md, docs/spec/smp-image.md.

import { CborError, decode, encode } from './cbor.js';

export const SMP_HEADER_SIZE = 8;
export const SMP_MAX_PAYLOAD = 0xffff; // 16-bit length field

export const Op = Object.freeze({ READ: 0, READ_RSP: 1, WRITE: 2, WRITE_RSP: 3 });
export const Version = Object.freeze({ V1: 0, V2: 1 });
export const Group = Object.freeze({ OS: 0, IMAGE: 1 });
export const OsCommand = Object.freeze({ ECHO: 0, RESET: 5, PARAMS: 6, INFO: 7, BOOTLOADER_INFO: 8 });
export const ImageCommand = Object.freeze({ STATE: 0, UPLOAD: 1, ERASE: 5, SLOT_INFO: 6 });

export class SmpError extends Error {
  constructor(message, details = {}) {
    super(message);
    this.name = 'SmpError';
    Object.assign(this, details);
  }
}

// Generic codes (Zephyr's enum mcumgr_err_t).
export const GENERIC_RC_NAMES = Object.freeze([
  'ok', 'unknown', 'no_memory', 'invalid', 'timeout', 'no_entry', 'bad_state', 'too_large',
  'not_supported', 'corrupt', 'busy', 'access_denied', 'unsupported_too_old',
  'unsupported_too_new',
]);

// Group codes: OS group (os_mgmt_err_code_t) and image group (img_mgmt_err_code_t).
export const GROUP_RC_NAMES = Object.freeze({
  [Group.OS]: ['ok', 'unknown', 'invalid_format', 'query_yields_no_answer', 'rtc_not_set',
    'rtc_command_failed', 'query_response_value_not_valid'],
  [Group.IMAGE]: ['ok', 'unknown', 'flash_config_query_fail', 'no_image', 'no_tlvs',
    'invalid_tlv', 'tlv_multiple_hashes_found', 'tlv_invalid_size', 'hash_not_found',
    'no_free_slot', 'flash_open_failed', 'flash_read_failed', 'flash_write_failed',
    'flash_erase_failed', 'invalid_slot', 'no_free_memory', 'flash_context_already_set',
    'flash_context_not_set', 'flash_area_device_null', 'invalid_page_offset', 'invalid_offset',
    'invalid_length', 'invalid_image_header', 'invalid_image_header_magic', 'invalid_hash',
    'invalid_flash_address', 'version_get_failed', 'current_version_is_newer',
    'image_already_pending', 'invalid_image_vector_table', 'invalid_image_too_large',
    'invalid_image_data_overrun', 'image_confirmation_denied',
    'image_setting_test_to_active_denied'],
});

export function rcName(rc, group = null) {
  const table = group === null ? GENERIC_RC_NAMES : GROUP_RC_NAMES[group];
  return (table && table[rc]) || `rc_${rc}`;
}

function checkUint(value, max, what) {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new SmpError(`${what} must be an integer 0..${max} (got ${value})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Header

export function encodeHeader({ op, version = Version.V2, flags = 0, length, group, seq, id }) {
  checkUint(op, 3, 'op');
  checkUint(version, 1, 'version');
  checkUint(flags, 0xff, 'flags');
  checkUint(length, SMP_MAX_PAYLOAD, 'length');
  checkUint(group, 0xffff, 'group');
  checkUint(seq, 0xff, 'seq');
  checkUint(id, 0xff, 'id');
  return Uint8Array.of((version << 3) | op, flags, length >> 8, length & 0xff, group >> 8,
    group & 0xff, seq, id);
}

// Reads the first 8 bytes; the payload need not be there yet (reassembly uses this).
export function decodeHeader(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new SmpError('SMP header input must be a Uint8Array');
  if (bytes.length < SMP_HEADER_SIZE) {
    throw new SmpError(`SMP header needs 8 bytes, got ${bytes.length}`);
  }
  const b0 = bytes[0];
  if (b0 & 0xe0) throw new SmpError(`SMP header reserved bits set (byte 0 = 0x${hex8(b0)})`);
  const version = (b0 >> 3) & 0x3;
  if (version > Version.V2) throw new SmpError(`SMP version ${version + 1} is not supported`);
  const op = b0 & 0x7;
  if (op > Op.WRITE_RSP) throw new SmpError(`SMP op ${op} is not one of read/read-rsp/write/write-rsp`);
  return {
    op,
    version,
    flags: bytes[1],
    length: (bytes[2] << 8) | bytes[3],
    group: (bytes[4] << 8) | bytes[5],
    seq: bytes[6],
    id: bytes[7],
  };
}

function hex8(b) {
  return b.toString(16).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// Packets

// request: { op, group, id, payload (object) }; returns header + CBOR payload.
export function encodePacket(request, { seq, version = Version.V2 } = {}) {
  const payload = encode(request.payload ?? {});
  if (payload.length > SMP_MAX_PAYLOAD) {
    throw new SmpError(`SMP payload of ${payload.length} bytes exceeds ${SMP_MAX_PAYLOAD}`);
  }
  const header = encodeHeader({
    op: request.op, version, length: payload.length, group: request.group, seq, id: request.id,
  });
  const packet = new Uint8Array(SMP_HEADER_SIZE + payload.length);
  packet.set(header, 0);
  packet.set(payload, SMP_HEADER_SIZE);
  return packet;
}

// A whole packet (one UDP datagram, one reassembled BLE packet): the header length must equal
// the bytes after the header; the payload must be one CBOR map (empty payload: {}).
export function decodePacket(bytes) {
  const header = decodeHeader(bytes);
  if (SMP_HEADER_SIZE + header.length !== bytes.length) {
    throw new SmpError(`SMP header says ${header.length} payload bytes, packet has ` +
      `${bytes.length - SMP_HEADER_SIZE}`);
  }
  if (header.length === 0) return { header, payload: {} };
  let payload;
  try {
    payload = decode(bytes.subarray(SMP_HEADER_SIZE));
  } catch (e) {
    if (e instanceof CborError) throw new SmpError(`malformed SMP payload: ${e.message}`);
    throw e;
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload) ||
      payload instanceof Uint8Array) {
    throw new SmpError('SMP payload is not a CBOR map');
  }
  return { header, payload };
}

// The error a reply carries, or null: v1/generic `{rc: N}` (rc 0 is success) or v2
// `{err: {group, rc}}`.
export function replyError(payload) {
  if (payload.err !== undefined) {
    const err = payload.err;
    if (err === null || typeof err !== 'object' || !Number.isInteger(err.group) ||
        !Number.isInteger(err.rc)) {
      throw new SmpError('malformed v2 error: "err" must be {group, rc} with integers');
    }
    if (err.rc === 0) return null;
    return { group: err.group, rc: err.rc, name: rcName(err.rc, err.group) };
  }
  if (payload.rc !== undefined) {
    if (!Number.isInteger(payload.rc)) throw new SmpError('malformed reply: "rc" is not an integer');
    if (payload.rc === 0) return null;
    return { group: null, rc: payload.rc, name: rcName(payload.rc) };
  }
  return null;
}

export function errorMessage(error) {
  return error.group === null
    ? `device error rc ${error.rc} (${error.name})`
    : `device error group ${error.group} rc ${error.rc} (${error.name})`;
}

// ---------------------------------------------------------------------------------------------
// Requests: { op, group, id, payload }

export const requests = Object.freeze({
  echo(text) {
    if (typeof text !== 'string') throw new SmpError('echo text must be a string');
    return { op: Op.WRITE, group: Group.OS, id: OsCommand.ECHO, payload: { d: text } };
  },
  reset(force = false) {
    return { op: Op.WRITE, group: Group.OS, id: OsCommand.RESET, payload: force ? { force: true } : {} };
  },
  params() {
    return { op: Op.READ, group: Group.OS, id: OsCommand.PARAMS, payload: {} };
  },
  info(format) {
    return { op: Op.READ, group: Group.OS, id: OsCommand.INFO,
      payload: format === undefined ? {} : { format } };
  },
  imageState() {
    return { op: Op.READ, group: Group.IMAGE, id: ImageCommand.STATE, payload: {} };
  },
  // Marks the image with this hash for a test boot (confirm: false).
  imageTest(hash) {
    checkHash(hash);
    return { op: Op.WRITE, group: Group.IMAGE, id: ImageCommand.STATE,
      payload: { hash, confirm: false } };
  },
  // Confirms the image with this hash, or the running image when no hash is given.
  imageConfirm(hash) {
    if (hash !== undefined) checkHash(hash);
    return { op: Op.WRITE, group: Group.IMAGE, id: ImageCommand.STATE,
      payload: hash === undefined ? { confirm: true } : { hash, confirm: true } };
  },
  // First chunk (off 0): also len, sha (SHA-256 of the whole upload, lets the device resume),
  // image and upgrade; later chunks: off and data only.
  upload({ off, data, len, sha, image = 0, upgrade }) {
    checkUint(off, 0xffffffff, 'upload offset');
    if (!(data instanceof Uint8Array)) throw new SmpError('upload data must be a Uint8Array');
    const payload = { off, data };
    if (off === 0) {
      checkUint(len, 0xffffffff, 'upload length');
      checkUint(image, 0xffffffff, 'image number');
      payload.image = image;
      payload.len = len;
      if (sha !== undefined) {
        if (!(sha instanceof Uint8Array) || sha.length > 32) {
          throw new SmpError('upload sha must be at most 32 bytes');
        }
        payload.sha = sha;
      }
      if (upgrade !== undefined) payload.upgrade = Boolean(upgrade);
    }
    return { op: Op.WRITE, group: Group.IMAGE, id: ImageCommand.UPLOAD, payload };
  },
  erase(slot) {
    if (slot !== undefined) checkUint(slot, 0xffffffff, 'slot');
    return { op: Op.WRITE, group: Group.IMAGE, id: ImageCommand.ERASE,
      payload: slot === undefined ? {} : { slot } };
  },
  slotInfo() {
    return { op: Op.READ, group: Group.IMAGE, id: ImageCommand.SLOT_INFO, payload: {} };
  },
});

function checkHash(hash) {
  if (!(hash instanceof Uint8Array) || hash.length !== 32) {
    throw new SmpError('image hash must be 32 bytes');
  }
}

// ---------------------------------------------------------------------------------------------
// Reassembly of packets that arrive in pieces (GATT notifications of at most ATT_MTU - 3 bytes).

export class SmpReassembler {
  constructor({ maxPacket = SMP_HEADER_SIZE + SMP_MAX_PAYLOAD } = {}) {
    checkUint(maxPacket, SMP_HEADER_SIZE + SMP_MAX_PAYLOAD, 'maxPacket');
    if (maxPacket < SMP_HEADER_SIZE) throw new SmpError('maxPacket must be at least 8');
    this.maxPacket = maxPacket;
    this.reset();
  }
  // Drops a partial packet (disconnect, or a timeout between pieces).
  reset() {
    this.buffer = new Uint8Array(0);
    this.expected = 0; // whole packet size once the header is in
    this.skip = 0; // bytes still to drop of an oversized packet
  }
  get inPacket() {
    return this.buffer.length > 0 || this.skip > 0;
  }
  // Feeds one piece; returns { packets: [Uint8Array], errors: [string] }.
  feed(piece) {
    if (!(piece instanceof Uint8Array)) throw new SmpError('reassembler input must be a Uint8Array');
    const packets = [];
    const errors = [];
    let at = 0;
    while (at < piece.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, piece.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const want = this.expected === 0 ? SMP_HEADER_SIZE : this.expected;
      const n = Math.min(want - this.buffer.length, piece.length - at);
      this.buffer = concat(this.buffer, piece.subarray(at, at + n));
      at += n;
      if (this.buffer.length < want) break;
      if (this.expected === 0) {
        let header;
        try {
          header = decodeHeader(this.buffer);
        } catch (e) {
          // Without a trusted length nothing after it can be placed: drop the rest.
          errors.push(`bad header: ${e.message}`);
          this.reset();
          break;
        }
        const size = SMP_HEADER_SIZE + header.length;
        if (size > this.maxPacket) {
          errors.push(`oversized packet: ${size} bytes, limit ${this.maxPacket}`);
          this.buffer = new Uint8Array(0);
          this.skip = header.length;
          continue;
        }
        this.expected = size;
        if (size > SMP_HEADER_SIZE) continue;
      }
      packets.push(this.buffer);
      this.buffer = new Uint8Array(0);
      this.expected = 0;
    }
    return { packets, errors };
  }
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
