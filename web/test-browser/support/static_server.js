// Serves a built page (`npm run build` output) on 127.0.0.1 for the browser test, as a static
// host would: the files are read once into a table (nothing else on disk is reachable), GET only,
// the same Content-Security-Policy as `bleota web`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8' };

function filesUnder(dir, root = dir, table = new Map()) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      filesUnder(path, root, table);
    } else if (TYPES[extname(name)]) {
      table.set(`/${relative(root, path).split(sep).join('/')}`,
        { type: TYPES[extname(name)], body: readFileSync(path) });
    }
  }
  return table;
}

// Resolves with { url, close() }.
export async function serveDirectory(dir) {
  const files = filesUnder(dir);
  const server = createServer((request, response) => {
    const path = new URL(request.url, 'http://127.0.0.1').pathname;
    const file = files.get(path === '/' ? '/index.html' : path);
    if (request.method !== 'GET' || !file) {
      response.writeHead(request.method === 'GET' ? 404 : 405).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store',
      'content-security-policy': "default-src 'self'", 'x-content-type-options': 'nosniff' });
    response.end(file.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
