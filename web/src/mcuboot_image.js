// MCUboot image parser: header, protected and unprotected TLV areas, every offset checked against
// the file size before it is read. It reports what a page shows before an upload (version, size,
// signature type, encryption) and checks the SHA256 TLV against the hash of the file. Signatures
// are not verified here. Facts: docs/spec/image-format.md.

export const IMAGE_MAGIC = 0x96f3b83d;
export const TLV_INFO_MAGIC = 0x6907;
export const TLV_PROT_INFO_MAGIC = 0x6908;
export const IMAGE_HEADER_SIZE = 32;

export const ImageFlag = Object.freeze({
  PIC: 0x1, ENCRYPTED_AES128: 0x4, ENCRYPTED_AES256: 0x8, NON_BOOTABLE: 0x10, RAM_LOAD: 0x20,
  ROM_FIXED: 0x100, COMPRESSED_LZMA1: 0x200, COMPRESSED_LZMA2: 0x400,
  COMPRESSED_ARM_THUMB_FLT: 0x800,
});

export const TlvType = Object.freeze({
  KEYHASH: 0x01, PUBKEY: 0x02, SHA256: 0x10, SHA384: 0x11, SHA512: 0x12, RSA2048_PSS: 0x20,
  ECDSA224: 0x21, ECDSA_SIG: 0x22, RSA3072_PSS: 0x23, ED25519: 0x24, SIG_PURE: 0x25,
  ENC_RSA2048: 0x30, ENC_KW: 0x31, ENC_EC256: 0x32, ENC_X25519: 0x33, ENC_X25519_SHA512: 0x34,
  DEPENDENCY: 0x40, SEC_CNT: 0x50, BOOT_RECORD: 0x60,
});

const TLV_NAMES = Object.fromEntries(Object.entries(TlvType).map(([k, v]) => [v, k]));
const SIGNATURE_TYPES = Object.freeze({
  [TlvType.ECDSA_SIG]: 'ECDSA_P256', [TlvType.ED25519]: 'ED25519',
  [TlvType.RSA2048_PSS]: 'RSA2048_PSS', [TlvType.RSA3072_PSS]: 'RSA3072_PSS',
  [TlvType.ECDSA224]: 'ECDSA224',
});
const ENCRYPTION_TYPES = Object.freeze({
  [TlvType.ENC_KW]: 'ENC_KW', [TlvType.ENC_EC256]: 'ENC_EC256',
  [TlvType.ENC_X25519]: 'ENC_X25519', [TlvType.ENC_RSA2048]: 'ENC_RSA2048',
  [TlvType.ENC_X25519_SHA512]: 'ENC_X25519_SHA512',
});

// `check` is the failing check's id, the same strings as the vector manifest's must_fail.
export class ImageError extends Error {
  constructor(check, message) {
    super(`not a valid MCUboot image: ${message}`);
    this.name = 'ImageError';
    this.check = check;
  }
}

export function tlvName(type) {
  return TLV_NAMES[type] ?? `0x${type.toString(16).padStart(2, '0')}`;
}

// Reads one TLV area at `offset`: {magic, total, entries: [{type, len, offset}]}.
function readTlvArea(view, fileSize, offset, magic, magicCheck, what) {
  if (offset + 4 > fileSize) throw new ImageError('bounds', `${what} TLV info lies past the end of the file`);
  const found = view.getUint16(offset, true);
  if (found !== magic) {
    throw new ImageError(magicCheck, `${what} TLV magic is 0x${found.toString(16)}, ` +
      `expected 0x${magic.toString(16)}`);
  }
  const total = view.getUint16(offset + 2, true);
  if (total < 4) throw new ImageError('tlv_bounds', `${what} TLV area size ${total} is below 4`);
  if (offset + total > fileSize) {
    throw new ImageError('bounds', `${what} TLV area (${total} bytes at ${offset}) ends past the ` +
      `end of the file (${fileSize} bytes)`);
  }
  const end = offset + total;
  const entries = [];
  for (let at = offset + 4; at < end;) {
    if (at + 4 > end) throw new ImageError('tlv_bounds', `${what} TLV area ends inside an entry header`);
    const type = view.getUint16(at, true);
    const len = view.getUint16(at + 2, true);
    if (at + 4 + len > end) {
      throw new ImageError('tlv_bounds', `${what} TLV ${tlvName(type)} (${len} bytes at ${at}) ` +
        'runs past its area');
    }
    entries.push({ type, name: tlvName(type), len, offset: at + 4 });
    at += 4 + len;
  }
  return { magic, total, entries };
}

// imgtool's form ("1.2.3+4"), as the vectors' manifest spells it.
function versionString(major, minor, revision, build) {
  return `${major}.${minor}.${revision}+${build}`;
}

// The form an SMP image list uses (Zephyr's img_mgmt, bleota): the build number only when it is
// not zero, after a dot ("1.2.3", "1.2.3.4"), so a file and a slot can be compared by eye.
function smpVersionString(major, minor, revision, build) {
  return build === 0 ? `${major}.${minor}.${revision}` : `${major}.${minor}.${revision}.${build}`;
}

function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function defaultSubtle() {
  if (globalThis.crypto?.subtle) return globalThis.crypto.subtle;
  // Node 18 has WebCrypto only as a module, not as a global.
  const nodeCrypto = await import('node:crypto');
  return nodeCrypto.webcrypto.subtle;
}

// Parses an image file (Uint8Array or ArrayBuffer). Throws ImageError for a file that is not an
// image or whose layout is broken. The hash is checked unless the payload is encrypted (the hash
// covers the plaintext): hashMatches is then null.
export async function parseImage(input, { subtle } = {}) {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) throw new TypeError('image must be a Uint8Array or ArrayBuffer');
  const fileSize = bytes.length;
  if (fileSize < IMAGE_HEADER_SIZE) {
    throw new ImageError('bounds', `file of ${fileSize} bytes is shorter than an image header (32)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== IMAGE_MAGIC) {
    throw new ImageError('header_magic', `header magic is 0x${magic.toString(16).padStart(8, '0')}, ` +
      'expected 0x96f3b83d');
  }
  const header = {
    magic,
    loadAddr: view.getUint32(4, true),
    hdrSize: view.getUint16(8, true),
    protectTlvSize: view.getUint16(10, true),
    imgSize: view.getUint32(12, true),
    flags: view.getUint32(16, true),
    version: {
      major: bytes[20], minor: bytes[21], revision: view.getUint16(22, true),
      build: view.getUint32(24, true),
    },
  };
  if (header.hdrSize < IMAGE_HEADER_SIZE) {
    throw new ImageError('header_size', `header size ${header.hdrSize} is below 32`);
  }
  // Numbers stay below 2^33 here, so plain arithmetic cannot overflow.
  const payloadEnd = header.hdrSize + header.imgSize;
  if (payloadEnd > fileSize) {
    throw new ImageError('bounds', `header (${header.hdrSize}) + payload (${header.imgSize}) = ` +
      `${payloadEnd} bytes, the file has ${fileSize}`);
  }
  let protectedArea = null;
  if (header.protectTlvSize !== 0) {
    protectedArea = readTlvArea(view, fileSize, payloadEnd, TLV_PROT_INFO_MAGIC, 'tlv_prot_magic',
      'protected');
    if (protectedArea.total !== header.protectTlvSize) {
      throw new ImageError('protect_tlv_size', `header says the protected TLV area is ` +
        `${header.protectTlvSize} bytes, its info says ${protectedArea.total}`);
    }
  } else if (payloadEnd + 2 <= fileSize && view.getUint16(payloadEnd, true) === TLV_PROT_INFO_MAGIC) {
    throw new ImageError('protect_tlv_size', 'a protected TLV area is present but the header ' +
      'says its size is 0');
  }
  const hashEnd = payloadEnd + header.protectTlvSize;
  const area = readTlvArea(view, fileSize, hashEnd, TLV_INFO_MAGIC, 'tlv_magic', 'unprotected');
  const tlvEnd = hashEnd + area.total;

  const value = (e) => bytes.subarray(e.offset, e.offset + e.len);
  const only = (type, check) => {
    const found = area.entries.filter((e) => e.type === type);
    if (found.length > 1) throw new ImageError(check, `${found.length} ${tlvName(type)} TLVs`);
    return found[0];
  };
  const shaTlv = only(TlvType.SHA256, 'hash');
  if (!shaTlv) throw new ImageError('missing_tlv', 'no SHA256 TLV');
  if (shaTlv.len !== 32) throw new ImageError('hash', `SHA256 TLV is ${shaTlv.len} bytes, not 32`);
  const keyHash = only(TlvType.KEYHASH, 'keyhash');
  const pubKey = only(TlvType.PUBKEY, 'pubkey');
  const signatures = area.entries.filter((e) => SIGNATURE_TYPES[e.type]);
  if (signatures.length > 1) throw new ImageError('signature', `${signatures.length} signature TLVs`);
  const encs = area.entries.filter((e) => ENCRYPTION_TYPES[e.type]);
  if (encs.length > 1) throw new ImageError('enc_key_unwrap', `${encs.length} encryption TLVs`);
  const secCnt = protectedArea?.entries.find((e) => e.type === TlvType.SEC_CNT);
  if (secCnt && secCnt.len !== 4) throw new ImageError('tlv_bounds', `SEC_CNT TLV is ${secCnt.len} bytes`);

  const encryptedFlags = header.flags & (ImageFlag.ENCRYPTED_AES128 | ImageFlag.ENCRYPTED_AES256);
  const encrypted = encryptedFlags !== 0;
  const sha256 = toHex(value(shaTlv));
  let computed = null;
  let hashMatches = null;
  if (!encrypted) {
    const s = subtle ?? (await defaultSubtle());
    computed = toHex(new Uint8Array(await s.digest('SHA-256', bytes.subarray(0, hashEnd))));
    hashMatches = computed === sha256;
  }
  const v = header.version;
  return {
    header,
    version: versionString(v.major, v.minor, v.revision, v.build),
    smpVersion: smpVersionString(v.major, v.minor, v.revision, v.build),
    imageSize: header.imgSize,
    fileSize,
    tlvEnd,
    flags: header.flags,
    flagNames: Object.entries(ImageFlag).filter(([, bit]) => header.flags & bit).map(([name]) => name),
    unknownFlags: (header.flags & ~Object.values(ImageFlag).reduce((a, b) => a | b, 0)) >>> 0,
    encrypted,
    aesBits: encryptedFlags === ImageFlag.ENCRYPTED_AES128 ? 128
      : encryptedFlags === ImageFlag.ENCRYPTED_AES256 ? 256 : null,
    encryption: encs.length ? ENCRYPTION_TYPES[encs[0].type] : null,
    signatureType: signatures.length ? SIGNATURE_TYPES[signatures[0].type] : null,
    sha256,
    computedSha256: computed,
    hashMatches,
    keyHash: keyHash ? toHex(value(keyHash)) : null,
    pubKey: pubKey ? toHex(value(pubKey)) : null,
    securityCounter: secCnt ? view.getUint32(secCnt.offset, true) : null,
    protectedTlvs: protectedArea ? protectedArea.entries : [],
    tlvs: area.entries,
  };
}
