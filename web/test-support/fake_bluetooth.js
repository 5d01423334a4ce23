// A fake navigator.bluetooth for the Node tests of ble_transport.js: one device with the SMP
// service whose characteristic records every write and sends notifications the test chooses.
// `peripheral` (optional) gets each whole request packet the device reassembled from the writes
// and answers with notify().
import { SmpReassembler } from '../src/smp.js';

class FakeTarget {
  constructor() {
    this.listeners = new Map();
  }
  addEventListener(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
  }
  removeEventListener(type, fn) {
    this.listeners.get(type)?.delete(fn);
  }
  dispatch(type, event) {
    for (const fn of [...(this.listeners.get(type) ?? [])]) fn({ ...event, target: this });
  }
}

export class FakeCharacteristic extends FakeTarget {
  constructor(device, uuid) {
    super();
    this.device = device;
    this.uuid = uuid;
    this.writes = [];
    this.notifying = false;
    this.reassembler = new SmpReassembler();
    this.value = null;
  }
  async startNotifications() {
    this.notifying = true;
    return this;
  }
  async writeValueWithoutResponse(bytes) {
    if (!this.device.gatt.connected) {
      const e = new Error('GATT Server is disconnected.');
      e.name = 'NetworkError';
      throw e;
    }
    if (bytes.length > this.device.mtu - 3) throw new Error(`write of ${bytes.length} > MTU - 3`);
    const copy = Uint8Array.from(bytes);
    this.writes.push(copy);
    for (const packet of this.reassembler.feed(copy).packets) this.device.peripheral?.(packet, this);
  }
  // Sends one notification (a piece of a reply).
  notify(bytes) {
    if (!this.notifying || !this.device.gatt.connected) return;
    const copy = Uint8Array.from(bytes);
    this.value = new DataView(copy.buffer);
    this.dispatch('characteristicvaluechanged', {});
  }
  // Sends a whole reply packet in notifications of at most MTU - 3 bytes.
  notifyPacket(packet) {
    const size = this.device.mtu - 3;
    for (let at = 0; at < packet.length; at += size) this.notify(packet.subarray(at, at + size));
  }
}

export class FakeDevice extends FakeTarget {
  constructor({ name = 'fake-smp', serviceUuid, characteristicUuid, mtu = 247, peripheral } = {}) {
    super();
    this.id = 'fake-id';
    this.serviceUuid = serviceUuid;
    this.name = name;
    this.mtu = mtu;
    this.peripheral = peripheral;
    this.connects = 0;
    this.characteristic = new FakeCharacteristic(this, characteristicUuid);
    const device = this;
    this.gatt = {
      connected: false,
      async connect() {
        device.connects++;
        this.connected = true;
        device.characteristic.reassembler.reset();
        return this;
      },
      disconnect() {
        device.dropLink();
      },
      async getPrimaryService(uuid) {
        if (uuid !== serviceUuid) throw Object.assign(new Error('no such service'), { name: 'NotFoundError' });
        return {
          async getCharacteristic(c) {
            if (c !== characteristicUuid) {
              throw Object.assign(new Error('no such characteristic'), { name: 'NotFoundError' });
            }
            return device.characteristic;
          },
        };
      },
    };
  }
  // The link drops (out of range, the device resets).
  dropLink() {
    if (!this.gatt.connected) return;
    this.gatt.connected = false;
    this.characteristic.notifying = false;
    this.dispatch('gattserverdisconnected', {});
  }
}

export class FakeBluetooth {
  constructor(device) {
    this.device = device;
    this.requests = [];
  }
  async requestDevice(options) {
    this.requests.push(options);
    const wanted = this.device !== null &&
      options?.filters?.some((f) => f.services?.includes(this.device.serviceUuid));
    if (!wanted) {
      throw Object.assign(new Error('User cancelled the requestDevice() chooser.'), { name: 'NotFoundError' });
    }
    return this.device;
  }
}
