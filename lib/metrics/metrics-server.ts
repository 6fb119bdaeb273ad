import http from 'node:http';
import { isScrapeAuthorised } from './scrape';
import { collectProcessMetrics } from './thread-metrics';

export type MetricsServer = { port: number; close: () => Promise<void> };

export type MetricsServerOptions = { host: string; port: number; token: string | undefined; isReady: () => Promise<{ ready: boolean; reason?: string }> };

// The controller alone has no web tier: this small listener gives it /metrics, /livez and /readyz for
// Prometheus and the kubelet.
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const send = (res: http.ServerResponse, status: number, contentType: string, body: string) => {
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(res, 405, 'application/json', JSON.stringify({ error: 'only GET is served here' }));
    if (path === '/livez') return send(res, 200, 'application/json', JSON.stringify({ status: 'alive' }));
    if (path === '/readyz') {
      void options.isReady().then(
        ({ ready, reason }) => send(res, ready ? 200 : 503, 'application/json', JSON.stringify(ready ? { status: 'ready' } : { status: 'not ready', error: reason })),
        (error: unknown) => send(res, 503, 'application/json', JSON.stringify({ status: 'not ready', error: (error as Error).message })),
      );
      return;
    }
    if (path === '/metrics') {
      if (!isScrapeAuthorised(options.token, req.headers.authorization ?? null)) {
        return send(res, 401, 'application/json', JSON.stringify({ error: 'a valid bearer token (LEASETRAIL_METRICS_TOKEN) is required to scrape /metrics' }));
      }
      const rendered = collectProcessMetrics().then(async (registry) => ({ contentType: registry.contentType, body: await registry.metrics() }));
      void rendered.then(
        ({ contentType, body }) => send(res, 200, contentType, body),
        (error: unknown) => send(res, 500, 'application/json', JSON.stringify({ error: (error as Error).message })),
      );
      return;
    }
    send(res, 404, 'application/json', JSON.stringify({ error: 'not found: /metrics, /livez and /readyz are served here' }));
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
