// An SMP client over an abstract packet transport. The transport carries whole SMP packets:
//   { maxPacket: largest request packet the link takes,
//     pieceSize: bytes per link piece (ATT_MTU - 3 for BLE), 0 when packets are not split,
//     send(packet): void | Promise<void>,
//     receive(timeoutMs): Promise<Uint8Array | null>  (one whole packet, null on timeout) }
// A link that delivers pieces by callback (GATT notifications) feeds them to an SmpReassembler
// and pushes whole packets into a PacketQueue, which provides receive().

import { decodePacket, encodePacket, errorMessage, Op, replyError, SmpError, Version } from './smp.js';

export class TimeoutError extends SmpError {
  constructor(message) {
    super(message);
    this.name = 'TimeoutError';
  }
}

// Whole packets waiting for receive(); bounded so a flooding peer cannot grow it without end.
export class PacketQueue {
  constructor({ limit = 256 } = {}) {
    this.limit = limit;
    this.packets = [];
    this.waiters = [];
    this.dropped = 0;
  }
  push(packet) {
    const waiter = this.waiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(packet);
    } else if (this.packets.length < this.limit) {
      this.packets.push(packet);
    } else {
      this.dropped++;
    }
  }
  receive(timeoutMs) {
    if (this.packets.length) return Promise.resolve(this.packets.shift());
    return new Promise((resolve) => {
      const waiter = { resolve, timer: null };
      waiter.timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        resolve(null);
      }, Math.max(0, timeoutMs));
      this.waiters.push(waiter);
    });
  }
  clear() {
    this.packets = [];
  }
  // Drops queued packets and ends every waiting receive() with null now (the link is gone), so
  // no timer outlives the link.
  cancel() {
    this.clear();
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve(null);
    }
  }
}

function checkTransport(t) {
  if (!t || typeof t.send !== 'function' || typeof t.receive !== 'function') {
    throw new TypeError('transport needs send(packet) and receive(timeoutMs)');
  }
  if (!Number.isInteger(t.maxPacket) || t.maxPacket < 8) {
    throw new TypeError('transport.maxPacket must be an integer >= 8');
  }
}

export class SmpClient {
  constructor(transport, { version = Version.V2, timeoutMs = 3000, retries = 2 } = {}) {
    checkTransport(transport);
    this.transport = transport;
    this.version = version;
    this.timeoutMs = timeoutMs;
    this.retries = retries;
    this.seq = Math.floor(Math.random() * 256);
    this.stale = 0;
  }
  nextSeq() {
    this.seq = (this.seq + 1) & 0xff;
    return this.seq;
  }
  // Sends a request; returns the sequence number it went with.
  async send(request) {
    const seq = this.nextSeq();
    const packet = encodePacket(request, { seq, version: this.version });
    if (packet.length > this.transport.maxPacket) {
      throw new SmpError(`request of ${packet.length} bytes exceeds the link's ` +
        `${this.transport.maxPacket}-byte packet limit`);
    }
    await this.transport.send(packet);
    return seq;
  }
  // The next decoded reply, or null on timeout. A packet that does not decode is counted and
  // skipped: one bad datagram must not end a session.
  async receive(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const packet = await this.transport.receive(Math.max(0, deadline - Date.now()));
      if (packet === null) return null;
      try {
        const reply = decodePacket(packet);
        if (reply.header.op === Op.READ_RSP || reply.header.op === Op.WRITE_RSP) return reply;
      } catch (e) {
        if (!(e instanceof SmpError)) throw e;
      }
      this.stale++;
    }
  }
  static answers(reply, request, seq) {
    const h = reply.header;
    return h.seq === seq && h.group === request.group && h.id === request.id && h.op === request.op + 1;
  }
  // One request, its reply's payload; retries on timeout; a device error throws SmpError with
  // { rc, group, rcName }.
  async call(request, what = `group ${request.group} command ${request.id}`) {
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      const seq = await this.send(request);
      const deadline = Date.now() + this.timeoutMs;
      for (;;) {
        const reply = await this.receive(Math.max(0, deadline - Date.now()));
        if (reply === null) break;
        if (!SmpClient.answers(reply, request, seq)) {
          this.stale++;
          continue;
        }
        throwIfError(reply.payload, what);
        return reply.payload;
      }
    }
    throw new TimeoutError(`${what}: no reply after ${this.retries + 1} attempts of ` +
      `${this.timeoutMs} ms`);
  }
}

export function throwIfError(payload, what) {
  const error = replyError(payload);
  if (error) {
    throw new SmpError(`${what}: ${errorMessage(error)}`,
      { rc: error.rc, group: error.group, rcName: error.name });
  }
}
