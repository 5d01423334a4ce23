// An in-memory device for the upload engine's tests: follows the upload rules of
// docs/spec/smp-image.md (off 0 starts a session; a chunk at another offset than expected is
// answered with the expected one; match on the last chunk) and can lose requests or replies.
import { createHash } from 'node:crypto';

import { encode } from '../src/cbor.js';
import { decodePacket, encodeHeader, Group, ImageCommand, OsCommand } from '../src/smp.js';

export class FakeUploadDevice {
  constructor({ bufSize = 4096, bufCount = 4, paramsSupported = true, maxPacket = 4096,
    pieceSize = 0 } = {}) {
    Object.assign(this, { bufSize, bufCount, paramsSupported });
    this.received = null; // bytes of the session
    this.expected = 0;
    this.len = 0;
    this.sha = null;
    this.packetSizes = [];
    this.maxInFlight = 0;
    this.inFlight = 0;
    this.dropRequests = new Set(); // indices of upload requests to lose
    this.uploadRequests = 0;
    this.replies = [];
    this.waiters = [];
    this.transport = {
      maxPacket, pieceSize,
      send: (packet) => this.onPacket(packet),
      receive: (timeoutMs) => this.nextReply(timeoutMs),
    };
  }
  onPacket(packet) {
    const { header, payload } = decodePacket(packet);
    let reply;
    if (header.group === Group.OS && header.id === OsCommand.PARAMS) {
      reply = this.paramsSupported ? { buf_size: this.bufSize, buf_count: this.bufCount } : { rc: 8 };
    } else if (header.group === Group.IMAGE && header.id === ImageCommand.UPLOAD) {
      this.packetSizes.push(packet.length);
      if (packet.length > this.bufSize) throw new Error(`packet of ${packet.length} > buf_size`);
      if (this.dropRequests.has(this.uploadRequests++)) return;
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      reply = this.upload(payload);
    } else {
      reply = { rc: 8 };
    }
    const body = encode(reply);
    const out = new Uint8Array(8 + body.length);
    out.set(encodeHeader({ op: header.op + 1, version: header.version, length: body.length,
      group: header.group, seq: header.seq, id: header.id }));
    out.set(body, 8);
    // Replies arrive later, as from a link.
    setImmediate(() => this.deliver(out, header.group === Group.IMAGE));
  }
  upload(p) {
    if (p.off === 0) {
      if (!(p.data instanceof Uint8Array) || !Number.isInteger(p.len)) return { err: { group: 1, rc: 21 } };
      if (this.sha && p.sha && Buffer.compare(this.sha, p.sha) === 0 && this.len === p.len &&
          this.expected < this.len) {
        return { off: this.expected }; // resume
      }
      this.received = new Uint8Array(p.len);
      this.len = p.len;
      this.sha = p.sha;
      this.expected = 0;
    }
    if (this.received === null || p.off !== this.expected) return { off: this.received ? this.expected : 0 };
    if (p.off + p.data.length > this.len) return { err: { group: 1, rc: 31 } };
    this.received.set(p.data, p.off);
    this.expected += p.data.length;
    if (this.expected < this.len) return { off: this.expected };
    const digest = createHash('sha256').update(this.received).digest();
    return { off: this.expected, match: Buffer.compare(digest, Buffer.from(this.sha)) === 0 };
  }
  deliver(packet, upload) {
    if (upload) this.inFlight--;
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(packet);
    } else {
      this.replies.push(packet);
    }
  }
  nextReply(timeoutMs) {
    if (this.replies.length) return Promise.resolve(this.replies.shift());
    return new Promise((resolve) => {
      const waiter = { resolve };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(null);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }
}
