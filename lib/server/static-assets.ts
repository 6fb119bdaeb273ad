import { readdirSync, readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

// Next's production server compresses `_next/static` files on every request, on the thread that also
// renders pages: the lease page's scripts arrived ≈ 250 ms after navigation. scripts/build.mjs writes a
// brotli (.br) and a gzip (.gz) copy of every compressible asset at build time; this handler serves them
// from memory. Only the compressed copies are held: an asset without one, or a client accepting neither
// encoding (rare), goes on to Next as before.

type Asset = { type: string; br?: Buffer; gzip?: Buffer };

export const STATIC_PREFIX = '/_next/static/';

const contentTypes: Record<string, string> = {
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

// The same headers next.config.js gives every answer, plus what Next sends for hashed static files.
const fixedHeaders = {
  'cache-control': 'public, max-age=31536000, immutable',
  vary: 'Accept-Encoding',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function walk(dir: string, base: string, found: Map<string, Asset>): void {
  const entries = readdirSync(dir, { withFileTypes: true });
  const names = new Set(entries.map((entry) => entry.name));
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(file, base, found);
      continue;
    }
    const type = contentTypes[path.extname(entry.name)];
    if (!type || !entry.isFile()) continue;
    const br = names.has(`${entry.name}.br`) ? readFileSync(`${file}.br`) : undefined;
    const gzip = names.has(`${entry.name}.gz`) ? readFileSync(`${file}.gz`) : undefined;
    if (!br && !gzip) continue;
    const key = STATIC_PREFIX + path.relative(base, file).split(path.sep).join('/');
    found.set(key, { type, br, gzip });
  }
}

// Loaded once at start: the hashed files never change while the process runs.
export function loadPrecompressedAssets(staticDir: string): Map<string, Asset> {
  const found = new Map<string, Asset>();
  try {
    walk(staticDir, staticDir, found);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return found;
}

// The encoding's own entry decides, else `*`; q=0 refuses (RFC 9110 §12.5.3).
function accepts(header: string | undefined, encoding: string): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    weights.set(name.trim(), q === undefined ? 1 : Number(q.slice(2)));
  }
  const weight = weights.get(encoding) ?? weights.get('*') ?? 0;
  return weight > 0;
}

// Answers a GET/HEAD of a pre-compressed asset and returns true; false leaves the request to Next.
export function servePrecompressed(assets: Map<string, Asset>, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (assets.size === 0 || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const url = req.url ?? '';
  if (!url.startsWith(STATIC_PREFIX)) return false;
  const query = url.indexOf('?');
  // Next requests the chunks of dynamic routes percent-encoded (app/leases/%5Bcluster%5D/…); the keys are
  // file paths. A malformed escape is left to Next.
  let pathname: string;
  try {
    pathname = decodeURIComponent(query === -1 ? url : url.slice(0, query));
  } catch {
    return false;
  }
  const asset = assets.get(pathname);
  if (!asset) return false;
  const acceptEncoding = req.headers['accept-encoding'];
  const [encoding, body] = asset.br && accepts(acceptEncoding, 'br') ? ['br', asset.br] : asset.gzip && accepts(acceptEncoding, 'gzip') ? ['gzip', asset.gzip] : [null, null];
  if (!encoding || !body) return false;
  res.writeHead(200, { ...fixedHeaders, 'content-type': asset.type, 'content-length': body.length, 'content-encoding': encoding });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
