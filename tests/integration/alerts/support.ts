import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Store } from '../../../lib/store/client';

export type Received = { method: string; path: string; headers: http.IncomingHttpHeaders; body: string; at: number };

export type Answer = { status: number; body?: string } | 'hang';

export type Receiver = {
  url: string;
  requests: Received[];
  // Decides the answer to each request, given how many came before it.
  respond: (handler: (request: Received, index: number) => Answer) => void;
  close: () => Promise<void>;
};

// A real HTTP receiver on 127.0.0.1 that records what it is sent.
export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  let handler: (request: Received, index: number) => Answer = () => ({ status: 200, body: 'ok' });
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(received);
      const answer = handler(received, requests.length - 1);
      if (answer === 'hang') return void hanging.add(res);
      res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => (handler = next),
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Handler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

export type Reply<T = unknown> = { status: number; body: T };

// Calls a route handler as Next would: a real Request, params as a Promise.
export async function callRoute<T = unknown>(handler: Handler, method: string, url: string, options: { body?: unknown; params?: Record<string, string> } = {}): Promise<Reply<T>> {
  const init: RequestInit = { method };
  if (options.body !== undefined) {
    init.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await handler(new Request(new URL(url, 'http://leasetrail.test'), init), { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function seedWebhookChannel(store: Store, name: string, url: string, secret = 'integration-test-secret'): Promise<number> {
  const channel = await store.prisma.notificationChannel.create({ data: { name, kind: 'webhook', config: { url, secret, allowPrivateTargets: false } } });
  return channel.id;
}

export { waitFor as waitUntil } from '../helpers/wait';
