// Entry point of the browser tests (CTest web_browser_tests): exits 77 (CTest's skip code) with the
// reason when chromium or chromedriver is not installed; otherwise runs every *.test.js here with
// Node's test runner and exits with its code. Missing npm modules (ws, esbuild) are an error, not
// a skip: `npm ci` in web/ (scripts/setup does it) installs them.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { browserMissing } from './support/browser_paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const missing = browserMissing();
if (missing) {
  console.log(`SKIPPED: the browser tests need Debian's chromium and chromedriver: ${missing}`);
  process.exit(77);
}
for (const name of ['ws', 'esbuild']) {
  try {
    await import(name);
  } catch (e) {
    console.error(`the browser tests need the npm package ${name}: run \`npm ci\` in web/ ` +
      `(scripts/setup does): ${e.message}`);
    process.exit(1);
  }
}
const files = readdirSync(here).filter((f) => f.endsWith('.test.js')).sort().map((f) => join(here, f));
const result = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files],
  { stdio: 'inherit' });
process.exit(result.status ?? 1);
