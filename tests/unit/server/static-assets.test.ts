import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPrecompressedAssets, servePrecompressed } from '../../../lib/server/static-assets';

let dir: string;
let server: http.Server;
let base: string;
const script = 'console.log("leasetrail");'.repeat(200);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-static-'));
  await mkdir(path.join(dir, 'chunks'), { recursive: true });
  await writeFile(path.join(dir, 'chunks', 'app.js'), script);
  await writeFile(path.join(dir, 'chunks', 'app.js.br'), brotliCompressSync(script));
  await writeFile(path.join(dir, 'chunks', 'app.js.gz'), gzipSync(script));
  await writeFile(path.join(dir, 'chunks', 'plain.js'), script);
  // A dynamic route's chunk: Next names it after the route folder, brackets and all.
  await mkdir(path.join(dir, 'chunks', 'app', 'leases', '[cluster]'), { recursive: true });
  await writeFile(path.join(dir, 'chunks', 'app', 'leases', '[cluster]', 'page-0a1b.js.br'), brotliCompressSync(script));
  await writeFile(path.join(dir, 'chunks', 'app', 'leases', '[cluster]', 'page-0a1b.js'), script);
  const assets = loadPrecompressedAssets(dir);
  server = http.createServer((req, res) => {
    if (servePrecompressed(assets, req, res)) return;
    res.writeHead(299).end('next');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function get(pathname: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // Options, not a URL string: a URL would resolve `..` before sending.
    const req = http.request({ hostname, port, path: pathname, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('pre-compressed static assets', () => {
  it('serves brotli when accepted, with the encoding, Vary and immutable caching', async () => {
    const answer = await get('/_next/static/chunks/app.js?v=1', { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(answer.status).toBe(200);
    expect(answer.headers).toMatchObject({ 'content-encoding': 'br', vary: 'Accept-Encoding', 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' });
    expect(brotliDecompressSync(answer.body).toString()).toBe(script);
  });

  it('finds a dynamic route\'s chunk requested percent-encoded, as Next requests it', async () => {
    const answer = await get('/_next/static/chunks/app/leases/%5Bcluster%5D/page-0a1b.js', { 'accept-encoding': 'br' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(answer.body).toString()).toBe(script);
    expect((await get('/_next/static/chunks/app/leases/%E0%A4%A/page-0a1b.js', { 'accept-encoding': 'br' })).status).toBe(299);
    expect((await get('/_next/static/chunks/%2E%2E/chunks/app.js', { 'accept-encoding': 'br' })).status).toBe(299);
  });

  it('falls back to gzip as Accept-Encoding allows, and leaves a client accepting neither to Next', async () => {
    const gzip = await get('/_next/static/chunks/app.js', { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).toString()).toBe(script);
    expect((await get('/_next/static/chunks/app.js', { 'accept-encoding': 'identity' })).status).toBe(299);
    expect((await get('/_next/static/chunks/app.js')).status).toBe(299);
  });

  it('answers HEAD without a body', async () => {
    const head = await get('/_next/static/chunks/app.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(brotliCompressSync(script).length);
    expect(head.body.length).toBe(0);
  });

  it('leaves files without a pre-compressed copy, unknown paths, traversal and other methods to Next', async () => {
    expect((await get('/_next/static/chunks/plain.js', { 'accept-encoding': 'br' })).status).toBe(299);
    expect((await get('/_next/static/chunks/missing.js', { 'accept-encoding': 'br' })).status).toBe(299);
    expect((await get('/_next/static/chunks/../chunks/app.js', { 'accept-encoding': 'br' })).status).toBe(299);
    expect((await get('/_next/static/chunks/app.js', { 'accept-encoding': 'br' }, 'POST')).status).toBe(299);
    expect((await get('/other/app.js', { 'accept-encoding': 'br' })).status).toBe(299);
  });
});
