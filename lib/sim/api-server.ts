import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo, Server, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log';
import { loggerFor } from '../log';
import { systemClock, type Clock } from './clock';
import {
  coordinationGroupDocument,
  coordinationResources,
  coreResources,
  defaultKubernetesVersion,
  describeCoreVersions,
  describeVersion,
  eventsGroupDocument,
  eventsResources,
  groupList,
  openApiDocuments,
  openApiRoot,
  type KubernetesVersion,
} from './discovery';
import { decodeLease, isDnsLabel, validateLease, type LeaseInput } from './lease-codec';
import { protobufMediaType, protobufWatchMediaType } from '../kube/k8s-protobuf';
import { leaseApiVersion, leaseGroup, type Lease, type Status, type WatchEventType } from './k8s-types';
import { LeaseStore, matchesQuery, parseRevision, type ListQuery, type StoreEvent } from './lease-store';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, TestFailedError } from './patch';
import { encodeLease, encodeLeaseList, encodeStatus, encodeWatchFrame, prefersProtobuf } from './protobuf-codec';
import { createRandom, type Random } from './random';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import {
  ApiError,
  badRequestError,
  expiredError,
  internalError,
  invalidError,
  methodNotAllowedError,
  notFoundError,
  successStatus,
  tooLargeError,
  unauthorizedError,
  unsupportedMediaTypeError,
} from './status';
import { chooseRendering, toPartialObjectMetadata, toTable, type Rendering } from './table';
import { serveContextRequest, type LeaseCandidateVersion } from './context-api';
import { ContextObjects } from './context-objects';

export type ApiServerOptions = {
  name: string;
  /** 0 picks a free port; a restart keeps whatever port was bound. */
  port?: number;
  historySize?: number;
  initialResourceVersion?: number;
  bookmarkIntervalMs?: number;
  /** Watches without timeoutSeconds end after a random time in [min, 2 × min], as kube-apiserver does. */
  minRequestTimeoutSeconds?: number;
  clock?: Clock;
  random?: Random;
  version?: KubernetesVersion;
  logger?: Logger;
  /** Serve HTTPS with this certificate; `clientCaPem` lets clients present certificates signed by it. */
  tls?: { certPem: string; keyPem: string; clientCaPem?: string };
  /**
   * With TLS, HTTP/2 and HTTP/1.1 on the same port (ALPN), as kube-apiserver serves them (default), or HTTP/1.1 only.
   * `maxStreams`: the SETTINGS_MAX_CONCURRENT_STREAMS announced (--http2-max-streams-per-connection; kube-apiserver's default is 100
   * since the 2023 HTTP/2 rapid-reset fix, kubernetes#121120).
   */
  http2?: false | { maxStreams?: number };
  /** Every API request (not /healthz) must pass: a bearer token, or a client certificate's common name. */
  authenticate?: (credentials: RequestCredentials) => boolean;
  /** Answer `application/vnd.kubernetes.protobuf` when a client prefers it (default); false: JSON only, like a server without protobuf for the type. */
  protobuf?: boolean;
  /** LeaseCandidate versions served (default v1beta1); empty: the CoordinatedLeaderElection gate is off. */
  leaseCandidateVersions?: readonly LeaseCandidateVersion[];
};

export type RequestCredentials = { token?: string; clientCommonName?: string };

export type ApiServerStats = {
  /** By verb for Leases ("list", "watch", …), by "<resource> <verb>" for pods, Events and LeaseCandidates. */
  requests: Record<string, number>;
  activeWatches: number;
  /** Open watches of pods, Events and LeaseCandidates (lib/sim/context-api.ts). */
  activeContextWatches: number;
  /** TCP connections accepted since start (clients that reuse connections open few), and open now. */
  connections: number;
  openConnections: number;
  /** HTTP/2 sessions (one per connection that chose h2) and streams (one per request over them) since start. */
  http2: { sessions: number; streams: number };
  revision: string;
  compactedRevision: string;
  /** Bookmarks written and watches ended by their timeout, since start. */
  watchEvents: Record<WatchEventCount, number>;
};

type WatchEventCount = 'bookmarks' | 'timeouts';

type WatchQuery = Pick<ListQuery, 'namespace' | 'labelSelector' | 'fieldSelector'>;

const host = '127.0.0.1';
const maxBodyBytes = 3 * 1024 * 1024;
const releaseChunkBytes = 256 * 1024;
const maxWatchBacklogBytes = 1024 * 1024;

type QueuedLine = { line: string | Buffer; resourceVersion: string | undefined };

class WatchStream {
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: () => void = () => undefined;
  private isFirstTable = true;
  private isClosed = false;
  // Events kept back during a hold and not yet handed to the socket, in order; a release drains it.
  private queue: QueuedLine[] = [];
  private isReleasing = false;
  // The watch timed out with events still queued: it ends once they are all written.
  private isEnding = false;
  private allowsBookmarks = false;
  private lastSentVersion: string | undefined;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly query: WatchQuery,
    private readonly rendering: Rendering,
    private readonly server: LeaseApiServer,
    private readonly onClose: (stream: WatchStream) => void,
    private readonly isProtobuf = false,
  ) {
    res.on('close', () => this.close());
  }

  /** The version the client holds when the watch opens: a bookmark during a hold may carry it before anything else was sent. */
  startAt(resourceVersion: string): void {
    this.lastSentVersion = resourceVersion;
  }

  attach(unsubscribe: () => void, options: { timeoutMs: number; bookmarkIntervalMs?: number }): void {
    this.unsubscribe = unsubscribe;
    this.allowsBookmarks = options.bookmarkIntervalMs !== undefined;
    const timeout = setTimeout(() => this.timeOut(), options.timeoutMs);
    this.timers.push(timeout);
    if (options.bookmarkIntervalMs !== undefined) this.timers.push(setInterval(() => this.sendBookmark(), options.bookmarkIntervalMs));
  }

  deliver(event: StoreEvent): void {
    const isNew = event.type !== 'DELETED' && matchesQuery(event.object, this.query);
    const wasOld = event.previous !== undefined && matchesQuery(event.previous, this.query);
    if (event.type === 'ADDED' && isNew) this.send('ADDED', event.object);
    else if (event.type === 'MODIFIED' && isNew) this.send(wasOld ? 'MODIFIED' : 'ADDED', event.object);
    else if (event.type === 'MODIFIED' && wasOld) {
      const previous = structuredClone(event.previous!);
      previous.metadata.resourceVersion = event.object.metadata.resourceVersion;
      this.send('DELETED', previous);
    } else if (event.type === 'DELETED' && wasOld) this.send('DELETED', event.object);
  }

  send(type: Exclude<WatchEventType, 'BOOKMARK' | 'ERROR'>, lease: Lease): void {
    this.write(type, this.render(lease), lease.metadata.resourceVersion);
  }

  /** The initial-events-end bookmark, in order after the initial events. */
  sendInitialEventsEnd(): void {
    this.write('BOOKMARK', this.bookmarkObject(String(this.server.store.revision), { 'k8s.io/initial-events-end': 'true' }), String(this.server.store.revision));
  }

  sendBookmark(): void {
    // While events are kept back (a slow consumer's backlog), a bookmark still reaches the client, as the bytes
    // of a backlog would, but only with the last version written to this client: a real API server never
    // bookmarks ahead of events it still has to send, and a client resuming from it must miss nothing.
    if (this.isClosed) return;
    const isBehind = this.isBehind;
    if (isBehind && this.lastSentVersion === undefined) return;
    const resourceVersion = isBehind ? this.lastSentVersion! : String(this.server.store.revision);
    this.writeNow(this.encode('BOOKMARK', this.bookmarkObject(resourceVersion)));
    this.lastSentVersion = resourceVersion;
    this.server.countWatchEvent('bookmarks');
  }

  fail(status: Status): void {
    this.writeNow(this.encode('ERROR', status));
    this.end();
  }

  end(): void {
    if (!this.isClosed) this.res.end(this.queue.length > 0 ? joinChunks(this.queue.splice(0).map((queued) => queued.line)) : undefined);
    this.close();
  }

  destroy(): void {
    this.res.destroy();
    this.close();
  }

  private get isBehind(): boolean {
    return this.server.isHoldingWatches || this.isReleasing || this.queue.length > 0;
  }

  private timeOut(): void {
    this.server.countWatchEvent('timeouts');
    // No new events after the timeout; what is queued still goes out first, so the client's last version has no gap behind it.
    this.unsubscribe();
    this.unsubscribe = () => undefined;
    if (this.isReleasing || this.queue.length > 0) {
      this.isEnding = true;
      return;
    }
    if (this.allowsBookmarks) this.sendBookmark();
    this.end();
  }

  private bookmarkObject(resourceVersion: string, annotations?: Record<string, string>): unknown {
    return this.rendering.kind === 'Table'
      ? { kind: 'Table', apiVersion: `meta.k8s.io/${this.rendering.version}`, metadata: { resourceVersion }, rows: [] }
      : { kind: 'Lease', apiVersion: leaseApiVersion, metadata: { resourceVersion, creationTimestamp: null, ...(annotations ? { annotations } : {}) }, spec: {} };
  }

  private render(lease: Lease): unknown {
    if (this.rendering.kind === 'PartialObjectMetadata') return toPartialObjectMetadata(lease, this.rendering.version);
    if (this.rendering.kind !== 'Table') return lease;
    const withHeaders = this.isFirstTable;
    this.isFirstTable = false;
    return toTable([lease], this.rendering, { resourceVersion: lease.metadata.resourceVersion }, { now: this.server.clock.now(), withHeaders });
  }

  private encode(type: WatchEventType, object: unknown): string | Buffer {
    return this.isProtobuf ? encodeWatchFrame(type, type === 'ERROR' ? encodeStatus(object as Status) : encodeLease(object as Lease)) : `${JSON.stringify({ type, object })}\n`;
  }

  private write(type: WatchEventType, object: unknown, resourceVersion: string | undefined): void {
    if (this.isClosed) return;
    const line = this.encode(type, object);
    if (this.isBehind) {
      this.queue.push({ line, resourceVersion });
      return;
    }
    if (!this.writeNow(line)) return;
    if (resourceVersion !== undefined) this.lastSentVersion = resourceVersion;
  }

  private writeNow(line: string | Buffer): boolean {
    if (this.isClosed) return false;
    // kube-apiserver drops watchers that cannot keep up instead of buffering without bound.
    if (this.res.writableLength > maxWatchBacklogBytes) {
      this.destroy();
      return false;
    }
    this.res.write(line);
    return true;
  }

  // Hands the queued events to the socket as fast as the client reads them (respecting backpressure); events
  // arriving meanwhile queue behind them, so the order on the wire is the order of the store.
  async release(): Promise<void> {
    if (this.isReleasing) return;
    this.isReleasing = true;
    try {
      while (this.queue.length > 0 && !this.isClosed) {
        let bytes = 0;
        let count = 0;
        while (count < this.queue.length && bytes < releaseChunkBytes) {
          bytes += this.queue[count]!.line.length;
          count += 1;
        }
        const chunk = this.queue.splice(0, count);
        const version = chunk.findLast((queued) => queued.resourceVersion !== undefined)?.resourceVersion;
        const written = this.writeAndDrain(joinChunks(chunk.map((queued) => queued.line)));
        if (version !== undefined) this.lastSentVersion = version;
        await written;
      }
    } finally {
      this.isReleasing = false;
    }
    if (!this.isEnding) return;
    // Unsubscribed since the timeout: the last written version, not the store's, is where the client resumes.
    if (this.allowsBookmarks && this.lastSentVersion !== undefined) {
      this.writeNow(this.encode('BOOKMARK', this.bookmarkObject(this.lastSentVersion)));
      this.server.countWatchEvent('bookmarks');
    }
    this.end();
  }

  private async writeAndDrain(text: string | Buffer): Promise<void> {
    if (this.isClosed) return;
    if (this.res.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.once('drain', done);
      this.res.once('close', done);
    });
  }

  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    this.unsubscribe();
    this.onClose(this);
  }
}

function joinChunks(chunks: Array<string | Buffer>): string | Buffer {
  return typeof chunks[0] === 'string' ? (chunks as string[]).join('') : Buffer.concat(chunks as Buffer[]);
}

function sendProtobuf(res: http.ServerResponse, code: number, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(code, { 'Content-Type': protobufMediaType, 'Cache-Control': 'no-cache, private', 'Content-Length': body.length, ...headers });
  res.end(body);
}

function credentialsOf(req: http.IncomingMessage): RequestCredentials {
  const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const socket = req.socket as Partial<TLSSocket>;
  const clientCommonName = socket.authorized ? socket.getPeerCertificate?.()?.subject?.CN : undefined;
  return { ...(token ? { token } : {}), ...(typeof clientCommonName === 'string' ? { clientCommonName } : {}) };
}

function sendJson(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(tooLargeError());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readJson(req: http.IncomingMessage, required: boolean): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') {
    if (required) throw badRequestError('the body of the request was empty');
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw badRequestError(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

function invalidOptionsError(field: string, message: string): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `ListOptions.meta.k8s.io "" is invalid: ${field}: ${message}`,
    reason: 'Invalid',
    details: { group: 'meta.k8s.io', kind: 'ListOptions', causes: [{ reason: 'FieldValueInvalid', message, field }] },
    code: 422,
  });
}

/**
 * One simulated cluster's kube-apiserver: coordination.k8s.io/v1 Leases over real HTTP on 127.0.0.1,
 * with list/watch semantics, Status errors and enough discovery for kubectl and client-node.
 */
export class LeaseApiServer {
  readonly name: string;
  readonly store: LeaseStore;
  /** Pods, Events and LeaseCandidates (lib/sim/context-api.ts serves them). */
  readonly context: ContextObjects;
  readonly clock: Clock;
  private readonly options: ApiServerOptions;
  private readonly random: Random;
  private readonly log: Logger;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly watches = new Set<WatchStream>();
  private readonly requests: Record<string, number> = {};
  private readonly watchEvents: Record<WatchEventCount, number> = { bookmarks: 0, timeouts: 0 };
  private connectionCount = 0;
  private readonly http2Counts = { sessions: 0, streams: 0 };
  private contextWatches = 0;
  private boundPort: number;
  private isStopped = false;
  private holding = false;

  constructor(options: ApiServerOptions) {
    this.options = options;
    this.name = options.name;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? createRandom(`apiserver/${options.name}`);
    this.log = options.logger ?? loggerFor('sim', { cluster: options.name });
    this.boundPort = options.port ?? 0;
    this.store = new LeaseStore({
      historySize: options.historySize ?? 1000,
      initialRevision: options.initialResourceVersion ?? 1,
      clock: this.clock,
      random: this.random.fork('store'),
    });
    this.context = new ContextObjects(this.clock, this.random.fork('context'));
  }

  get port(): number {
    return this.boundPort;
  }

  get isHoldingWatches(): boolean {
    return this.holding;
  }

  /**
   * From now on, watch events are rendered when they happen but kept back, as a backlog waiting for a
   * slow consumer would be; `releaseWatches` then streams them at whatever speed the watchers read.
   * The ingest benchmark uses this to measure Leasetrail at saturation rather than the simulator.
   */
  holdWatches(): void {
    this.holding = true;
  }

  /** Sends every held event; resolves once all of it was handed to the sockets. */
  async releaseWatches(): Promise<void> {
    this.holding = false;
    await Promise.all([...this.watches].map((watch) => watch.release()));
  }

  get url(): string {
    return `${this.options.tls ? 'https' : 'http'}://${host}:${this.boundPort}`;
  }

  stats(): ApiServerStats {
    return {
      requests: { ...this.requests },
      activeWatches: this.watches.size,
      activeContextWatches: this.contextWatches,
      connections: this.connectionCount,
      openConnections: this.sockets.size,
      http2: { ...this.http2Counts },
      revision: String(this.store.revision),
      compactedRevision: String(this.store.compactedRevision),
      watchEvents: { ...this.watchEvents },
    };
  }

  countWatchEvent(name: WatchEventCount): void {
    this.watchEvents[name] += 1;
  }

  async start(): Promise<void> {
    this.isStopped = false;
    await this.listen();
  }

  private async listen(): Promise<void> {
    if (this.server) return;
    const tls = this.options.tls;
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    const secure = tls ? { cert: tls.certPem, key: tls.keyPem, ...(tls.clientCaPem ? { ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}) } : undefined;
    const http2Options = this.options.http2;
    let server: Server;
    if (secure && http2Options !== false) {
      // The compatibility API hands HTTP/2 streams and HTTP/1.1 requests to the same handler, with http's interface.
      const h2 = http2.createSecureServer({ ...secure, allowHTTP1: true, settings: { maxConcurrentStreams: http2Options?.maxStreams ?? 100 } }, onRequest as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void);
      h2.on('session', (session) => {
        this.http2Counts.sessions += 1;
        this.sessions.add(session);
        session.on('close', () => this.sessions.delete(session));
        session.on('error', () => undefined);
      });
      h2.on('stream', () => (this.http2Counts.streams += 1));
      server = h2;
    } else server = secure ? https.createServer(secure, onRequest) : http.createServer(onRequest);
    server.on('connection', (socket: Socket) => {
      this.connectionCount += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.server = server;
    this.log.debug({ url: this.url }, 'api server listening');
  }

  /** Close the listener and every connection, watches included; a restart in progress stays down. */
  async stop(): Promise<void> {
    this.isStopped = true;
    await this.close();
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const watch of [...this.watches]) watch.destroy();
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.log.debug('api server stopped');
  }

  /**
   * HTTP/2 GOAWAY on every session, as kube-apiserver's --goaway-chance or a graceful shutdown sends it: clients open
   * a new connection for their next requests, the streams already open may go on; each session closes once they end.
   */
  goAway(): void {
    for (const session of this.sessions) session.close();
  }

  /** Like a kube-apiserver restart: connections drop, the port refuses for a while, the watch cache starts afresh. */
  async restart(options: { downtimeMs?: number } = {}): Promise<void> {
    await this.close();
    this.store.forgetHistory();
    if (options.downtimeMs) await this.clock.sleep(options.downtimeMs);
    if (!this.isStopped) await this.listen();
  }

  /** Compact history: open watches get a 410 ERROR event, and so does any later watch from an older version. */
  compactHistory(): string {
    const revision = this.store.compact();
    for (const watch of [...this.watches]) watch.fail(expiredError('The resourceVersion for the provided watch is too old.').status);
    return String(revision);
  }

  onWrite(listener: (event: StoreEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  private wantsProtobuf(req: http.IncomingMessage): boolean {
    return this.options.protobuf !== false && prefersProtobuf(req.headers.accept);
  }

  private count(verb: string): void {
    this.requests[verb] = (this.requests[verb] ?? 0) + 1;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.route(req, res);
    } catch (error) {
      const apiError = error instanceof ApiError ? error : internalError((error as Error).message);
      if (!(error instanceof ApiError)) this.log.error({ err: error }, 'api server request failed');
      if (res.headersSent) res.end();
      else if (this.wantsProtobuf(req)) sendProtobuf(res, apiError.code, encodeStatus(apiError.status));
      else sendJson(res, apiError.code, apiError.status);
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const segments = url.pathname.split('/').filter(Boolean);
    const method = req.method ?? 'GET';
    const path = segments.join('/');
    this.log.trace({ method, url: req.url }, 'request');
    const onlyGet = (body: () => unknown) => {
      if (method !== 'GET') throw methodNotAllowedError(`the server does not allow this method on the requested resource`);
      this.count('discovery');
      sendJson(res, 200, body());
    };
    if (['healthz', 'livez', 'readyz'].includes(path)) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    if (this.options.authenticate && !this.options.authenticate(credentialsOf(req))) {
      this.count('unauthorized');
      throw unauthorizedError();
    }
    if (path === 'version') return onlyGet(() => describeVersion(this.options.version ?? defaultKubernetesVersion));
    if (path === 'api') return onlyGet(() => describeCoreVersions(`${host}:${this.boundPort}`));
    if (path === 'api/v1') return onlyGet(() => coreResources);
    if (path === 'apis') return onlyGet(() => groupList);
    if (path === 'apis/coordination.k8s.io') return onlyGet(() => coordinationGroupDocument);
    if (path === 'apis/coordination.k8s.io/v1') return onlyGet(() => coordinationResources);
    if (path === 'apis/events.k8s.io') return onlyGet(() => eventsGroupDocument);
    if (path === 'apis/events.k8s.io/v1') return onlyGet(() => eventsResources);
    if (path === 'openapi/v3') return onlyGet(() => openApiRoot);
    if (segments[0] === 'openapi' && segments[1] === 'v3') {
      const document = openApiDocuments[segments.slice(2).join('/')];
      if (document) return onlyGet(() => document);
    }
    if (segments[0] === 'api' && segments[1] === 'v1' && segments[2] === 'namespaces' && segments.length <= 4) {
      return onlyGet(() => this.describeNamespaces(segments[3]));
    }
    if (segments[0] === 'apis' && segments[1] === leaseGroup && segments[2] === 'v1') {
      const rest = segments.slice(3);
      if (rest.length === 1 && rest[0] === 'leases') return this.serveCollection(req, res, url, undefined);
      if (rest.length >= 3 && rest[0] === 'namespaces' && rest[2] === 'leases') {
        const namespace = decodeURIComponent(rest[1]!);
        if (rest.length === 3) return this.serveCollection(req, res, url, namespace);
        if (rest.length === 4) return this.serveItem(req, res, url, namespace, decodeURIComponent(rest[3]!));
      }
    }
    const contextStats = { count: (key: string) => this.count(key), watching: (delta: 1 | -1) => (this.contextWatches += delta) };
    if (serveContextRequest(this.context, this.options.leaseCandidateVersions ?? ['v1beta1'], req, res, url, segments, contextStats)) return;
    throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  }

  private describeNamespaces(name: string | undefined): unknown {
    const toObject = (ns: ReturnType<LeaseStore['listNamespaces']>[number]) => ({
      kind: 'Namespace',
      apiVersion: 'v1',
      metadata: { name: ns.name, uid: ns.uid, resourceVersion: ns.resourceVersion, creationTimestamp: ns.creationTimestamp, labels: { 'kubernetes.io/metadata.name': ns.name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    const all = this.store.listNamespaces();
    if (name === undefined) return { kind: 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: String(this.store.revision) }, items: all.map(toObject) };
    const found = all.find((ns) => ns.name === name);
    if (!found) throw notFoundError(name, 'namespaces', '', 'namespaces');
    return toObject(found);
  }

  private listQuery(url: URL, namespace: string | undefined): ListQuery {
    const q = url.searchParams;
    const limit = q.get('limit');
    if (limit !== null && !/^\d+$/.test(limit)) throw badRequestError(`invalid limit: ${JSON.stringify(limit)}`);
    return {
      ...(namespace !== undefined ? { namespace } : {}),
      labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
      fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? undefined),
      ...(limit !== null ? { limit: Number(limit) } : {}),
      ...(q.get('continue') ? { continueToken: q.get('continue')! } : {}),
      ...(q.get('resourceVersion') ? { resourceVersion: q.get('resourceVersion')! } : {}),
      ...(q.get('resourceVersionMatch') ? { resourceVersionMatch: q.get('resourceVersionMatch')! } : {}),
    };
  }

  private async serveCollection(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    const watch = url.searchParams.get('watch');
    if (method === 'GET' && (watch === 'true' || watch === '1')) return this.serveWatch(req, res, url, namespace);
    if (method === 'GET') return this.serveList(req, res, url, namespace);
    if (namespace === undefined) throw methodNotAllowedError('the server does not allow this method on the requested resource');
    if (method === 'POST') return this.serveCreate(req, res, url, namespace);
    if (method === 'DELETE') return this.serveDeleteCollection(req, res, url, namespace);
    throw methodNotAllowedError('the server does not allow this method on the requested resource');
  }

  private serveList(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string | undefined): void {
    this.count('list');
    const result = this.store.list(this.listQuery(url, namespace));
    const meta = {
      resourceVersion: result.resourceVersion,
      ...(result.continueToken ? { continue: result.continueToken } : {}),
      ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
    };
    const rendering = chooseRendering(req.headers.accept, url.searchParams.get('includeObject'));
    if (rendering.kind === 'Table') return sendJson(res, 200, toTable(result.items, rendering, meta, { now: this.clock.now(), withHeaders: true }));
    if (rendering.kind === 'Object' && this.wantsProtobuf(req)) {
      this.count('protobuf');
      return sendProtobuf(res, 200, encodeLeaseList(result.items, meta));
    }
    if (rendering.kind === 'PartialObjectMetadata') {
      return sendJson(res, 200, {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${rendering.version}`,
        metadata: meta,
        items: result.items.map((lease) => toPartialObjectMetadata(lease, rendering.version)),
      });
    }
    sendJson(res, 200, { kind: 'LeaseList', apiVersion: leaseApiVersion, metadata: meta, items: result.items });
  }

  private serveWatch(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string | undefined): void {
    this.count('watch');
    const q = url.searchParams;
    const query: WatchQuery = {
      ...(namespace !== undefined ? { namespace } : {}),
      labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
      fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? undefined),
    };
    const allowBookmarks = q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1';
    const sendInitialEvents = q.get('sendInitialEvents');
    const resourceVersion = q.get('resourceVersion') ?? '';
    const resourceVersionMatch = q.get('resourceVersionMatch') ?? '';
    if (sendInitialEvents !== null) {
      if (resourceVersionMatch !== 'NotOlderThan') throw invalidOptionsError('resourceVersionMatch', `Unsupported value: "${resourceVersionMatch}": supported values: "NotOlderThan"`);
      if (!allowBookmarks) throw invalidOptionsError('allowWatchBookmarks', 'Required value: sendInitialEvents requires setting allowWatchBookmarks to true');
    } else if (resourceVersionMatch !== '') {
      throw invalidOptionsError('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
    }
    const timeoutParam = q.get('timeoutSeconds');
    if (timeoutParam !== null && !/^\d+$/.test(timeoutParam)) throw badRequestError(`invalid timeoutSeconds: ${JSON.stringify(timeoutParam)}`);
    const minTimeout = this.options.minRequestTimeoutSeconds ?? 1800;
    const timeoutMs = timeoutParam !== null && Number(timeoutParam) > 0 ? Number(timeoutParam) * 1000 : (minTimeout + this.random.float() * minTimeout) * 1000;

    const withInitialState = sendInitialEvents === 'true' || (sendInitialEvents === null && (resourceVersion === '' || resourceVersion === '0'));
    let backlog: StoreEvent[] = [];
    let expiredAt: number | undefined;
    if (resourceVersion !== '' && resourceVersion !== '0') {
      const requested = parseRevision(resourceVersion);
      if (!withInitialState) {
        const events = this.store.eventsSince(requested);
        if (events === 'expired') expiredAt = requested;
        else backlog = events;
      }
    }
    const rendering = chooseRendering(req.headers.accept, q.get('includeObject'));
    const isProtobuf = rendering.kind === 'Object' && this.wantsProtobuf(req);
    if (isProtobuf) this.count('protobuf');
    res.writeHead(200, { 'Content-Type': isProtobuf ? protobufWatchMediaType : 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const stream = new WatchStream(res, query, rendering, this, (closed) => this.watches.delete(closed), isProtobuf);
    this.watches.add(stream);
    if (expiredAt !== undefined) {
      stream.fail(expiredError(`too old resource version: ${expiredAt} (${this.store.compactedRevision})`).status);
      return;
    }
    if (!withInitialState && resourceVersion !== '' && resourceVersion !== '0') stream.startAt(resourceVersion);
    const unsubscribe = this.store.subscribe((event) => stream.deliver(event));
    if (withInitialState) {
      for (const lease of this.store.list(query).items) stream.send('ADDED', lease);
      if (sendInitialEvents === 'true') stream.sendInitialEventsEnd();
    }
    for (const event of backlog) stream.deliver(event);
    stream.attach(unsubscribe, { timeoutMs, ...(allowBookmarks ? { bookmarkIntervalMs: this.options.bookmarkIntervalMs ?? 60_000 } : {}) });
  }

  private manager(req: http.IncomingMessage, url: URL): string {
    const explicit = url.searchParams.get('fieldManager');
    if (explicit) return explicit;
    const agent = req.headers['user-agent'];
    return agent ? (agent.split('/')[0] ?? 'unknown') : 'unknown';
  }

  private rejectDryRun(url: URL): void {
    if (url.searchParams.get('dryRun')) throw badRequestError('dryRun is not supported by the simulated API server');
  }

  /** Decode, apply fieldValidation, check the namespace, and return any Warning header. */
  private decodeBody(body: unknown, url: URL, namespace: string): { lease: LeaseInput; headers: Record<string, string> } {
    const { lease, unknownFields } = decodeLease(body);
    const mode = url.searchParams.get('fieldValidation') ?? 'Warn';
    if (!['Ignore', 'Warn', 'Strict'].includes(mode)) throw badRequestError(`fieldValidation parameter unsupported: ${mode}`);
    if (mode === 'Strict' && unknownFields.length > 0) {
      throw badRequestError(`strict decoding error: ${unknownFields.map((field) => `unknown field "${field}"`).join(', ')}`);
    }
    const headers: Record<string, string> =
      mode === 'Warn' && unknownFields.length > 0 ? { Warning: unknownFields.map((field) => `299 - "unknown field \\"${field}\\""`).join(', ') } : {};
    if (lease.metadata.namespace !== undefined && lease.metadata.namespace !== '' && lease.metadata.namespace !== namespace) {
      throw badRequestError('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (!isDnsLabel(namespace)) throw notFoundError(namespace, 'namespaces', '', 'namespaces');
    return { lease, headers };
  }

  private validate(lease: LeaseInput, name: string): void {
    const causes = validateLease({ ...lease, metadata: { ...lease.metadata, name } });
    if (causes.length > 0) throw invalidError(name, causes);
  }

  private async serveCreate(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string): Promise<void> {
    this.count('create');
    this.rejectDryRun(url);
    const { lease, headers } = this.decodeBody(await readJson(req, true), url, namespace);
    const name = lease.metadata.name || (lease.metadata.generateName ? `${lease.metadata.generateName}x` : '');
    this.validate(lease, name);
    sendJson(res, 201, this.store.create(namespace, lease, { manager: this.manager(req, url) }), headers);
  }

  private async serveItem(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string, name: string): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET') {
      this.count('get');
      const lease = this.store.getOrThrow(namespace, name);
      const rendering = chooseRendering(req.headers.accept, url.searchParams.get('includeObject'));
      if (rendering.kind === 'Table') return sendJson(res, 200, toTable([lease], rendering, { resourceVersion: lease.metadata.resourceVersion }, { now: this.clock.now(), withHeaders: true }));
      if (rendering.kind === 'PartialObjectMetadata') return sendJson(res, 200, toPartialObjectMetadata(lease, rendering.version));
      if (this.wantsProtobuf(req)) {
        this.count('protobuf');
        return sendProtobuf(res, 200, encodeLease(lease));
      }
      return sendJson(res, 200, lease);
    }
    this.rejectDryRun(url);
    if (method === 'PUT') {
      this.count('update');
      const { lease, headers } = this.decodeBody(await readJson(req, true), url, namespace);
      if (lease.metadata.name !== name) {
        throw badRequestError(`the name of the object (${lease.metadata.name ?? ''}) does not match the name on the URL (${name})`);
      }
      this.validate(lease, name);
      const result = this.store.update(namespace, name, lease, { manager: this.manager(req, url) });
      return sendJson(res, result.created ? 201 : 200, result.lease, headers);
    }
    if (method === 'PATCH') return this.servePatch(req, res, url, namespace, name);
    if (method === 'DELETE') {
      this.count('delete');
      const options = (await readJson(req, false)) as { preconditions?: { uid?: string; resourceVersion?: string } } | undefined;
      const deleted = this.store.delete(namespace, name, options?.preconditions ?? {});
      return sendJson(res, 200, successStatus({ name, group: leaseGroup, kind: 'leases', uid: deleted.metadata.uid }));
    }
    throw methodNotAllowedError('the server does not allow this method on the requested resource');
  }

  private async servePatch(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string, name: string): Promise<void> {
    this.count('patch');
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const patch = await readJson(req, true);
    const existing = this.store.getOrThrow(namespace, name);
    let patched: unknown;
    try {
      if (contentType === 'application/merge-patch+json') patched = applyMergePatch(existing, patch);
      else if (contentType === 'application/strategic-merge-patch+json') patched = applyStrategicMergePatch(existing, patch);
      else if (contentType === 'application/json-patch+json') patched = applyJsonPatch(existing, patch);
      else throw unsupportedMediaTypeError(contentType || 'none');
    } catch (error) {
      if (error instanceof TestFailedError) {
        throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: error.message, reason: 'Invalid', code: 422 });
      }
      throw error;
    }
    const { lease, headers } = this.decodeBody(patched, url, namespace);
    if (lease.metadata.name !== name) throw badRequestError(`the name of the object (${lease.metadata.name ?? ''}) does not match the name on the URL (${name})`);
    this.validate(lease, name);
    // A resourceVersion inside the patch is a precondition; the store answers 409 when it is stale.
    const input: LeaseInput = { ...lease, metadata: { ...lease.metadata, resourceVersion: lease.metadata.resourceVersion || existing.metadata.resourceVersion } };
    const result = this.store.update(namespace, name, input, { manager: this.manager(req, url) });
    sendJson(res, 200, result.lease, headers);
  }

  private async serveDeleteCollection(req: http.IncomingMessage, res: http.ServerResponse, url: URL, namespace: string): Promise<void> {
    this.count('deletecollection');
    this.rejectDryRun(url);
    await readJson(req, false);
    const query = this.listQuery(url, namespace);
    const deleted = this.store.list({ ...query, limit: 0 }).items.map((lease) => this.store.delete(namespace, lease.metadata.name));
    sendJson(res, 200, { kind: 'LeaseList', apiVersion: leaseApiVersion, metadata: { resourceVersion: String(this.store.revision) }, items: deleted });
  }
}
