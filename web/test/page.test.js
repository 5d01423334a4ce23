// The page's files: index.html references only files that exist and that `bleota web` embeds,
// every module app.js needs (transitively) loads in Node and is embedded, every element app.js
// looks up exists, and nothing inline would be blocked by the server's CSP (default-src 'self').
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

const webDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const html = readFileSync(join(webDir, 'index.html'), 'utf8');
const appJs = readFileSync(join(webDir, 'src/app.js'), 'utf8');

// What the server embeds: the generated table when CTest names it (BLEOTA_WEB_EMBEDDED), else
// the rule of web/server/CMakeLists.txt (index.html, style.css, src/*.js).
function isEmbedded(rel) {
  const generated = process.env.BLEOTA_WEB_EMBEDDED;
  if (generated) {
    const paths = [...readFileSync(generated, 'utf8').matchAll(/\{"(\/[^"]+)", "text\//g)]
      .map((m) => m[1]);
    assert.ok(paths.length >= 8, `embedded table ${generated} lists ${paths.length} files`);
    return paths.includes(`/${rel}`);
  }
  return rel === 'index.html' || rel === 'style.css' || /^src\/[^/]+\.js$/.test(rel);
}

function references(text) {
  return [...text.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
}

function relativeImports(file) {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]);
}

test('index.html references only existing, embedded, same-origin files', () => {
  const refs = references(html);
  assert.ok(refs.includes('style.css') && refs.includes('src/app.js'), refs.join(' '));
  for (const ref of refs) {
    assert.doesNotMatch(ref, /^(https?:)?\/\//, `${ref} is not on the page's origin`);
    const rel = normalize(ref);
    assert.ok(existsSync(join(webDir, rel)), `${ref} does not exist`);
    assert.ok(isEmbedded(rel), `${ref} is not embedded by bleota web`);
  }
});

test('no inline script, style or handler that the CSP would block', () => {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style/);
  assert.doesNotMatch(html, /\sstyle="/);
  assert.doesNotMatch(html, /\son[a-z]+="/);
  assert.match(html, /<script type="module" src="src\/app.js"><\/script>/);
});

test('every module app.js needs is embedded and loads', async () => {
  const seen = new Set();
  const pending = [join(webDir, 'src/app.js')];
  while (pending.length) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of relativeImports(file)) {
      const target = join(dirname(file), spec);
      assert.ok(existsSync(target), `${relative(webDir, file)} imports missing ${spec}`);
      assert.ok(isEmbedded(relative(webDir, target)), `${spec} is not embedded`);
      pending.push(target);
    }
  }
  assert.ok(seen.size >= 8, [...seen].join(' '));
  // app.js itself needs a DOM; its dependencies load in Node.
  for (const file of seen) {
    if (file.endsWith('app.js')) continue;
    await import(pathToFileURL(file).href);
  }
});

test('every element app.js looks up is in index.html, with a label for each input', () => {
  const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  const used = [...appJs.matchAll(/\$\('([^']+)'\)/g)].map((m) => m[1]);
  assert.ok(used.length >= 10);
  for (const id of used) assert.ok(ids.has(id), `app.js uses #${id}, not in index.html`);
  for (const m of html.matchAll(/<(?:input|progress)[^>]*\sid="([^"]+)"/g)) {
    assert.match(html, new RegExp(`<label for="${m[1]}"`), `#${m[1]} has no label`);
  }
  assert.match(html, /role="status" aria-live="polite"/);
  assert.match(html, /<html lang="en">/);
  assert.match(html, /name="viewport" content="width=device-width/);
});
