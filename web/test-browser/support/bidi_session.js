// A small WebDriver BiDi client for the browser tests: starts Debian's chromedriver, opens a
// session on Debian's chromium with BiDi (webSocketUrl), sends commands and hands out events.
// How the browser test uses it: web/README.md, "Tests in a real browser".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import WebSocket from 'ws';

import { CHROMEDRIVER, CHROMIUM } from './browser_paths.js';

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Without the background-networking flags chromium keeps trying hosts this machine cannot reach;
// without the experimental flag navigator.bluetooth is undefined on Linux. Hidden scrollbars: the
// page gets the whole width, as on a phone, and screenshots show all of it.
function chromiumArgs(profileDir, windowSize) {
  return ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--enable-experimental-web-platform-features', '--hide-scrollbars',
    `--user-data-dir=${profileDir}`,
    `--window-size=${windowSize.width},${windowSize.height}`];
}

export class BidiError extends Error {
  constructor(method, error, message) {
    super(`${method}: ${error}: ${message}`);
    this.name = 'BidiError';
    this.error = error;
  }
}

export class BidiSession {
  static async start({ windowSize = { width: 420, height: 900 }, timeoutMs = 15000 } = {}) {
    const session = new BidiSession();
    try {
      await session.#start(windowSize, timeoutMs);
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  constructor() {
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map(); // method -> Set of functions
    this.log = [];
    this.driver = null;
    this.socket = null;
    this.sessionId = null;
  }

  async #start(windowSize, timeoutMs) {
    this.profileDir = mkdtempSync(join(tmpdir(), 'bleota-chromium-'));
    const port = await freePort();
    this.driverUrl = `http://127.0.0.1:${port}`;
    this.driver = spawn(CHROMEDRIVER, [`--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.driver.stdout.on('data', (d) => this.#record(`chromedriver: ${d}`));
    this.driver.stderr.on('data', (d) => this.#record(`chromedriver: ${d}`));
    this.driverExited = new Promise((resolve) => this.driver.on('exit', resolve));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const status = await (await fetch(`${this.driverUrl}/status`)).json();
        if (status.value && status.value.ready) break;
      } catch {
        // not listening yet
      }
      if (this.driver.exitCode !== null) throw new Error(`chromedriver exited:\n${this.logText()}`);
      if (Date.now() > deadline) throw new Error(`chromedriver did not start:\n${this.logText()}`);
      await sleep(50);
    }
    const response = await fetch(`${this.driverUrl}/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        capabilities: {
          alwaysMatch: {
            browserName: 'chrome',
            webSocketUrl: true,
            'goog:chromeOptions': { binary: CHROMIUM, args: chromiumArgs(this.profileDir, windowSize) },
          },
        },
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const created = await response.json();
    if (!response.ok || !created.value || !created.value.capabilities) {
      throw new Error(`new session failed: ${JSON.stringify(created).slice(0, 2000)}`);
    }
    this.sessionId = created.value.sessionId;
    this.socket = new WebSocket(created.value.capabilities.webSocketUrl);
    await new Promise((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('message', (data) => this.#onMessage(data));
    this.socket.on('close', () => {
      for (const { reject, method } of this.pending.values()) {
        reject(new Error(`${method}: the BiDi connection closed`));
      }
      this.pending.clear();
    });
  }

  #record(line) {
    if (this.log.length < 200) this.log.push(String(line).trimEnd());
  }

  logText() {
    return this.log.join('\n');
  }

  #onMessage(data) {
    const message = JSON.parse(data.toString());
    if (message.type === 'event') {
      for (const listener of this.listeners.get(message.method) ?? []) listener(message.params);
      for (const listener of this.listeners.get('*') ?? []) listener(message.method, message.params);
      return;
    }
    const entry = this.pending.get(message.id);
    if (!entry) return;
    this.pending.delete(message.id);
    if (message.type === 'error') {
      entry.reject(new BidiError(entry.method, message.error, message.message));
    } else {
      entry.resolve(message.result);
    }
  }

  // Sends one command; resolves with its result, rejects with BidiError.
  send(method, params = {}) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error(`${method}: no BiDi connection`));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  // Calls listener(params) for each event named method ('*': listener(method, params)).
  on(method, listener) {
    if (!this.listeners.has(method)) this.listeners.set(method, new Set());
    this.listeners.get(method).add(listener);
    return () => this.listeners.get(method).delete(listener);
  }

  // The first event named method whose params satisfy predicate, within timeoutMs.
  waitFor(method, predicate = () => true, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(method, (params) => {
        if (!predicate(params)) return;
        clearTimeout(timer);
        off();
        resolve(params);
      });
    });
  }

  async close() {
    if (this.socket) {
      this.socket.removeAllListeners('close');
      this.socket.close();
    }
    if (this.sessionId) {
      await fetch(`${this.driverUrl}/session/${this.sessionId}`, { method: 'DELETE',
        signal: AbortSignal.timeout(10000) }).catch(() => {});
      this.sessionId = null;
    }
    if (this.driver && this.driver.exitCode === null) {
      this.driver.kill('SIGTERM');
      await Promise.race([this.driverExited, sleep(5000)]);
    }
    if (this.profileDir) rmSync(this.profileDir, { recursive: true, force: true });
  }
}
