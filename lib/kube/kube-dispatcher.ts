import http2 from 'node:http2';
import type https from 'node:https';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { buildConnector, Client, Dispatcher } from 'undici';

// 'auto': HTTP/2 to an https:// API server that offers it in ALPN, as client-go does; 'off': HTTP/1.1 only.
export type WatchHttp2 = 'auto' | 'off';

type ConnectOptions = Extract<ReturnType<KubeConfig['createDispatcherOptions']>, { type: 'agent' }>['connect'];

// What an API server answered on a first TLS connection: HTTP/2 with its SETTINGS_MAX_CONCURRENT_STREAMS, or HTTP/1.1.
type ServerProtocol = { protocol: 'h2'; maxStreams: number } | { protocol: 'http/1.1' };

// A bound on one connection's streams even where a server allows more (RFC 9113: no SETTINGS entry means unlimited).
const maxStreamsPerConnection = 1_000;
const probeTimeoutMs = 10_000;
// client-node's own keep-alive for a cluster without TLS options of its own (its 'none' case), as client-go's 30 s.
const defaultConnect: ConnectOptions = { keepAlive: true, keepAliveInitialDelay: 30_000 };

const http2Modes = new WeakMap<KubeConfig, WatchHttp2>();

// How the requests of `kubeConfig` reach its API server; set before its first request (the dispatcher is kept).
export function setWatchHttp2(kubeConfig: KubeConfig, mode: WatchHttp2): void {
  http2Modes.set(kubeConfig, mode);
}

class ServerProtocolChangedError extends Error {
  override name = 'ServerProtocolChangedError';
}

type Entry = Promise<Dispatcher | undefined>;

// One dispatcher (its TLS sessions and kept-alive connections) per kubeconfig and cluster/user pair, as
// client-node caches its own agents: client-node builds a new undici Agent on every authentication, and
// using each would cost a TLS handshake per request and leave its connections open.
const dispatchers = new WeakMap<KubeConfig, Map<string, Entry>>();

export async function reuseDispatcher(kubeConfig: KubeConfig, fresh: Dispatcher | undefined): Promise<Dispatcher | undefined> {
  const key = JSON.stringify([kubeConfig.getCurrentCluster()?.name ?? '', kubeConfig.getCurrentUser()?.name ?? '']);
  let byIdentity = dispatchers.get(kubeConfig);
  if (!byIdentity) {
    byIdentity = new Map();
    dispatchers.set(kubeConfig, byIdentity);
  }
  const cached = byIdentity.get(key);
  if (cached) {
    // The new one never connected: closing it frees nothing but its object.
    if (fresh) void fresh.close().catch(() => undefined);
    return cached;
  }
  const forget = () => {
    if (byIdentity.get(key) === created) byIdentity.delete(key);
  };
  const created = createDispatcher(kubeConfig, fresh, forget);
  byIdentity.set(key, created);
  return created;
}

// HTTP/2 multiplexes every watch of a cluster over one connection (a hundred streams or more) where HTTP/1.1
// holds a socket, its TLS state and buffers per watch: 10,451 sockets for 100 clusters in the memory benchmark.
// Which protocol the server speaks is asked once, on a connection of its own, before any request is sent: an
// HTTP/2 connection carries up to the server's stream limit and an HTTP/1.1 one a single watch, and undici
// decides how many requests a connection takes before it knows which protocol it got.
async function createDispatcher(kubeConfig: KubeConfig, fresh: Dispatcher | undefined, forget: () => void): Promise<Dispatcher | undefined> {
  const cluster = kubeConfig.getCurrentCluster();
  if ((http2Modes.get(kubeConfig) ?? 'auto') === 'off' || !cluster?.server.startsWith('https:') || cluster.proxyUrl) return fresh;
  const httpsOptions: https.RequestOptions = {};
  await kubeConfig.applyToHTTPSOptions(httpsOptions);
  const { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername } = httpsOptions;
  const options = kubeConfig.createDispatcherOptions(cluster, { ca, cert, key, pfx, passphrase, rejectUnauthorized, servername });
  if (options.type !== 'agent' && options.type !== 'none') return fresh;
  const connect = options.type === 'agent' ? options.connect : defaultConnect;
  let server: ServerProtocol;
  try {
    server = await probeServerProtocol(new URL(cluster.server), connect);
  } catch {
    // Unreachable for now: this request goes the HTTP/1.1 way (and fails like it), the next one asks again.
    forget();
    return fresh;
  }
  if (server.protocol !== 'h2') return fresh;
  if (fresh) void fresh.close().catch(() => undefined);
  return new Http2Connections(new URL(cluster.server).origin, connect, Math.min(server.maxStreams, maxStreamsPerConnection), forget);
}

function probeServerProtocol(url: URL, connect: ConnectOptions, timeoutMs = probeTimeoutMs): Promise<ServerProtocol> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const { keepAlive: _keepAlive, keepAliveInitialDelay: _delay, ...tlsOptions } = connect;
    const socket = tls.connect({
      ...(isIP(host) ? {} : { servername: host }),
      ...tlsOptions,
      host,
      port: Number(url.port || 443),
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no answer from ${url.origin} in ${timeoutMs} ms`)));
    socket.on('error', fail);
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== 'h2') {
        socket.destroy();
        resolve({ protocol: 'http/1.1' });
        return;
      }
      const session = http2.connect(url.origin, { createConnection: () => socket });
      session.on('error', fail);
      session.once('remoteSettings', (settings) => {
        resolve({ protocol: 'h2', maxStreams: settings.maxConcurrentStreams ?? maxStreamsPerConnection });
        session.close();
      });
    });
  });
}

// HTTP/2 connections to one API server, each carrying up to `maxStreams` requests; the next request opens another
// connection, as client-go's transport does when a connection is full. Not undici's Pool: it counts a client that
// is still connecting as busy, so the watches a controller opens at once (or again after a reconnect) would each
// get a connection of their own; and past the server's own limit Node queues a new stream until another one ends,
// which a watch may not do for half an hour. A connection that comes back without h2 (the server changed) fails,
// and the next request asks the server again.
class Http2Connections extends Dispatcher {
  private readonly clients: Client[] = [];
  private readonly connector: buildConnector.connector;

  constructor(
    private readonly origin: string,
    connect: ConnectOptions,
    private readonly maxStreams: number,
    private readonly forget: () => void,
  ) {
    super();
    this.connector = buildConnector({ ...connect, allowH2: true });
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    // Connections that ended (GOAWAY, a reset, the server gone) are dropped from the list, not kept forever.
    for (let index = this.clients.length - 1; index >= 0; index -= 1) {
      const candidate = this.clients[index]!;
      if (candidate.closed || candidate.destroyed) this.clients.splice(index, 1);
    }
    let client = this.clients.find((candidate) => candidate.stats.size < this.maxStreams);
    if (!client) {
      client = this.createClient();
      this.clients.push(client);
    }
    client.dispatch(options, handler);
    return true;
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    const closed = Promise.all(this.clients.splice(0).map((client) => client.close())).then(() => undefined);
    if (!callback) return closed;
    void closed.then(callback);
  }

  override destroy(): Promise<void>;
  override destroy(error: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(error: Error | null, callback: () => void): void;
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null);
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback;
    const destroyed = Promise.all(this.clients.splice(0).map((client) => client.destroy(error))).then(() => undefined);
    if (!done) return destroyed;
    void destroyed.then(done);
  }

  private createClient(): Client {
    return new Client(this.origin, {
      allowH2: true,
      pipelining: this.maxStreams,
      maxConcurrentStreams: this.maxStreams,
      connect: (options, callback) =>
        this.connector(options, (...connected) => {
          const socket = connected[1] as TLSSocket | null;
          if (!socket || socket.alpnProtocol === 'h2') {
            callback(...connected);
            return;
          }
          socket.destroy();
          this.forget();
          callback(new ServerProtocolChangedError(`${this.origin} no longer offers HTTP/2`), null);
        }),
    });
  }
}
