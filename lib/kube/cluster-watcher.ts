import {
  checkExpiry,
  defaultDeriveOptions,
  deriveDeletion,
  deriveEvents,
  isLeaseKindTracked,
  isRenewalOnlyChange,
  markBlind,
  nextExpiryCheckAt,
  parseLease,
  stateFromStored,
  toStoredLease,
  type DeriveOptions,
  type DeriveResult,
  type LeaseKey,
  type LeaseState,
  type Observation,
  type ParseResult,
  type StoredLease,
} from '../leases';
import type { Logger } from '../log';
import { recordBatchFailed, recordBatchStored, recordBufferDepth, recordRelist, recordRenewal, recordWatchState } from '../metrics/controller-metrics';
import { writeBatch, type GapWrite, type IngestBatch, type LeaseWrite, type StoredTransition } from '../store/ingest';
import { ensureCluster, LockLostError, type OwnerSession } from '../store/owner-session';
import type { ClusterTarget } from './cluster-sources';
import { LeaseReflector, sleepWithSignal, type Clock, type ReflectorEvent, type ReflectorOptions, type ReflectorState } from './lease-reflector';
import { matchesFilter, type WatchConfig } from './watch-config';

export type WatcherStatus = ReflectorState | { state: 'standby'; reason: string } | { state: 'stopped' };

export type ClusterWatcherOptions = {
  target: ClusterTarget;
  session: OwnerSession;
  watchConfig: WatchConfig;
  log: Logger;
  clock?: Clock;
  deriveOptions?: DeriveOptions;
  // Idle wait between checks when nothing arrives (also how often a paused reflector is reconsidered).
  flushIntervalMs?: number;
  // How long the first event of a batch waits for company: a short group commit. Under load, events
  // gather while the previous batch is written anyway, so this only matters for latency when quiet.
  coalesceMs?: number;
  maxBatchEvents?: number;
  // Events kept while PostgreSQL is unreachable; past this the controller records a gap and relists.
  bufferLimit?: number;
  standbyRetryMs?: number;
  reflector?: Partial<Pick<ReflectorOptions, 'watchdogMs' | 'backoff' | 'watchTimeoutSeconds' | 'pageSize' | 'minHealthyWatchMs' | 'listPermits'>>;
  onTransitions?: (cluster: string, rows: StoredTransition[]) => void;
  onStatus?: (cluster: string, status: WatcherStatus) => void;
};

// Watch events are parsed as they arrive, so the raw JSON (managedFields and all) dies young instead
// of waiting in the queue for its batch: that halved the garbage collector's share at 100k events/s.
type Queued =
  | Exclude<ReflectorEvent, { type: 'ADDED' | 'MODIFIED' | 'DELETED' }>
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; parsed: ParseResult; at: number }
  | { type: 'tick'; at: number };

type Blindness = { since: number; reason: GapWrite['reason']; detail: string | null };

const keyString = (key: Pick<LeaseKey, 'namespace' | 'name'>) => `${key.namespace}/${key.name}`;

// The states a batch derives, over the committed ones: a batch touches a few leases of many, so it
// records what it changed instead of copying every state, and is merged only once it is stored.
class StateOverlay {
  readonly changed = new Map<string, LeaseState>();

  constructor(private readonly base: ReadonlyMap<string, LeaseState>) {}

  get(key: string): LeaseState | undefined {
    return this.changed.get(key) ?? this.base.get(key);
  }

  set(key: string, state: LeaseState): void {
    this.changed.set(key, state);
  }

  *entries(): IterableIterator<[string, LeaseState]> {
    for (const [key, state] of this.base) yield [key, this.changed.get(key) ?? state];
    for (const [key, state] of this.changed) if (!this.base.has(key)) yield [key, state];
  }
}

// One cluster: owns it through the session's advisory lock, reflects its Leases, derives events with
// lib/leases and writes them in batches. Derived state is committed only after its batch is stored,
// so a failed write is retried from the same events and nothing is written twice or lost.
export class ClusterWatcher {
  private readonly clock: Clock;
  private readonly deriveOptions: DeriveOptions;
  private states = new Map<string, LeaseState>();
  // Row ids of this cluster's leases ("namespace/name" → id), so a batch of renewals needs no lookup.
  private leaseIds = new Map<string, number>();
  private queue: Queued[] = [];
  private clusterId: number | undefined;
  private blindness: Blindness | null = null;
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryAt: number | null = null;
  private wake: (() => void) | undefined;
  private reflectorAbort: AbortController | undefined;
  private malformedTotal = 0;
  private lastResourceVersion: string | null = null;

  constructor(private readonly options: ClusterWatcherOptions) {
    this.clock = options.clock ?? { now: Date.now };
    this.deriveOptions = { ...(options.deriveOptions ?? defaultDeriveOptions), includeNodeHeartbeats: options.watchConfig.nodeHeartbeats };
  }

  get name(): string {
    return this.options.target.name;
  }

  get malformedCount(): number {
    return this.malformedTotal;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { session, log } = this.options;
    while (!signal.aborted) {
      const acquired = await session.tryAcquire(this.name).catch((error: unknown) => {
        log.warn({ err: (error as Error).message }, 'cannot reach PostgreSQL to take ownership of the cluster');
        return false;
      });
      if (!acquired) {
        this.setStatus({ state: 'standby', reason: 'owned by another Leasetrail instance, or PostgreSQL unreachable' });
        await sleepWithSignal(this.options.standbyRetryMs ?? 5_000, signal);
        continue;
      }
      try {
        await this.runOwned(signal);
      } catch (error) {
        // Whatever went wrong (lost lock, PostgreSQL gone while starting), start over from taking
        // ownership: one failure must never end the watch of a cluster for good.
        this.stopReflector();
        clearTimeout(this.expiryTimer);
        if (error instanceof LockLostError) log.warn('lost ownership of the cluster; stopped writing it');
        else log.error({ err: error }, 'cluster watcher failed; starting over');
        await sleepWithSignal(this.options.standbyRetryMs ?? 5_000, signal);
      } finally {
        this.stopReflector();
        clearTimeout(this.expiryTimer);
      }
    }
    await session.release(this.name).catch(() => undefined);
    this.setStatus({ state: 'stopped' });
  }

  private async runOwned(signal: AbortSignal): Promise<void> {
    const { session, target } = this.options;
    const cluster = await ensureCluster(session, { name: target.name, source: target.source, server: target.server });
    this.clusterId = cluster.id;
    await this.loadStates();
    this.queue = [];
    this.expiryAt = null;
    this.blindness = cluster.lastSeenAt ? { since: cluster.lastSeenAt.getTime(), reason: 'controller_down', detail: 'Leasetrail was not watching this cluster' } : null;
    this.restartReflectorAfterStore = false;
    this.startReflector(signal);
    await this.processLoop(signal);
  }

  // Renewals do not rewrite the lease row (see isRenewalOnlyChange): the newest renew sample, when it
  // is newer than the row, carries the lease's last renewTime and when it last changed.
  private async loadStates(): Promise<void> {
    const rows = await this.options.session.withLock(this.name, async (client) => {
      const result = await client.query<StoredLease & { id: number; namespace: string; name: string }>(
        `SELECT l.id, l.namespace, l.name, l.kind, l.uid, l."resourceVersion", l."holderIdentity", l."leaseDurationSeconds", l."acquireTime",
                GREATEST(l."renewTime", s."renewTime") AS "renewTime", l."leaseTransitions", l.strategy, l."preferredHolder",
                GREATEST(l."observedAt", s."observedAt") AS "observedAt", l."holderSince", l."lastCause", l."skewSuspectedMs", l."deletedAt"
           FROM "Lease" l
           LEFT JOIN LATERAL (
             SELECT "renewTime", "observedAt" FROM "RenewSample" WHERE "leaseId" = l.id ORDER BY "renewTime" DESC LIMIT 1
           ) s ON true
          WHERE l."clusterId" = $1`,
        [this.clusterId],
      );
      return result.rows;
    });
    this.states = new Map(rows.map((row) => [keyString(row), stateFromStored({ cluster: this.name, namespace: row.namespace, name: row.name }, row)]));
    this.leaseIds = new Map(rows.map((row) => [keyString(row), row.id]));
  }

  private startReflector(signal: AbortSignal): void {
    const abort = new AbortController();
    this.reflectorAbort = abort;
    const forward = () => abort.abort();
    signal.addEventListener('abort', forward, { once: true });
    const reflector = new LeaseReflector({
      cluster: this.name,
      kubeConfig: this.options.target.kubeConfig,
      log: this.options.log,
      clock: this.clock,
      ...this.options.reflector,
      onEvent: (event) => this.enqueue(event),
      onState: (state) => this.setStatus(state),
    });
    void reflector.run(abort.signal).finally(() => signal.removeEventListener('abort', forward));
  }

  private stopReflector(): void {
    this.reflectorAbort?.abort();
    this.reflectorAbort = undefined;
  }

  private enqueue(event: ReflectorEvent | { type: 'tick'; at: number }): void {
    if (event.type === 'synced') recordRelist(this.name);
    if ('object' in event) {
      this.queue.push({ type: event.type, parsed: this.parseReported(event.object, event.at, 'watch'), at: event.at });
    } else {
      this.queue.push(event);
    }
    if (this.queue.length === 1 || this.queue.length >= (this.options.maxBatchEvents ?? 5_000)) this.wake?.();
  }

  private setStatus(status: WatcherStatus): void {
    recordWatchState(this.name, status.state);
    this.options.onStatus?.(this.name, status);
  }

  // Resolves after `ms`, on abort, or (when `wakeable`) as soon as an event is queued.
  private pause(ms: number, signal: AbortSignal, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (wakeable) this.wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async processLoop(signal: AbortSignal): Promise<void> {
    const flushMs = this.options.flushIntervalMs ?? 100;
    const coalesceMs = this.options.coalesceMs ?? 50;
    const maxBatch = this.options.maxBatchEvents ?? 5_000;
    let failures = 0;
    while (!signal.aborted) {
      if (this.restartReflectorAfterStore && (await this.isStoreReachable())) {
        this.restartReflectorAfterStore = false;
        this.startReflector(signal);
      }
      if (this.queue.length === 0) {
        await this.pause(flushMs, signal, true);
        // Woken by a first event: give the ones right behind it a moment to join its batch.
        if (this.queue.length > 0 && this.queue.length < maxBatch && coalesceMs > 0) await this.pause(coalesceMs, signal, false);
        continue;
      }
      const taken = this.queue.slice(0, maxBatch);
      const { batch, states, sawSync, rescanExpiry } = this.derive(taken);
      try {
        const writeStarted = performance.now();
        const result = await this.options.session.withLock(this.name, (client) => writeBatch(client, batch));
        this.queue.splice(0, taken.length);
        recordBatchStored(this.name, taken.length, (performance.now() - writeStarted) / 1000);
        recordBufferDepth(this.name, this.queue.length);
        for (const { key, event } of batch.renewals) recordRenewal(key, event.intervalMs, event.lagMs);
        for (const [key, state] of states.changed) this.states.set(key, state);
        for (const [key, id] of result.leaseIds) this.leaseIds.set(key, id);
        this.lastResourceVersion = batch.resourceVersion;
        if (sawSync) this.blindness = null;
        failures = 0;
        if (result.transitions.length > 0) this.options.onTransitions?.(this.name, result.transitions);
        this.scheduleExpiry(rescanExpiry ? this.states.values() : states.changed.values());
      } catch (error) {
        if (error instanceof LockLostError && !(await this.reacquire())) throw error;
        failures += 1;
        recordBatchFailed(this.name);
        recordBufferDepth(this.name, this.queue.length);
        this.options.log.warn({ err: (error as Error).message, queued: this.queue.length, failures }, 'storing events failed; will retry');
        if (this.queue.length > (this.options.bufferLimit ?? 200_000)) this.overflow(taken);
        await sleepWithSignal(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), signal);
      }
    }
  }

  // The session reconnected: take the lock again, unless another instance owns the cluster meanwhile.
  private async reacquire(): Promise<boolean> {
    try {
      return await this.options.session.tryAcquire(this.name);
    } catch {
      return true;
    }
  }

  private async isStoreReachable(): Promise<boolean> {
    try {
      await this.options.session.withLock(this.name, (client) => client.query('SELECT 1'));
      return true;
    } catch (error) {
      if (error instanceof LockLostError && !(await this.reacquire())) throw error;
      return false;
    }
  }

  // Dropping events would corrupt the history silently; instead forget them all, remember since when
  // we are blind, and relist once PostgreSQL is back, which records the gap and the missed changes.
  private overflow(taken: Queued[]): void {
    const first = taken.find((event) => 'at' in event);
    const since = first && 'at' in first ? first.at : this.clock.now();
    this.options.log.error({ dropped: this.queue.length }, 'event buffer overflowed while PostgreSQL was unreachable; recording a gap and relisting');
    this.queue = [];
    this.blindness ??= { since, reason: 'store_overflow', detail: 'PostgreSQL was unreachable for longer than the event buffer lasts' };
    this.stopReflector();
    this.restartReflectorAfterStore = true;
  }

  private restartReflectorAfterStore = false;

  private derive(events: Queued[]): { batch: IngestBatch; states: StateOverlay; sawSync: boolean; rescanExpiry: boolean } {
    const states = new StateOverlay(this.states);
    const changed = new Map<string, LeaseWrite>();
    const batch: IngestBatch = {
      cluster: this.name,
      clusterId: this.clusterId!,
      leases: [],
      transitions: [],
      renewals: [],
      gaps: [],
      lastEventAt: null,
      lastSeenAt: this.clock.now(),
      resourceVersion: this.lastResourceVersion,
    };
    const apply = (key: string, result: DeriveResult) => {
      const previous = states.get(key);
      states.set(key, result.state);
      if (!isLeaseKindTracked(result.state.last.kind, this.deriveOptions)) return;
      const write = changed.get(key);
      // A renewal alone is stored as its sample; the lease row is left as of its last other change.
      const isRenewalOnly =
        write === undefined &&
        previous !== undefined &&
        this.leaseIds.has(key) &&
        result.events.length > 0 &&
        result.events.every((event) => event.type === 'renewal') &&
        isRenewalOnlyChange(previous, result.state);
      if (!isRenewalOnly) changed.set(key, { key: result.state.last.key, stored: toStoredLease(result.state), malformed: write?.malformed ?? 0 });
      for (const event of result.events) {
        const leaseId = this.leaseIds.get(key);
        if (event.type === 'renewal') batch.renewals.push({ key: result.state.last.key, event, leaseId });
        else if (event.type === 'transition' || event.type === 'missed' || event.type === 'resumed') batch.transitions.push({ key: result.state.last.key, event, leaseId });
      }
    };
    const observe = (observation: Observation) => {
      const key = keyString(observation.key);
      if (!this.isWanted(observation)) return;
      apply(key, deriveEvents(states.get(key), observation, this.deriveOptions));
    };

    for (const event of events) {
      switch (event.type) {
        case 'synced': {
          batch.resourceVersion = event.resourceVersion;
          const blind = this.blindness ?? (event.blindSince === null ? null : { since: event.blindSince, reason: event.gapReason ?? 'watch_lost', detail: null });
          if (blind) {
            batch.gaps.push({ startedAt: blind.since, endedAt: event.at, reason: blind.reason, detail: blind.detail });
            for (const [key, state] of states.entries()) states.set(key, markBlind(state));
          }
          const seen = new Set<string>();
          for (const object of event.objects) {
            const observation = this.accept(this.parseReported(object, event.at, 'list'), changed);
            if (!observation) continue;
            seen.add(keyString(observation.key));
            observe(observation);
          }
          for (const [key, state] of states.entries()) {
            if (!seen.has(key) && state.deletedAt === null) apply(key, deriveDeletion(state, event.at, this.deriveOptions));
          }
          batch.lastEventAt = event.at;
          break;
        }
        case 'ADDED':
        case 'MODIFIED': {
          const observation = this.accept(event.parsed, changed);
          if (observation) observe(observation);
          batch.lastEventAt = event.at;
          break;
        }
        case 'DELETED': {
          const observation = this.accept(event.parsed, changed);
          const key = observation ? keyString(observation.key) : undefined;
          const state = key ? states.get(key) : undefined;
          if (key && state) apply(key, deriveDeletion(state, event.at, this.deriveOptions));
          batch.lastEventAt = event.at;
          break;
        }
        case 'bookmark':
          batch.resourceVersion = event.resourceVersion;
          break;
        case 'tick':
          for (const [key, state] of states.entries()) {
            const result = checkExpiry(state, event.at, this.deriveOptions);
            if (result.events.length > 0) apply(key, result);
          }
          break;
      }
    }
    batch.leases = [...changed.values()];
    const sawSync = events.some((event) => event.type === 'synced');
    return { batch, states, sawSync, rescanExpiry: sawSync || events.some((event) => event.type === 'tick') };
  }

  private isWanted(observation: Observation): boolean {
    const { namespaces, leases } = this.options.watchConfig;
    return matchesFilter(observation.key.namespace, namespaces) && matchesFilter(observation.key.name, leases);
  }

  // A malformed Lease is counted and logged with its key; the rest of the stream goes on.
  private parseReported(object: unknown, at: number, source: 'watch' | 'list'): ParseResult {
    const result = parseLease(object, { cluster: this.name, observedAt: at, source });
    if (!result.ok) {
      this.malformedTotal += 1;
      this.options.log.warn({ namespace: result.key?.namespace, lease: result.key?.name, reason: result.reason }, 'malformed Lease ignored');
    }
    return result;
  }

  // The observation of a well-formed Lease; a malformed one is counted on its lease row, if it has one.
  private accept(result: ParseResult, changed: Map<string, LeaseWrite>): Observation | undefined {
    if (result.ok) return result.observation;
    const key = result.key ? keyString(result.key) : undefined;
    const state = key ? this.states.get(key) : undefined;
    if (key && state) {
      const write = changed.get(key) ?? { key: state.last.key, stored: toStoredLease(state), malformed: 0 };
      changed.set(key, { ...write, malformed: write.malformed + 1 });
    }
    return undefined;
  }

  // The expiry timer only ever moves earlier from what a batch changed; when it fires, the tick checks
  // every lease and a full scan sets the next one. A batch need not walk every lease of the cluster.
  private scheduleExpiry(candidates: Iterable<LeaseState>): void {
    let next: number | null = null;
    for (const state of candidates) {
      const at = nextExpiryCheckAt(state, this.deriveOptions);
      if (at !== null && (next === null || at < next)) next = at;
    }
    if (next === null || (this.expiryAt !== null && this.expiryAt <= next)) return;
    clearTimeout(this.expiryTimer);
    this.expiryAt = next;
    const delay = Math.max(0, next - this.clock.now());
    this.expiryTimer = setTimeout(() => {
      this.expiryAt = null;
      this.enqueue({ type: 'tick', at: this.clock.now() });
    }, delay);
  }
}
