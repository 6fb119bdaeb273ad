import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from '../log';

// Next loads a route's code on its first request, not at start: `unstable_preloadEntries` requires the
// route files, but each route's chunks are instantiated (its imports evaluated, zod schemas built, the
// database client set up) when the first request reaches it, and the proxy (proxy.ts) is loaded on the
// first request of all. That is 100–250 ms of this thread per route on 2 cores, and while it runs,
// every other request — health probes included — waits. Done before the listener opens, nobody waits.
//
// Each API route is asked `OPTIONS`: Next answers it itself (the route's exported methods are listed, so
// its module is instantiated) without running our handler, so no query runs, no state changes and no
// credentials are needed. Then one `GET /api/health` runs the proxy and the first database query.

export type WarmUpResult = { routes: number; ms: number; failed: string[] };

// The API routes of the build, dynamic segments filled with a placeholder (the handler never runs).
export function apiRoutesOfBuild(root: string): string[] {
  const file = path.join(root, '.next', 'app-path-routes-manifest.json');
  if (!existsSync(file)) return [];
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return [...new Set(Object.values(manifest))]
    .filter((route) => route.startsWith('/api/') || route === '/metrics')
    .map((route) => route.replace(/\[\.{0,3}[^\]/]+\]/g, 'warm-up'))
    .sort();
}

export async function warmUp(options: {
  listener: http.RequestListener;
  routes: string[];
  // The Host the proxy accepts: the public URL's host when one is configured, else a loopback name.
  host: string;
  log: Logger;
  timeoutMs?: number;
}): Promise<WarmUpResult> {
  const started = performance.now();
  // A listener of its own on an ephemeral loopback port, closed before the real one opens.
  const server = http.createServer(options.listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const failed: string[] = [];
  // node:http rather than fetch: fetch sets Host from the URL and ignores one given in the headers.
  const ask = (method: 'OPTIONS' | 'GET', route: string) =>
    new Promise<void>((resolve) => {
      let answered = false;
      const request = http.request({ host: '127.0.0.1', port, path: route, method, headers: { host: options.host }, timeout: options.timeoutMs ?? 10_000 });
      request.once('response', (response) => {
        answered = true;
        // Next answers OPTIONS itself (204, the route's methods): anything else — the proxy refusing the Host
        // (421), a route that failed to load (500) — means the route was not loaded. Health may say 503.
        const status = response.statusCode ?? 0;
        if (method === 'OPTIONS' ? status < 200 || status > 299 : status >= 500 && status !== 503) failed.push(`${method} ${route}: ${status}`);
        // Only the answer's head is needed; a live stream's body never ends.
        response.destroy();
        resolve();
      });
      request.once('timeout', () => request.destroy(new Error(`no answer within ${options.timeoutMs ?? 10_000} ms`)));
      request.on('error', (error) => {
        if (answered) return;
        answered = true;
        failed.push(`${method} ${route}: ${error.message}`);
        resolve();
      });
      request.end();
    });
  try {
    // One at a time: the work is on this thread anyway, and in order it is easy to read in a profile.
    for (const route of options.routes) await ask('OPTIONS', route);
    await ask('GET', '/api/health');
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  const result = { routes: options.routes.length, ms: Math.round(performance.now() - started), failed };
  // A route that failed to warm still loads on its first request, as before: worth a line, not a refusal to start.
  if (failed.length > 0) options.log.warn(result, 'some routes could not be loaded ahead of the first request');
  else options.log.info(result, 'routes loaded ahead of the first request');
  return result;
}
