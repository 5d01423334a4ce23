// The built `bleota` for tests that need a real simulated device: signing the images it runs and
// starting `bleota sim run` on a UDP port. CTest sets BLEOTA_BIN.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// Absolute: the tools run in a temporary directory, and the variable may be relative to here.
export const BLEOTA_BIN = process.env.BLEOTA_BIN ? resolve(process.env.BLEOTA_BIN) : undefined;

export function bleota(dir, ...args) {
  return execFileSync(BLEOTA_BIN, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

// In `dir`: k.pem (ECDSA P-256) and k.pub.pem, v1.img (1.0.0, 20000 random bytes, for
// provisioning) and `updateName` (2.0.0 with a 64 KiB random payload), both signed with k.pem.
export function makeSignedImages(dir, updateName = 'v2.img') {
  bleota(dir, 'image', 'keygen', '-k', 'k.pem', '-t', 'ecdsa-p256');
  bleota(dir, 'image', 'getpub', '-k', 'k.pem', '-e', 'pem', '-o', 'k.pub.pem');
  writeFileSync(join(dir, 'app1.bin'), randomBytes(20000));
  writeFileSync(join(dir, 'app2.bin'), randomBytes(64 * 1024));
  const sign = ['image', 'sign', '-k', 'k.pem', '-H', '0x200', '--pad-header', '-S', '0x4C000',
    '--align', '4'];
  bleota(dir, ...sign, '-v', '1.0.0', 'app1.bin', 'v1.img');
  bleota(dir, ...sign, '-v', '2.0.0', 'app2.bin', updateName);
}

// Runs `bleota ARGS` in `cwd`, keeping its output for failure messages.
export function spawnLogged(args, cwd) {
  const child = spawn(BLEOTA_BIN, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => { log += d; });
  child.stderr.on('data', (d) => { log += d; });
  const exited = new Promise((resolveExit) => child.on('exit', resolveExit));
  return { child, exited, log: () => log };
}

export async function stopProcess(proc) {
  if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
  await Promise.race([proc.exited, sleep(5000)]);
}

// A device provisioned with v1.img trusting k.pub.pem, serving SMP on a free UDP port. Without
// --app-auto-confirm: a test boot stays a test until the test confirms it.
export async function startSimDevice(dir) {
  const portFile = join(dir, 'port');
  const proc = spawnLogged(['sim', 'run', '--state-dir', join(dir, 'dev'), '--provision-image',
    'v1.img', '--sign-key-pub', 'k.pub.pem', '--udp', '127.0.0.1:0', '--port-file', portFile], dir);
  for (let i = 0; i < 200; i++) {
    if (existsSync(portFile)) {
      const text = readFileSync(portFile, 'utf8').trim();
      if (/^\d+$/.test(text)) return { ...proc, port: Number(text) };
    }
    if (proc.child.exitCode !== null) break;
    await sleep(50);
  }
  await stopProcess(proc);
  throw new Error(`bleota sim run did not write its port:\n${proc.log()}`);
}
