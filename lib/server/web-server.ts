import http from 'node:http';

// How long the web tier keeps an idle keep-alive connection: longer than a proxy's or a client's own idle timeout
// (an ingress controller's upstream pool, a load balancer: 60 s is common). Node's 5 s default closed them first,
// and a request sent on a connection just as the server closed it failed with ECONNRESET (a 502 behind a proxy;
// an e2e test's API client hit it after polling a browser tab for a few seconds).
export const serverKeepAliveMs = 65_000;

// The web tier's HTTP server: `listener` answers every request.
export function createWebServer(listener: http.RequestListener): http.Server {
  const server = http.createServer(listener);
  server.keepAliveTimeout = serverKeepAliveMs;
  server.headersTimeout = serverKeepAliveMs + 1_000;
  return server;
}
