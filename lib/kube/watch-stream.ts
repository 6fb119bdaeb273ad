import { STATUS_CODES } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';

export type WatchEventHandler = (type: string, object: unknown) => void;

export type WatchDone = (error: unknown) => void;

export type OpenWatchOptions = {
  // Like client-node's Watch: the connect timeout, then an inactivity timeout once the stream is open.
  requestTimeoutMs?: number;
};

export class WatchHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'WatchHttpError';
  }
}

// The semantics of client-node's `Watch.watch` (same kubeconfig authentication and TLS dispatcher,
// `done` called once, a non-200 answer as an Error with `statusCode`, an inactivity TimeoutError),
// read with undici's `request` and a plain newline splitter instead of fetch + web streams + readline,
// which cost more CPU than deriving the events (profiled in the ingest benchmark).
export async function openWatch(
  kubeConfig: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: WatchEventHandler,
  done: WatchDone,
  options: OpenWatchOptions = {},
): Promise<AbortController> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const url = new URL(cluster.server + path);
  url.searchParams.set('watch', 'true');
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value));

  const controller = new AbortController();
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const resetTimer = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, requestTimeoutMs);
    timer.unref();
  };
  let isDone = false;
  const finish = (error: unknown) => {
    if (isDone) return;
    isDone = true;
    clearTimeout(timer);
    controller.abort();
    done(error && timedOut ? new DOMException('The operation was aborted due to timeout', 'TimeoutError') : error);
  };

  const context = new RequestContext(url.toString(), HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(context);
  resetTimer();
  try {
    const response = await request(url, {
      method: 'GET',
      headers: context.getHeaders(),
      dispatcher: context.getDispatcher() as Dispatcher | undefined,
      signal: controller.signal,
    });
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => undefined);
      throw new WatchHttpError(response.statusCode, STATUS_CODES[response.statusCode] ?? 'Internal Server Error');
    }
    resetTimer();
    const splitter = new LineSplitter((line) => {
      let event: { type?: unknown; object?: unknown };
      try {
        event = JSON.parse(line) as { type?: unknown; object?: unknown };
      } catch {
        return; // client-node ignores unparseable lines too
      }
      if (typeof event.type === 'string') onEvent(event.type, event.object);
    });
    response.body.on('data', (chunk: Buffer) => {
      resetTimer();
      if (!isDone) splitter.push(chunk);
    });
    response.body.on('error', finish);
    response.body.on('end', () => {
      splitter.end();
      finish(null);
    });
    response.body.on('close', () => finish(null));
  } catch (error) {
    finish(error);
  }
  return controller;
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
