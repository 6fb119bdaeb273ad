import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { describeClusterError, isPermanent, isProtobufDecodeError, type ClusterError } from './cluster-errors';
import type { Semaphore } from './semaphore';
import { listLeasePage, openWatch, SilenceTimer, type WireEncoding } from './watch-stream';

export const leasesPath = '/apis/coordination.k8s.io/v1/leases';

export type Clock = { now: () => number };

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export type GapReason = 'watch_lost' | 'history_expired' | 'connect_failed';

export type SourceRawEvent =
  | { type: 'synced'; objects: unknown[]; resourceVersion: string; at: number; blindSince: number | null; gapReason: GapReason | null }
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: unknown; at: number }
  | { type: 'bookmark'; resourceVersion: string; at: number }
  // Changes may go unseen from `since` on (410, a cluster that cannot be listed): said at once, so no
  // expiry is confirmed meanwhile; the next list closes the gap.
  | { type: 'blind'; since: number; reason: GapReason };

export type SourceState =
  | { state: 'connecting'; attempt: number }
  | { state: 'connected'; since: number }
  | { state: 'reconnecting'; attempt: number; nextRetryAt: number; reason: string }
  | { state: 'failing'; attempt: number; nextRetryAt: number; reason: string; error: ClusterError };

export type BackoffOptions = { initialMs: number; maxMs: number; factor: number; jitter: number };

export type SourceOptions = {
  cluster: string;
  kubeConfig: KubeConfig;
  log: Logger;
  onEvent: (event: SourceRawEvent) => void;
  onState: (state: SourceState) => void;
  clock?: Clock;
  sleep?: Sleep;
  random?: () => number;
  pageSize?: number;
  watchTimeoutSeconds?: number;
  // Reconnect when neither an event nor a bookmark arrived for this long (silent stalls).
  watchdogMs?: number;
  backoff?: Partial<BackoffOptions>;
  // Shared by every cluster of a controller: a full list holds every Lease of its cluster in memory at
  // once, so a hundred clusters listing together (at start, or after a network blip) would need a
  // hundred times that. Without it, lists are not limited.
  listPermits?: Semaphore;
  // A watch that ends this soon after it started, without events, counts as a failure, so a server
  // that closes watches at once is not hammered (client-node #1933).
  minHealthyWatchMs?: number;
  // Kubernetes protobuf by default (cheaper to decode than JSON); a server that cannot encode it answers JSON.
  encoding?: WireEncoding;
};

export const defaultBackoff: BackoffOptions = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.3 };

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - options.jitter + random() * 2 * options.jitter));
}

export const sleepWithSignal: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

type WatchOutcome = { events: number; reason: 'closed' | 'expired' | 'stalled' | 'aborted' | 'relist' };

function statusCodeOf(object: unknown): number | undefined {
  const code = (object as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

function resourceVersionOf(object: unknown): string | undefined {
  const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
  return typeof rv === 'string' && rv !== '' ? rv : undefined;
}

// A confirming read of a few leases goes one by one; of more, one list (cheaper than many requests).
const maxSingleReads = 10;

// The source of one cluster: list + watch of every Lease, after client-go's reflector (resume from the
// last resourceVersion, relist after 410, capped backoff with jitter, a watchdog for silent stalls), and
// direct reads that confirm an expiry. Its state says whether the cluster is observed right now.
export class LeaseSource {
  private readonly clock: Clock;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private encoding: WireEncoding;
  private resourceVersion: string | undefined;
  private blindSince: number | null;
  private gapReason: GapReason | null = 'connect_failed';
  // When we last received something; after a 410 we may have missed everything since then.
  private lastContactAt: number | null = null;
  private isConnected = false;
  private currentWatch: AbortController | undefined;
  private isRelistRequested = false;

  constructor(private readonly options: SourceOptions) {
    this.clock = options.clock ?? { now: Date.now };
    this.sleep = options.sleep ?? sleepWithSignal;
    this.random = options.random ?? Math.random;
    this.backoff = { ...defaultBackoff, ...options.backoff };
    this.encoding = options.encoding ?? 'protobuf';
    this.blindSince = null;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { log } = this.options;
    let attempt = 0;
    this.options.onState({ state: 'connecting', attempt: 0 });
    while (!signal.aborted) {
      let verb: 'list' | 'watch' = 'list';
      try {
        if (this.resourceVersion === undefined) {
          await (this.options.listPermits ? this.options.listPermits.run(() => this.list(signal)) : this.list(signal));
          attempt = 0;
        }
        verb = 'watch';
        const startedAt = this.clock.now();
        const outcome = await this.watch(signal);
        if (outcome.reason === 'aborted') break;
        if (outcome.reason === 'relist') {
          this.resourceVersion = undefined;
          continue;
        }
        if (outcome.reason === 'expired') {
          log.info({ resourceVersion: this.resourceVersion }, 'watch history expired (410); relisting');
          this.markBlind('history_expired', this.lastContactAt);
          this.resourceVersion = undefined;
          continue;
        }
        const healthy = outcome.events > 0 || this.clock.now() - startedAt >= (this.options.minHealthyWatchMs ?? 1_000);
        if (healthy) {
          attempt = 0;
          continue;
        }
        throw new Error(`watch closed after ${this.clock.now() - startedAt} ms without events`);
      } catch (error) {
        if (signal.aborted) break;
        attempt += 1;
        const described = describeClusterError(error, verb);
        // 406 Not Acceptable / 415: a server (or proxy) that refuses protobuf; protobuf that does not decode
        // would fail the same way on every retry. JSON from now on.
        if (this.encoding === 'protobuf' && (described.statusCode === 406 || described.statusCode === 415 || isProtobufDecodeError(error))) {
          log.info({ statusCode: described.statusCode, reason: described.message }, 'the API server refuses protobuf or sent protobuf that does not decode; using JSON');
          this.encoding = 'json';
        }
        const delay = backoffDelay(attempt, this.backoff, this.random);
        const nextRetryAt = this.clock.now() + delay;
        if (this.resourceVersion === undefined) this.markBlind('connect_failed');
        const state: SourceState = isPermanent(described)
          ? { state: 'failing', attempt, nextRetryAt, reason: described.message, error: described }
          : { state: 'reconnecting', attempt, nextRetryAt, reason: described.message };
        log.warn({ attempt, delayMs: delay, reason: described.message }, `${verb} failed; retrying`);
        this.isConnected = false;
        this.options.onState(state);
        await this.sleep(delay, signal);
      }
    }
  }

  // Start over with a list (the reconciler could not see the cluster and opened a gap the list closes).
  requestRelist(): void {
    this.resourceVersion = undefined;
    this.isRelistRequested = true;
    this.currentWatch?.abort();
  }

  // The leases `keys` ("namespace/name") as they are now, read directly (not from the watch). On the
  // timeout its requests are aborted, not left running; an authentication that hangs is given up on too.
  async read(keys: string[], timeoutMs: number): Promise<unknown[]> {
    const controller = new AbortController();
    const timedOut = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
    });
    const timer = setTimeout(() => controller.abort(new Error(`read timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      return await Promise.race([this.readNow(keys, controller.signal), timedOut]);
    } finally {
      clearTimeout(timer);
      // Requests still running (one key failed, the others not yet answered) end with the read.
      controller.abort(new Error('read finished'));
    }
  }

  private async readNow(keys: string[], signal: AbortSignal): Promise<unknown[]> {
    if (keys.length > maxSingleReads) return (await this.listAll(signal)).objects;
    const pages = await Promise.all(
      keys.map((key) => {
        const slash = key.indexOf('/');
        const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(key.slice(0, slash))}/leases`;
        return listLeasePage(this.options.kubeConfig, path, { fieldSelector: `metadata.name=${key.slice(slash + 1)}` }, { encoding: this.encoding, signal });
      }),
    );
    return pages.flatMap((page) => page.items);
  }

  private markConnected(at: number): void {
    if (this.isConnected) return;
    this.isConnected = true;
    this.options.onState({ state: 'connected', since: at });
  }

  private markBlind(reason: GapReason, since: number | null = null): void {
    if (this.blindSince === null) {
      this.blindSince = since ?? this.clock.now();
      this.gapReason = reason;
      this.options.onEvent({ type: 'blind', since: this.blindSince, reason });
    }
  }

  private async listAll(signal?: AbortSignal): Promise<{ objects: unknown[]; resourceVersion: string }> {
    const objects: unknown[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await listLeasePage(this.options.kubeConfig, leasesPath, { limit: this.options.pageSize ?? 500, continue: continueToken }, { encoding: this.encoding, ...(signal ? { signal } : {}) });
      if (signal?.aborted) break;
      for (const item of page.items) objects.push(item);
      continueToken = page.continueToken;
      resourceVersion = page.resourceVersion || resourceVersion;
    } while (continueToken);
    return { objects, resourceVersion };
  }

  private async list(signal: AbortSignal): Promise<void> {
    this.isRelistRequested = false;
    const { objects, resourceVersion } = await this.listAll(signal);
    if (signal.aborted) return;
    const at = this.clock.now();
    // A first list has no predecessor to be blind against; the controller records its own downtime.
    const blindSince = this.blindSince;
    this.options.onEvent({ type: 'synced', objects, resourceVersion, at, blindSince, gapReason: blindSince === null ? null : this.gapReason });
    this.blindSince = null;
    this.gapReason = null;
    this.resourceVersion = resourceVersion;
    this.lastContactAt = at;
    this.markConnected(at);
  }

  private async watch(signal: AbortSignal): Promise<WatchOutcome> {
    const watchdogMs = this.options.watchdogMs ?? 30_000;
    let events = 0;
    let expired = false;
    let stalled = false;
    return new Promise<WatchOutcome>((resolve, reject) => {
      let controller: AbortController | undefined;
      let watchdog: SilenceTimer | undefined;
      let settled = false;
      const onAbort = () => {
        controller?.abort();
        settle({ events, reason: 'aborted' });
      };
      const settle = (outcome: WatchOutcome | Error) => {
        if (settled) return;
        settled = true;
        watchdog?.stop();
        signal.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      // Silence of this stream, not a busy event loop: see SilenceTimer.
      const startWatchdog = () => {
        watchdog = new SilenceTimer(watchdogMs, () => {
          stalled = true;
          controller?.abort();
          // A request that hangs before its headers has no controller yet: give up on it now.
          this.options.log.info({ watchdogMs }, 'watch silent for too long; reconnecting');
          settle({ events, reason: 'stalled' });
        });
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const finish = (error: unknown) => {
        if (signal.aborted) return settle({ events, reason: 'aborted' });
        if (this.isRelistRequested) return settle({ events, reason: 'relist' });
        if (expired || (error as { statusCode?: number } | null)?.statusCode === 410) return settle({ events, reason: 'expired' });
        // client-node's own inactivity timer ends the same way as ours.
        if (stalled || (error as { name?: string } | null)?.name === 'TimeoutError') return settle({ events, reason: 'stalled' });
        if (error) return settle(error instanceof Error ? error : new Error(String(error)));
        settle({ events, reason: 'closed' });
      };
      const onWatchEvent = (type: string, object: unknown) => {
        watchdog?.touch();
        const at = this.clock.now();
        if (type === 'ERROR') {
          if (statusCodeOf(object) === 410) expired = true;
          else this.options.log.warn({ status: object }, 'watch ERROR event');
          controller?.abort();
          return;
        }
        const rv = resourceVersionOf(object);
        if (rv) this.resourceVersion = rv;
        this.lastContactAt = at;
        this.markConnected(at);
        events += 1;
        if (type === 'BOOKMARK') {
          if (rv) this.options.onEvent({ type: 'bookmark', resourceVersion: rv, at });
          return;
        }
        if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.options.onEvent({ type, object, at });
      };
      openWatch(
        this.options.kubeConfig,
        leasesPath,
        { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: this.options.watchTimeoutSeconds ?? 300 },
        onWatchEvent,
        finish,
        { encoding: this.encoding },
      ).then(
        (created) => {
          controller = created;
          this.currentWatch = created;
          if (signal.aborted || stalled || this.isRelistRequested) created.abort();
        },
        (error: unknown) => finish(error),
      );
      startWatchdog();
    });
  }
}
