// Where the browser test finds Debian's chromium and chromedriver (override with BLEOTA_CHROMIUM,
// BLEOTA_CHROMEDRIVER), and whether they are there. No npm module here: run.js checks this before
// it loads anything that needs `ws`.
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.BLEOTA_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMEDRIVER = process.env.BLEOTA_CHROMEDRIVER ?? '/usr/bin/chromedriver';

// Why the browser test cannot run here, or null when it can.
export function browserMissing() {
  for (const [what, path] of [['chromium', CHROMIUM], ['chromedriver', CHROMEDRIVER]]) {
    if (!existsSync(path)) {
      return `${what} not found at ${path} (Debian packages chromium and chromium-driver; ` +
        'scripts/setup installs them)';
    }
  }
  return null;
}
