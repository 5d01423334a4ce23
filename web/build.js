// `npm run build [-- OUTDIR]`: the page for static hosting (any https server) in OUTDIR (default
// dist/): src/app.js and every module it imports bundled and minified into one src/app.js,
// style.css minified, index.html copied unchanged (it already names src/app.js and style.css).
// esbuild (pinned in package-lock.json) does the work. `bleota web` does not use this: it embeds
// the unbundled modules, so building bleota needs no npm (README.md, "Build for static hosting").
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(process.argv[2] ?? join(here, 'dist'));

// Builds the page into outdir; returns [{file, bytes, gzipBytes}] of what it wrote.
export async function buildPage(out = outdir) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, 'src'), { recursive: true });
  // ES2020: what the page's code uses (BigInt, ??, ?.) and what browsers with Web Bluetooth run.
  // node:crypto is the Node tests' fallback for WebCrypto, behind a dynamic import that a browser
  // never reaches (it has globalThis.crypto): left out of the bundle.
  const common = { bundle: true, minify: true, target: 'es2020', logLevel: 'warning',
    legalComments: 'none', external: ['node:crypto'] };
  await build({ ...common, entryPoints: [join(here, 'src/app.js')], format: 'esm',
    outfile: join(out, 'src/app.js') });
  await build({ ...common, entryPoints: [join(here, 'style.css')], outfile: join(out, 'style.css') });
  copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
  return ['index.html', 'style.css', 'src/app.js'].map((file) => {
    const bytes = readFileSync(join(out, file));
    return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = await buildPage();
  let total = 0;
  let totalGzip = 0;
  for (const { file, bytes, gzipBytes } of files) {
    console.log(`${relative(process.cwd(), join(outdir, file))}: ${bytes} bytes (${gzipBytes} gzip)`);
    total += bytes;
    totalGzip += gzipBytes;
  }
  console.log(`total: ${total} bytes (${totalGzip} gzip)`);
}
