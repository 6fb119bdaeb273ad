import { STATUS_CODES } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';
import { decodeObject, protobufMediaType, WatchFrameReader } from './k8s-protobuf';
import { reuseDispatcher } from './kube-dispatcher';

export type WatchEventHandler = (type: string, object: unknown) => void;

export type WatchDone = (error: unknown) => void;

// What to ask the API server for: Kubernetes protobuf (falling back to JSON when the server answers
// JSON, as servers do for types they cannot encode in protobuf), or JSON only.
export type WireEncoding = 'protobuf' | 'json';

export type OpenWatchOptions = {
  // Like client-node's Watch: the connect timeout, then an inactivity timeout once the stream is open.
  requestTimeoutMs?: number;
  encoding?: WireEncoding;
};

export class WatchHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    // The Status the server sent, decoded from JSON or protobuf (cluster-errors reads its message).
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'WatchHttpError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

export function acceptHeader(encoding: WireEncoding): string {
  return encoding === 'protobuf' ? `${protobufMediaType}, application/json` : 'application/json';
}

function isProtobufAnswer(contentType: string | string[] | undefined): boolean {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return (value ?? '').trim().toLowerCase().startsWith(protobufMediaType);
}

type PreparedRequest = { url: URL; headers: Record<string, string>; dispatcher: Dispatcher | undefined };

// A GET to the cluster of `kubeConfig` with its authentication (token, client certificate, exec plugin,
// in-cluster token file) and TLS settings, as client-node's own requests get them, over HTTP/2 where the server
// offers it (kube-dispatcher.ts). Authentication may take a while (an exec plugin): it is done before any
// timeout of the request starts.
async function prepareKubeRequest(kubeConfig: KubeConfig, path: string, query: Query, encoding: WireEncoding): Promise<PreparedRequest> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const url = new URL(cluster.server + path);
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(context);
  return { url, headers: { ...context.getHeaders(), accept: acceptHeader(encoding) }, dispatcher: await reuseDispatcher(kubeConfig, context.getDispatcher() as Dispatcher | undefined) };
}

function sendKubeRequest(prepared: PreparedRequest, signal: AbortSignal): Promise<Dispatcher.ResponseData> {
  return request(prepared.url, { method: 'GET', headers: prepared.headers, dispatcher: prepared.dispatcher, signal });
}

// A protobuf Lease's times come out as MicroTimes: everything read here goes to parseLease, which takes
// them as they are instead of parsing text formatted for it.
function decodeAnswer(contentType: string | string[] | undefined, body: Buffer): unknown {
  return isProtobufAnswer(contentType) ? decodeObject(body, 'parsed').object : (JSON.parse(body.toString('utf8')) as unknown);
}

async function failWithStatus(response: Dispatcher.ResponseData): Promise<never> {
  const body = Buffer.from(await response.body.arrayBuffer().catch(() => new ArrayBuffer(0)));
  let status: unknown;
  try {
    status = decodeAnswer(response.headers['content-type'], body);
  } catch {
    status = undefined;
  }
  throw new WatchHttpError(response.statusCode, STATUS_CODES[response.statusCode] ?? 'Internal Server Error', status);
}

// A JSON GET through the same authentication and shared dispatcher as the watches: one connection pool per
// cluster identity (the lists of every namespace's pods and Events reuse it, instead of a new undici Agent,
// pool and connection per list). A non-200 answer throws WatchHttpError with the Status the server sent.
export async function getKubeJson(kubeConfig: KubeConfig, path: string, query: Query, signal: AbortSignal): Promise<unknown> {
  const prepared = await prepareKubeRequest(kubeConfig, path, query, 'json');
  signal.throwIfAborted();
  const response = await sendKubeRequest(prepared, signal);
  if (response.statusCode !== 200) return failWithStatus(response);
  return response.body.json();
}

export type LeaseListPage = { items: unknown[]; resourceVersion: string; continueToken: string | undefined };

// One page of a Lease list, decoded from protobuf or JSON, whichever the server answered.
export async function listLeasePage(kubeConfig: KubeConfig, path: string, query: Query, options: { encoding?: WireEncoding; signal?: AbortSignal } = {}): Promise<LeaseListPage> {
  const prepared = await prepareKubeRequest(kubeConfig, path, query, options.encoding ?? 'protobuf');
  options.signal?.throwIfAborted();
  const response = await sendKubeRequest(prepared, options.signal ?? new AbortController().signal);
  if (response.statusCode !== 200) return failWithStatus(response);
  const body = Buffer.from(await response.body.arrayBuffer());
  const list = decodeAnswer(response.headers['content-type'], body) as { kind?: unknown; items?: unknown; metadata?: { resourceVersion?: unknown; continue?: unknown } };
  if (!Array.isArray(list.items)) throw new Error(`the API server answered a list with ${String(list.kind ?? 'no kind')} instead of a LeaseList`);
  const resourceVersion = typeof list.metadata?.resourceVersion === 'string' ? list.metadata.resourceVersion : '';
  const continueToken = typeof list.metadata?.continue === 'string' && list.metadata.continue !== '' ? list.metadata.continue : undefined;
  return { items: list.items, resourceVersion, continueToken };
}

// A timer for "nothing arrived for `ms`" that a busy event loop cannot fool: when it fires, it first lets
// the poll phase deliver whatever bytes were already waiting on the socket (setImmediate), and it counts
// from the last arrival, so time spent decoding another stream's backlog is not silence of this one.
export class SilenceTimer {
  private lastActivityAt = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private isStopped = false;

  constructor(
    private readonly ms: number,
    private readonly onSilent: () => void,
    // Whether the timer alone keeps the process alive.
    private readonly isRef = true,
  ) {
    this.arm(ms);
  }

  touch(): void {
    this.lastActivityAt = performance.now();
  }

  stop(): void {
    this.isStopped = true;
    clearTimeout(this.timer);
  }

  private arm(delay: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => setImmediate(() => this.check()), delay);
    if (!this.isRef) this.timer.unref();
  }

  private check(): void {
    if (this.isStopped) return;
    const silentFor = performance.now() - this.lastActivityAt;
    if (silentFor >= this.ms) {
      this.isStopped = true;
      this.onSilent();
    } else this.arm(this.ms - silentFor);
  }
}

// The semantics of client-node's `Watch.watch` (same kubeconfig authentication and TLS dispatcher,
// `done` called once, a non-200 answer as an Error with `statusCode`, an inactivity TimeoutError),
// read with undici's `request` instead of fetch + web streams + readline, which cost more CPU than
// deriving the events (profiled in the ingest benchmark). Asks for protobuf unless told otherwise and
// decodes whichever encoding the server answered with.
export async function openWatch(kubeConfig: KubeConfig, path: string, query: Query, onEvent: WatchEventHandler, done: WatchDone, options: OpenWatchOptions = {}): Promise<AbortController> {
  const controller = new AbortController();
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  let timedOut = false;
  let inactivity: SilenceTimer | undefined;
  let isDone = false;
  const finish = (error: unknown) => {
    if (isDone) return;
    isDone = true;
    inactivity?.stop();
    controller.abort();
    done(error && timedOut ? new DOMException('The operation was aborted due to timeout', 'TimeoutError') : error);
  };

  try {
    const prepared = await prepareKubeRequest(kubeConfig, path, { watch: true, ...query }, options.encoding ?? 'protobuf');
    // The connect timeout, then the inactivity timeout: from here on, not during authentication.
    inactivity = new SilenceTimer(requestTimeoutMs, () => {
      timedOut = true;
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, false);
    const timer = inactivity;
    const response = await sendKubeRequest(prepared, controller.signal);
    if (response.statusCode !== 200) await failWithStatus(response);
    timer.touch();
    const push = isProtobufAnswer(response.headers['content-type']) ? readProtobufFrames(onEvent) : readJsonLines(onEvent);
    response.body.on('data', (chunk: Buffer) => {
      timer.touch();
      if (isDone) return;
      try {
        push.push(chunk);
      } catch (error) {
        finish(error);
      }
      timer.touch();
    });
    response.body.on('error', finish);
    response.body.on('end', () => {
      try {
        push.end();
        finish(null);
      } catch (error) {
        finish(error);
      }
    });
    response.body.on('close', () => finish(null));
  } catch (error) {
    finish(error);
  }
  return controller;
}

type ChunkReader = { push(chunk: Buffer): void; end(): void };

function readJsonLines(onEvent: WatchEventHandler): ChunkReader {
  return new LineSplitter((line) => {
    let event: { type?: unknown; object?: unknown };
    try {
      event = JSON.parse(line) as { type?: unknown; object?: unknown };
    } catch {
      return; // client-node ignores unparseable lines too
    }
    if (typeof event.type === 'string') onEvent(event.type, event.object);
  });
}

// A frame that does not decode ends the watch with an error (it cannot be skipped like a bad JSON line:
// the stream's framing may be lost); the source reconnects from the last resourceVersion.
function readProtobufFrames(onEvent: WatchEventHandler): ChunkReader {
  return new WatchFrameReader((event) => onEvent(event.type, event.object), 'parsed');
}

// Newline-delimited text from byte chunks; a multi-byte character split across chunks stays whole.
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    let end = text.indexOf('\n', start);
    while (end >= 0) {
      if (end > start) this.emit(text.slice(start, end));
      start = end + 1;
      end = text.indexOf('\n', start);
    }
    this.rest = text.slice(start);
  }

  end(): void {
    const text = this.rest + this.decoder.end();
    this.rest = '';
    if (text.length > 0) this.emit(text);
  }

  private emit(line: string): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.length > 0) this.onLine(trimmed);
  }
}
