// Pipelined image upload (SMP image group, command 1) over an SmpClient. Several requests are in
// flight (window = the device's buf_count), each sized so its packet fills whole link pieces; the
// device answers every chunk with the offset it wants next, which is also how a restarted or
// resumed upload finds where to continue.

import { cborHeadSize, encode } from './cbor.js';
import { TimeoutError, throwIfError } from './client.js';
import { Group, requests, SMP_HEADER_SIZE, SmpError } from './smp.js';

export const FALLBACK_PARAMS = Object.freeze({ bufSize: 512, bufCount: 1 }); // params unsupported
export const MAX_WINDOW = 64; // well below the 256 sequence numbers
const MIN_USEFUL_BUF_SIZE = 32;
const NOT_SUPPORTED = 8;

// Reads the device's buffers (OS command 6); FALLBACK_PARAMS when the device does not know it.
export async function readParams(client) {
  let reply;
  try {
    reply = await client.call(requests.params(), 'params');
  } catch (e) {
    if (e instanceof SmpError && e.group === null && e.rc === NOT_SUPPORTED) {
      return { ...FALLBACK_PARAMS, fromDevice: false };
    }
    throw e;
  }
  const { buf_size: bufSize, buf_count: bufCount } = reply;
  if (!Number.isInteger(bufSize) || !Number.isInteger(bufCount)) {
    throw new SmpError('malformed reply to params: needs integer buf_size and buf_count');
  }
  if (bufSize < MIN_USEFUL_BUF_SIZE || bufCount < 1) {
    throw new SmpError(`unusable params: buf_size ${bufSize} (at least ${MIN_USEFUL_BUF_SIZE}), ` +
      `buf_count ${bufCount} (at least 1)`);
  }
  return { bufSize, bufCount, fromDevice: true };
}

// Chooses how many data bytes each upload request carries.
export class UploadChunker {
  constructor({ size, sha, image = 0, upgrade, packetLimit, pieceSize = 0 }) {
    this.size = size;
    this.sha = sha;
    this.image = image;
    this.upgrade = upgrade;
    this.packetLimit = packetLimit;
    // Packets that fill whole pieces waste no air time on a short last piece.
    this.target = pieceSize > 0 && packetLimit >= pieceSize
      ? Math.floor(packetLimit / pieceSize) * pieceSize : packetLimit;
    if (size > 0 && this.requestSize(0, 1) > packetLimit) {
      throw new SmpError(`a request packet of ${packetLimit} bytes cannot carry upload data (the ` +
        `first request needs ${this.requestSize(0, 1)}); buf_size or the link's MTU is too small`);
    }
  }
  request(off, data) {
    return requests.upload({ off, data, len: this.size, sha: this.sha, image: this.image,
      upgrade: this.upgrade });
  }
  requestSize(off, n) {
    return SMP_HEADER_SIZE + encode(this.request(off, new Uint8Array(n)).payload).length;
  }
  // Largest n with base + head(n) + n <= limit, where base is the packet without the data bytes
  // and their length head (which grows with n: 1, 2, 3 or 5 bytes).
  largestWithin(base, limit) {
    let best = 0;
    for (const [head, cap] of [[1, 23], [2, 0xff], [3, 0xffff], [5, 0xffffffff]]) {
      if (limit < base + head) continue;
      const n = Math.min(limit - base - head, cap);
      if (cborHeadSize(n) === head && n > best) best = n;
    }
    return best;
  }
  dataSizeAt(off) {
    const base = this.requestSize(off, 0) - 1; // an empty byte string has a 1-byte head
    let n = this.largestWithin(base, this.target);
    if (n === 0) n = this.largestWithin(base, this.packetLimit);
    if (n === 0) throw new SmpError(`a ${this.packetLimit}-byte packet cannot carry data at ${off}`);
    return Math.min(n, this.size - off);
  }
}

async function sha256(data, subtle) {
  const s = subtle ?? globalThis.crypto?.subtle ?? (await import('node:crypto')).webcrypto.subtle;
  return new Uint8Array(await s.digest('SHA-256', data));
}

// Uploads `data` (a whole image file). Options: image (0), upgrade (sent on the first chunk),
// window (upper bound; default the device's buf_count), params ({bufSize, bufCount} instead of
// asking), onProgress({bytes, total, rate (bytes/s), eta (s)}), retries (timeouts without
// progress before giving up; default the client's), subtle (WebCrypto).
// Returns a summary; throws SmpError for a device refusal (with rc/group/rcName) or TimeoutError.
export async function uploadImage(client, data, options = {}) {
  if (!(data instanceof Uint8Array) || data.length === 0) throw new SmpError('the upload is empty');
  if (data.length > 0xffffffff) throw new SmpError('the upload exceeds 4 GiB');
  const { image = 0, upgrade, onProgress, subtle } = options;
  const retries = options.retries ?? client.retries;
  const sha = await sha256(data, subtle);
  const params = options.params
    ? { ...options.params, fromDevice: false } : await readParams(client);
  const wanted = options.window ?? params.bufCount;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_WINDOW) {
    throw new SmpError(`window ${wanted} is out of range (1..${MAX_WINDOW})`);
  }
  const window = Math.min(wanted, params.bufCount, MAX_WINDOW);
  const packetLimit = Math.min(params.bufSize, client.transport.maxPacket);
  const chunker = new UploadChunker({ size: data.length, sha, image, upgrade, packetLimit,
    pieceSize: client.transport.pieceSize ?? 0 });

  const total = data.length;
  const stats = { size: total, sha256: sha, window, packetLimit, params, requests: 0,
    bytesSent: 0, timeouts: 0, resumes: 0, stale: 0, match: null, seconds: 0 };
  const start = Date.now();
  let inFlight = []; // {seq, off, end, request, deadline}, oldest first
  let acknowledged = 0;
  let nextSend = 0;
  let failures = 0; // timeouts or resumes without progress

  const progress = (bytes) => {
    acknowledged = bytes;
    failures = 0;
    if (!onProgress) return;
    const seconds = (Date.now() - start) / 1000;
    const rate = seconds > 0 ? bytes / seconds : 0;
    onProgress({ bytes, total, rate, eta: rate > 0 ? (total - bytes) / rate : null });
  };
  const restartFrom = (off) => {
    inFlight = [];
    nextSend = off;
  };

  while (acknowledged < total) {
    while (inFlight.length < window && nextSend < total) {
      const n = chunker.dataSizeAt(nextSend);
      const request = chunker.request(nextSend, data.subarray(nextSend, nextSend + n));
      const seq = await client.send(request);
      inFlight.push({ seq, off: nextSend, end: nextSend + n, request,
        deadline: Date.now() + client.timeoutMs });
      stats.requests++;
      stats.bytesSent += n;
      nextSend += n;
    }
    if (inFlight.length === 0) {
      // Every request was answered without acknowledging all data: continue from the device.
      restartFrom(acknowledged);
      continue;
    }
    const reply = await client.receive(Math.max(0, inFlight[0].deadline - Date.now()));
    if (reply === null) {
      stats.timeouts++;
      if (++failures > retries) {
        throw new TimeoutError(`upload at offset ${inFlight[0].off}: no reply after ` +
          `${retries + 1} attempts of ${client.timeoutMs} ms`);
      }
      restartFrom(acknowledged);
      continue;
    }
    const index = inFlight.findIndex((e) => reply.header.seq === e.seq &&
      reply.header.group === Group.IMAGE && reply.header.id === e.request.id);
    if (index < 0) {
      stats.stale++;
      continue;
    }
    const [entry] = inFlight.splice(index, 1);
    const what = `upload at offset ${entry.off}`;
    try {
      throwIfError(reply.payload, what);
    } catch (e) {
      // A request after a lost one may be refused for its offset; the earlier one decides.
      if (entry.off !== acknowledged) {
        stats.stale++;
        continue;
      }
      throw e;
    }
    const next = reply.payload.off;
    if (!Number.isInteger(next) || next < 0) throw new SmpError(`malformed reply to ${what}: no 'off'`);
    if (next > total) {
      throw new SmpError(`the device asks for offset ${next} in reply to ${what}, beyond the ` +
        `image size ${total}`);
    }
    if (reply.payload.match !== undefined && typeof reply.payload.match !== 'boolean') {
      throw new SmpError(`malformed reply to ${what}: 'match' is not a bool`);
    }
    // The device writes in order: everything below the offset it wants is stored.
    inFlight = inFlight.filter((e) => e.end > next);
    if (next === entry.end) {
      if (next > acknowledged) progress(next);
    } else {
      stats.resumes++;
      if (next > acknowledged) {
        progress(next);
      } else if (++failures > retries + 1) {
        throw new SmpError(`the device keeps asking for offset ${next} without accepting data`);
      } else {
        acknowledged = next; // it went back (restarted): resume there
      }
      restartFrom(next);
    }
    if (next === total && reply.payload.match !== undefined) stats.match = reply.payload.match;
  }
  stats.seconds = (Date.now() - start) / 1000;
  if (stats.match === false) {
    throw new SmpError('the device reports that the uploaded data does not match its SHA-256 ' +
      '(match: false); upload again');
  }
  return stats;
}
