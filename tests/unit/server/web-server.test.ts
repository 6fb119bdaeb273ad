import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebServer } from '../../../lib/server/web-server';

let server: http.Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

describe('the web tier’s HTTP server', () => {
  it('tells clients it keeps idle connections 65 s, longer than a proxy’s 60 s upstream pool, not Node’s 5 s', async () => {
    server = createWebServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true });
    const keepAlive = await new Promise<string | undefined>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.headers['keep-alive'])));
        })
        .on('error', reject);
    });
    agent.destroy();
    // Node announces the server's keepAliveTimeout in every kept-alive answer; headers may take a little longer.
    expect(keepAlive).toBe('timeout=65');
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
  });
});
