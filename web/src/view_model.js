// What the page shows, as pure functions: number formatting, progress text, the images table,
// button states and error messages. app.js only moves these into the DOM, so this is where the
// page's logic is tested (web/test/view_model.test.js).

import { ImageError } from './mcuboot_image.js';
import { SmpError } from './smp.js';
import { TimeoutError } from './client.js';
import { DisconnectedError, MAX_PIECE_SIZE, MIN_PIECE_SIZE } from './ble_transport.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB'];

export function formatBytes(n) {
  if (!Number.isFinite(n) || n < 0) return '–';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

export function formatRate(bytesPerSecond) {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '–';
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

// m:ss, or h:mm:ss from an hour on; '–' when unknown.
export function formatEta(seconds) {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

// From upload.js's onProgress({bytes, total, rate, eta}).
export function progressView({ bytes, total, rate, eta }) {
  const percent = total > 0 ? Math.floor((bytes * 100) / total) : 0;
  return {
    value: bytes,
    max: total,
    percent,
    text: `${formatBytes(bytes)} of ${formatBytes(total)} (${percent}%) · ${formatRate(rate)} · ` +
      `${formatEta(eta)} left`,
  };
}

export function hexShort(bytes, n = 8) {
  if (!(bytes instanceof Uint8Array)) return '–';
  return Array.from(bytes.subarray(0, n / 2), (b) => b.toString(16).padStart(2, '0')).join('');
}

const FLAG_NAMES = ['active', 'confirmed', 'pending', 'permanent'];

export function flagsText(entry) {
  const flags = FLAG_NAMES.filter((name) => entry[name] === true);
  if (entry.bootable === false) flags.push('not bootable');
  return flags.length ? flags.join(', ') : 'none';
}

// Rows of the images table from the image state reply ({images: [...]}); a reply that does not
// have that shape is refused rather than shown half.
export function imageRows(payload) {
  if (!payload || !Array.isArray(payload.images)) {
    throw new SmpError('malformed image list: no "images" array');
  }
  return payload.images.map((entry, i) => {
    if (!entry || typeof entry !== 'object' || !Number.isInteger(entry.slot) ||
        typeof entry.version !== 'string') {
      throw new SmpError(`malformed image list: entry ${i} lacks slot or version`);
    }
    const hash = entry.hash instanceof Uint8Array ? entry.hash : null;
    return {
      image: Number.isInteger(entry.image) ? entry.image : 0,
      slot: entry.slot,
      version: entry.version,
      hash,
      hashShort: hexShort(hash),
      flags: flagsText(entry),
      active: entry.active === true,
      confirmed: entry.confirmed === true,
      pending: entry.pending === true,
    };
  });
}

// Label/value pairs shown for a chosen image file (from parseImage).
export function imageFileSummary(info) {
  let hash;
  if (info.hashMatches === null) hash = 'not checked (encrypted: the hash covers the plaintext)';
  else hash = info.hashMatches ? `matches (${info.sha256.slice(0, 16)}…)` : 'DOES NOT MATCH';
  return [
    ['Version', info.smpVersion],
    ['Size', `${formatBytes(info.fileSize)} (payload ${formatBytes(info.imageSize)})`],
    ['Signature', info.signatureType ?? 'none'],
    ['Encrypted', info.encrypted ? `yes, AES-${info.aesBits} (${info.encryption ?? 'no key TLV'})` : 'no'],
    ['SHA-256', hash],
  ];
}

// Whether a parsed file may be uploaded, and why not.
export function uploadRefusal(info) {
  if (info.hashMatches === false) {
    return 'The image\'s SHA-256 does not match its SHA256 TLV: the file is damaged or tampered ' +
      'with. The device would refuse it.';
  }
  return null;
}

// Which controls are usable. state: {connected, busy, file (parsed info or null), selected (a
// table row or null)}.
export function controls({ connected, busy, file, selected }) {
  const idle = connected && !busy;
  return {
    connect: !busy,
    connectLabel: connected ? 'Disconnect' : 'Connect',
    upload: idle && Boolean(file) && uploadRefusal(file) === null,
    test: idle && Boolean(selected) && Boolean(selected.hash) && !selected.active,
    confirm: idle && Boolean(selected) && Boolean(selected.hash),
    reset: idle,
    refresh: idle,
  };
}

// A message for the user from anything a device action throws.
export function errorText(error) {
  if (error instanceof DisconnectedError) {
    return `${error.message}. Connect again; an interrupted upload resumes where it stopped.`;
  }
  if (error instanceof TimeoutError) return `The device did not answer: ${error.message}.`;
  if (error instanceof ImageError) return `This file was refused: ${error.message}.`;
  if (error instanceof SmpError) {
    if (error.rcName) return `The device refused: ${error.message}.`;
    return `Error: ${error.message}.`;
  }
  if (error && error.name === 'NotFoundError') return 'No device was chosen.';
  if (error && error.name === 'SecurityError') {
    return 'The browser blocked Bluetooth: open the page from localhost or https.';
  }
  if (error && error.name === 'NetworkError') {
    return `Bluetooth connection failed: ${error.message}. Move closer and try again.`;
  }
  return `Unexpected error: ${error && error.message ? error.message : String(error)}.`;
}

// The write size setting (ATT MTU - 3) from its text field.
export function parsePieceSize(text) {
  const trimmed = String(text).trim();
  if (!/^[0-9]{1,4}$/.test(trimmed)) {
    throw new RangeError(`write size must be a whole number ${MIN_PIECE_SIZE}..${MAX_PIECE_SIZE}`);
  }
  const n = Number(trimmed);
  if (n < MIN_PIECE_SIZE || n > MAX_PIECE_SIZE) {
    throw new RangeError(`write size must be ${MIN_PIECE_SIZE}..${MAX_PIECE_SIZE} (ATT MTU - 3), ` +
      `got ${n}`);
  }
  return n;
}
