// The emulated Bluetooth peripheral of the browser test, bridged to `bleota sim run --udp`: the
// page's writes (WebDriver BiDi `write-without-response` events) are rebuilt into SMP packets by
// the header's length and sent as UDP datagrams; each reply datagram is cut into ATT_MTU - 3 pieces
// that reach the page as notifications. Chromium 156 has no command that sends a notification,
// so the preload script (NOTIFY_BY_READ_PRELOAD) keeps one readValue() outstanding after
// startNotifications(), and a piece is "notified" by answering that read: a completed read fires
// a genuine `characteristicvaluechanged` event. The page's code is not changed.
//
// The reassembly here is written apart from web/src/smp.js on purpose: the bridge plays the
// device, and must not share a bug with the page it tests.
import dgram from 'node:dgram';

export const SMP_SERVICE = '8d53dc1d-1db7-4cd3-868b-8a527460aa84';
export const SMP_CHARACTERISTIC = 'da2e7828-fbce-4e01-ae9e-261174997c48';
const CCCD = '00002902-0000-1000-8000-00805f9b34fb';
const SMP_HEADER = 8;
// BLEOTA_BIDI_TRACE=1: print what the bridge sends (the test prints the events it gets).
const TRACE = Boolean(process.env.BLEOTA_BIDI_TRACE);

// A function declaration for script.addPreloadScript (runs before the page's scripts).
export const NOTIFY_BY_READ_PRELOAD = `() => {
  const proto = globalThis.BluetoothRemoteGATTCharacteristic && BluetoothRemoteGATTCharacteristic.prototype;
  if (!proto) return;
  const startNotifications = proto.startNotifications;
  const reading = new WeakSet();
  proto.startNotifications = async function (...args) {
    const result = await startNotifications.apply(this, args);
    if (!reading.has(this)) {
      reading.add(this);
      (async () => {
        try {
          for (;;) await this.readValue();
        } catch (e) {
          // The link dropped or notifications stopped: the next startNotifications() reads again.
        } finally {
          reading.delete(this);
        }
      })();
    }
    return result;
  };
}`;

// SMP header fields the test counts requests by (docs/spec/smp.md).
export function smpHeader(packet) {
  return {
    op: packet[0] & 0x07,
    length: (packet[2] << 8) | packet[3],
    group: (packet[4] << 8) | packet[5],
    command: packet[7],
  };
}

export class SmpPeripheralBridge {
  // session: BidiSession; context: the page's browsing context; udpPort: the sim's SMP port.
  constructor(session, { context, udpPort, address = '0C:0F:0A:00:00:01', name = 'bleota-sim',
    pieceSize = 244, maxPacket = 4096 } = {}) {
    Object.assign(this, { session, context, udpPort, address, name, pieceSize, maxPacket });
    this.partial = new Uint8Array(0);
    this.pieces = []; // notification pieces waiting for a read to carry them
    this.readsPending = 0; // reads the page waits on; each can carry one piece
    this.maxReadsPending = 0;
    this.answeredPrompts = new Set();
    this.requests = []; // SMP headers of every request forwarded to the device
    this.replies = 0;
    this.writes = 0;
    this.errors = [];
    this.connections = 0;
    this.disconnectAfterReply = false;
    this.dropAfterUploads = null; // see dropLinkAfterUploads()
    this.linkDown = false;
    this.unsubscribe = [];
  }

  async start() {
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (msg) => this.#onReply(new Uint8Array(msg)));
    // While the simulated device reboots its port may refuse a datagram; the page retries.
    this.socket.on('error', (e) => this.#error(`udp: ${e.message}`));
    await new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.connect(this.udpPort, '127.0.0.1', () => {
        this.socket.off('error', reject);
        resolve();
      });
    });

    const s = this.session;
    this.unsubscribe.push(
      s.on('bluetooth.requestDevicePromptUpdated', (p) => this.#onPrompt(p)),
      s.on('bluetooth.gattConnectionAttempted', (p) => this.#onConnect(p)),
      s.on('bluetooth.characteristicEventGenerated', (p) => this.#onCharacteristic(p)));
    const { context, address } = this;
    await s.send('bluetooth.simulateAdapter', { context, state: 'powered-on' });
    await s.send('bluetooth.simulatePreconnectedPeripheral', { context, address, name: this.name,
      manufacturerData: [], knownServiceUuids: [SMP_SERVICE] });
    await this.#addGattServer();
  }

  // The SMP service with its one characteristic and the CCCD notifications need. `read` only
  // carries the notifications (see above); SMP itself uses write-without-response and notify.
  async #addGattServer() {
    const s = this.session;
    const { context, address } = this;
    await s.send('bluetooth.simulateService', { context, address, uuid: SMP_SERVICE, type: 'add' });
    await s.send('bluetooth.simulateCharacteristic', { context, address, serviceUuid: SMP_SERVICE,
      characteristicUuid: SMP_CHARACTERISTIC, type: 'add',
      characteristicProperties: { writeWithoutResponse: true, notify: true, read: true } });
    await s.send('bluetooth.simulateDescriptor', { context, address, serviceUuid: SMP_SERVICE,
      characteristicUuid: SMP_CHARACTERISTIC, descriptorUuid: CCCD, type: 'add' });
  }

  close() {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    if (this.socket) this.socket.close();
    this.socket = null;
  }

  // Requests whose group and command match (e.g. image upload: 1, 1).
  countRequests(group, command) {
    return this.requests.filter((h) => h.group === group && h.command === command).length;
  }

  // Bytes of those requests (headers included).
  requestBytes(group, command) {
    return this.requests.filter((h) => h.group === group && h.command === command)
      .reduce((sum, h) => sum + SMP_HEADER + h.length, 0);
  }

  // The link drops once `count` more image upload requests have reached the device, as out of
  // range: what the page sends after that and what the device answers are lost.
  dropLinkAfterUploads(count) {
    this.dropAfterUploads = this.countRequests(1, 1) + count;
  }

  #error(text) {
    if (this.errors.length < 32) this.errors.push(text);
  }

  #send(method, params) {
    if (TRACE) console.error('bridge >', method, JSON.stringify(params).slice(0, 160));
    return this.session.send(method, { context: this.context, address: this.address, ...params })
      .catch((e) => this.#error(`${method}: ${e.message}`));
  }

  // The chooser updates its prompt as devices show up (first with none); answer each prompt once,
  // when this peripheral is in it.
  #onPrompt({ prompt, devices }) {
    const device = devices.find((d) => d.id === this.address);
    if (!device || this.answeredPrompts.has(prompt)) return;
    this.answeredPrompts.add(prompt);
    this.session.send('bluetooth.handleRequestDevicePrompt', { context: this.context, prompt,
      accept: true, device: device.id }).catch((e) => this.#error(`prompt: ${e.message}`));
  }

  #onConnect({ address }) {
    if (address !== this.address) return;
    this.connections++;
    this.linkDown = false;
    this.partial = new Uint8Array(0);
    this.pieces = [];
    this.readsPending = 0;
    this.#send('bluetooth.simulateGattConnectionResponse', { code: 0 });
  }

  #onCharacteristic(p) {
    if (p.address !== this.address || p.characteristicUuid !== SMP_CHARACTERISTIC) return;
    const respond = (type, extra = {}) => this.#send('bluetooth.simulateCharacteristicResponse',
      { serviceUuid: SMP_SERVICE, characteristicUuid: SMP_CHARACTERISTIC, type, code: 0, ...extra });
    switch (p.type) {
      case 'subscribe-to-notifications':
      case 'unsubscribe-from-notifications':
        respond(p.type);
        break;
      case 'write-without-response':
        this.writes++;
        this.#onWrite(Uint8Array.from(p.data ?? []));
        break;
      case 'read':
        this.readsPending++;
        this.maxReadsPending = Math.max(this.maxReadsPending, this.readsPending);
        this.#deliver();
        break;
      default:
        this.#error(`unexpected characteristic event ${p.type}`);
        // A write with response would otherwise hang the page.
        if (p.type === 'write-with-response') respond('write');
    }
  }

  // Rebuilds packets from the written pieces; each whole one goes to the device as one datagram.
  #onWrite(piece) {
    if (this.linkDown) return;
    let data = new Uint8Array(this.partial.length + piece.length);
    data.set(this.partial);
    data.set(piece, this.partial.length);
    while (data.length >= SMP_HEADER) {
      const header = smpHeader(data);
      const size = SMP_HEADER + header.length;
      if (size > this.maxPacket) {
        this.#error(`request of ${size} bytes is larger than the device's ${this.maxPacket}`);
        data = new Uint8Array(0);
        break;
      }
      if (data.length < size) break;
      const packet = data.slice(0, size);
      data = data.slice(size);
      this.requests.push(header);
      // A real device drops the link when it resets; the simulated one does after its reply.
      if (header.group === 0 && header.command === 5 && header.op === 2) {
        this.disconnectAfterReply = true;
      }
      this.socket.send(packet);
      if (header.group === 1 && header.command === 1 &&
          this.countRequests(1, 1) === this.dropAfterUploads) {
        this.dropAfterUploads = null;
        this.linkDown = true;
        this.pieces = ['disconnect']; // replies on their way are lost with the link
        this.#deliver();
        return;
      }
    }
    this.partial = data;
  }

  #onReply(packet) {
    if (this.linkDown) return;
    this.replies++;
    for (let at = 0; at < packet.length; at += this.pieceSize) {
      this.pieces.push(packet.slice(at, Math.min(at + this.pieceSize, packet.length)));
    }
    if (this.disconnectAfterReply && smpHeader(packet).group === 0 &&
        smpHeader(packet).command === 5) {
      this.pieces.push('disconnect');
      this.disconnectAfterReply = false;
    }
    this.#deliver();
  }

  // One piece per outstanding read: that is one notification.
  #deliver() {
    while (this.pieces.length > 0) {
      if (this.readsPending === 0) return;
      if (this.pieces[0] === 'disconnect') {
        this.pieces.shift();
        this.#disconnect();
        return;
      }
      this.readsPending--;
      const piece = this.pieces.shift();
      this.#send('bluetooth.simulateCharacteristicResponse', { serviceUuid: SMP_SERVICE,
        characteristicUuid: SMP_CHARACTERISTIC, type: 'read', code: 0, data: Array.from(piece) });
    }
  }

  // Drops the link as a resetting device does. Chromium 156's emulation needs two things here:
  // - it ignores simulateGattDisconnection while a read waits for its response, and the preload
  //   script reads again as soon as a read completes: so the bridge waits for that read and ends
  //   it (and any other) with ATT error 0x0E (unlikely error), which stops the read loop;
  // - after a disconnect the browser forgets the emulated services but the BiDi layer keeps them
  //   (a reconnect finds no SMP service, and adding it again is refused as a duplicate): so the
  //   GATT server is removed before the disconnect and added again after it.
  async #disconnect() {
    const reads = [];
    for (; this.readsPending > 0; this.readsPending--) {
      reads.push(this.#send('bluetooth.simulateCharacteristicResponse', { serviceUuid: SMP_SERVICE,
        characteristicUuid: SMP_CHARACTERISTIC, type: 'read', code: 0x0e }));
    }
    await Promise.all(reads);
    this.partial = new Uint8Array(0);
    this.pieces = [];
    const characteristic = { serviceUuid: SMP_SERVICE, characteristicUuid: SMP_CHARACTERISTIC,
      type: 'remove' };
    await this.#send('bluetooth.simulateDescriptor', { ...characteristic, descriptorUuid: CCCD });
    await this.#send('bluetooth.simulateCharacteristic', characteristic);
    await this.#send('bluetooth.simulateService', { uuid: SMP_SERVICE, type: 'remove' });
    await this.#send('bluetooth.simulateGattDisconnection', {});
    await this.#addGattServer().catch((e) => this.#error(`gatt server: ${e.message}`));
  }
}
