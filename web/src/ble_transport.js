// The Web Bluetooth transport for SmpClient: the SMP GATT service (facts: docs/spec/smp.md and
// the SMP reference), requests written without response in pieces of at most ATT_MTU - 3 bytes,
// notifications reassembled into whole packets. `bluetooth` is navigator.bluetooth in a page and
// a fake in the Node tests.

import { PacketQueue } from './client.js';
import { SMP_HEADER_SIZE, SMP_MAX_PAYLOAD, SmpError, SmpReassembler } from './smp.js';

export const SMP_SERVICE_UUID = '8d53dc1d-1db7-4cd3-868b-8a527460aa84';
export const SMP_CHARACTERISTIC_UUID = 'da2e7828-fbce-4e01-ae9e-261174997c48';

// Web Bluetooth does not tell the page the negotiated ATT MTU. 244 bytes per write is what
// ATT_MTU 247 (LE Data Length Extension, the usual value on current phones and on Zephyr/
// NimBLE devices) allows. A link with a smaller MTU makes the browser's write fail, so the page
// lets the user lower it (20 is what ATT_MTU 23, the minimum, allows).
export const DEFAULT_PIECE_SIZE = 244;
export const MIN_PIECE_SIZE = 20;
export const MAX_PIECE_SIZE = 512; // largest ATT attribute value
// Largest request the page sends; the upload engine also keeps within the device's buf_size.
export const DEFAULT_MAX_PACKET = 2048;

export class DisconnectedError extends SmpError {
  constructor(message = 'the device disconnected') {
    super(message);
    this.name = 'DisconnectedError';
  }
}

export function checkPieceSize(pieceSize) {
  if (!Number.isInteger(pieceSize) || pieceSize < MIN_PIECE_SIZE || pieceSize > MAX_PIECE_SIZE) {
    throw new RangeError(`write size must be an integer ${MIN_PIECE_SIZE}..${MAX_PIECE_SIZE} ` +
      `(ATT MTU - 3), got ${pieceSize}`);
  }
  return pieceSize;
}

// Splits a packet into link pieces of at most pieceSize bytes.
export function splitPacket(packet, pieceSize) {
  const pieces = [];
  for (let at = 0; at < packet.length; at += pieceSize) {
    pieces.push(packet.subarray(at, Math.min(at + pieceSize, packet.length)));
  }
  return pieces;
}

// A connected SMP link. Use BleTransport.connect(); then `new SmpClient(transport)`.
export class BleTransport {
  constructor(device, characteristic, { pieceSize = DEFAULT_PIECE_SIZE,
    maxPacket = DEFAULT_MAX_PACKET } = {}) {
    this.device = device;
    this.characteristic = characteristic;
    this.pieceSize = checkPieceSize(pieceSize);
    if (!Number.isInteger(maxPacket) || maxPacket < SMP_HEADER_SIZE ||
        maxPacket > SMP_HEADER_SIZE + SMP_MAX_PAYLOAD) {
      throw new RangeError(`maxPacket must be an integer 8..${SMP_HEADER_SIZE + SMP_MAX_PAYLOAD}`);
    }
    this.maxPacket = maxPacket;
    this.queue = new PacketQueue();
    // Replies can be as large as the protocol allows (an image list, a long echo).
    this.reassembler = new SmpReassembler();
    this.linkErrors = [];
    this.connected = true;
    this.onNotification = (event) => this.handleNotification(event);
    this.onDisconnect = () => this.handleDisconnect();
    characteristic.addEventListener('characteristicvaluechanged', this.onNotification);
    device.addEventListener('gattserverdisconnected', this.onDisconnect);
    this.disconnectListeners = [];
    // Rejects when the link drops, so a waiting receive() fails at once, not at its timeout.
    this.disconnected = new Promise((_, reject) => {
      this.rejectDisconnected = reject;
    });
    this.disconnected.catch(() => {});
  }

  // Asks the user to choose a device offering the SMP service, connects and subscribes.
  static async connect(bluetooth, options = {}) {
    if (!bluetooth || typeof bluetooth.requestDevice !== 'function') {
      throw new SmpError('this browser has no Web Bluetooth (use Chrome, Edge or Android ' +
        'Chrome, on https or localhost)');
    }
    const device = await bluetooth.requestDevice({ filters: [{ services: [SMP_SERVICE_UUID] }] });
    return BleTransport.open(device, options);
  }

  // Connects to a device chosen before; also how the page reconnects after a disconnect to resume
  // an upload (the browser keeps the permission for the device object).
  static async open(device, options = {}) {
    const server = await device.gatt.connect();
    const service = await server.getPrimaryService(SMP_SERVICE_UUID);
    const characteristic = await service.getCharacteristic(SMP_CHARACTERISTIC_UUID);
    const transport = new BleTransport(device, characteristic, options);
    await characteristic.startNotifications();
    return transport;
  }

  get name() {
    return this.device.name || this.device.id || 'unnamed device';
  }

  // Called with the DisconnectedError when the link drops.
  onDisconnected(listener) {
    this.disconnectListeners.push(listener);
  }

  handleNotification(event) {
    const view = event.target.value; // a DataView
    const piece = new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
    const { packets, errors } = this.reassembler.feed(piece);
    for (const e of errors) {
      if (this.linkErrors.length < 16) this.linkErrors.push(e);
    }
    for (const packet of packets) this.queue.push(packet);
  }

  handleDisconnect() {
    if (!this.connected) return;
    this.connected = false;
    // A reconnect makes a new transport; this one must not hear that link's events.
    this.characteristic.removeEventListener('characteristicvaluechanged', this.onNotification);
    this.device.removeEventListener('gattserverdisconnected', this.onDisconnect);
    this.reassembler.reset();
    const error = new DisconnectedError(`${this.name} disconnected`);
    this.disconnectError = error;
    this.rejectDisconnected(error);
    this.queue.cancel();
    for (const listener of this.disconnectListeners) listener(error);
  }

  async send(packet) {
    if (!this.connected) throw this.disconnectError ?? new DisconnectedError();
    if (packet.length > this.maxPacket) {
      throw new SmpError(`packet of ${packet.length} bytes exceeds ${this.maxPacket}`);
    }
    for (const piece of splitPacket(packet, this.pieceSize)) {
      try {
        await this.characteristic.writeValueWithoutResponse(piece);
      } catch (e) {
        if (!this.connected) throw this.disconnectError;
        throw new SmpError(`GATT write of ${piece.length} bytes failed: ${e.message} (if the ` +
          'link MTU is smaller, lower the write size)');
      }
    }
  }

  async receive(timeoutMs) {
    if (!this.connected) throw this.disconnectError ?? new DisconnectedError();
    return Promise.race([this.queue.receive(timeoutMs), this.disconnected]);
  }

  async disconnect() {
    if (this.device.gatt.connected) this.device.gatt.disconnect();
    this.handleDisconnect();
  }
}
