// An SMP transport over UDP for Node tests: one SMP packet per datagram, a connected socket so
// only the device's replies are taken.
import dgram from 'node:dgram';

import { PacketQueue } from '../src/client.js';

export async function openUdpTransport(host, port, { maxPacket = 1472 } = {}) {
  const socket = dgram.createSocket('udp4');
  const queue = new PacketQueue();
  const errors = [];
  socket.on('message', (msg) => queue.push(new Uint8Array(msg)));
  // An ICMP error (device gone for a moment) must not crash the test; a timeout follows.
  socket.on('error', (e) => errors.push(e));
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return {
    maxPacket,
    pieceSize: 0,
    errors,
    send: (packet) => new Promise((resolve, reject) => {
      socket.send(packet, (e) => (e ? reject(e) : resolve()));
    }),
    receive: (timeoutMs) => queue.receive(timeoutMs),
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
