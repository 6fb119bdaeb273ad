import {
  defaultDeriveOptions,
  emptyStream,
  leaseKeyString,
  parseLease,
  reconcile,
  type DeriveOptions,
  type ParseResult,
  type ReconcileOptions,
  type ReconcileResult,
  type SourceEvent,
  type StreamModel,
} from '../leases';
import { getSourceStatus } from '../leases/api-degraded';
import { CompactLeaseStates } from '../leases/compact-state';
import type { Logger } from '../log';
import { forgetLeaseSeries, recordBatchFailed, recordBatchStored, recordBufferDepth, recordRelist, recordRenewal, recordWatchState } from '../metrics/controller-metrics';
import type { IngestBatch, StoredTransition } from '../store/ingest';
import { writeBatchIsolating } from '../store/isolating-writer';
import { loadClusterLeaseStates } from '../store/lease-states';
import { ensureCluster, LockLostError, pingStore, type OwnerSession } from '../store/owner-session';
import type { ClusterTarget } from './cluster-sources';
import { ContextWatchers, type ContextWatchersOptions } from './context-watchers';
import { EventQueue } from './event-queue';
import { ExpiryScheduler } from './expiry-scheduler';
import { setWatchHttp2, type WatchHttp2 } from './kube-dispatcher';
import { LeaseSource, sleepWithSignal, type Clock, type SourceOptions, type SourceRawEvent, type SourceState } from './lease-source';
import { matchesFilter, type WatchConfig } from './watch-config';

export type WatcherStatus = SourceState | { state: 'standby'; reason: string } | { state: 'stopped' };

export type ClusterControllerOptions = {
  target: ClusterTarget;
  session: OwnerSession;
  // Recorded as the cluster's owner (Cluster.ownerInstance).
  instanceId?: string;
  // Takes ownership of the cluster if this instance may (its fair share among replicas); by default,
  // whenever the advisory lock is free.
  acquire?: (cluster: string) => Promise<boolean>;
  watchConfig: WatchConfig;
  log: Logger;
  clock?: Clock;
  deriveOptions?: DeriveOptions;
  // Idle wait between checks when nothing arrives.
  flushIntervalMs?: number;
  // How long the first event of a batch waits for company: a short group commit. Under load, events
  // gather while the previous batch is written anyway, so this only matters for latency when quiet.
  coalesceMs?: number;
  maxBatchEvents?: number;
  // Events kept while PostgreSQL is unreachable; past this the controller records a gap and relists.
  bufferLimit?: number;
  standbyRetryMs?: number;
  // How long a read that confirms an expiry may take before the cluster counts as unreadable.
  readTimeoutMs?: number;
  // HTTP/2 to an https:// API server that offers it (default 'auto'), for the Lease watch and the context watches alike.
  http2?: WatchHttp2;
  reflector?: Partial<Pick<SourceOptions, 'watchdogMs' | 'backoff' | 'watchTimeoutSeconds' | 'pageSize' | 'minHealthyWatchMs' | 'listPermits' | 'encoding'>>;
  onTransitions?: (cluster: string, rows: StoredTransition[]) => void;
  onStatus?: (cluster: string, status: WatcherStatus) => void;
  // Failover context (pods, Events, LeaseCandidates, API-server-degraded bands); off: `false`.
  context?: Partial<Pick<ContextWatchersOptions, 'flushMs' | 'evaluateMs' | 'recheckMs' | 'degraded' | 'scope' | 'relistDelayMs'>> | false;
};

// One cluster, as controller-runtime shapes a controller: source → queue → reconciler → writer.
// The source lists and watches; the queue coalesces and bounds; `reconcile` (lib/leases, pure) decides
// every fact; the writer (lib/store) stores a batch in one transaction on the session that owns the
// cluster. Derived state is committed only after its batch is stored, so a failed write is retried
// from the same events and nothing is written twice or lost.
export class ClusterController {
  private readonly clock: Clock;
  private readonly reconcileOptions: ReconcileOptions;
  private readonly queue: EventQueue<SourceEvent>;
  private readonly scheduler: ExpiryScheduler;
  // Every lease's state, compact, with the id of its row ("namespace/name" → id), so a batch of
  // renewals needs no lookup.
  private states: CompactLeaseStates;
  private stream: StreamModel = emptyStream();
  private clusterId: number | undefined;
  private source: LeaseSource | undefined;
  private context: ContextWatchers | undefined;
  private sourceAbort: AbortController | undefined;
  private malformedTotal = 0;
  private quarantinedTotal = 0;
  private restartSourceAfterStore = false;
  private isHandingOver = false;
  private ownedFrom: number | null = null;

  constructor(private readonly options: ClusterControllerOptions) {
    this.clock = options.clock ?? { now: Date.now };
    setWatchHttp2(options.target.kubeConfig, options.http2 ?? 'auto');
    const { namespaces, leases } = options.watchConfig;
    this.reconcileOptions = {
      ...(options.deriveOptions ?? defaultDeriveOptions),
      includeNodeHeartbeats: options.watchConfig.nodeHeartbeats,
      isWanted: (key) => matchesFilter(key.namespace, namespaces) && matchesFilter(key.name, leases),
    };
    this.queue = new EventQueue({ limit: options.bufferLimit ?? 200_000, batchSize: options.maxBatchEvents ?? 5_000 });
    this.states = new CompactLeaseStates(options.target.name);
    this.scheduler = new ExpiryScheduler(() => this.queue.push({ type: 'tick', at: this.clock.now() }), this.clock);
  }

  get name(): string {
    return this.options.target.name;
  }

  // Since when this instance owns the cluster (null while it does not).
  get ownedSince(): number | null {
    return this.ownedFrom;
  }

  // Give the cluster to another replica: stop watching, store what is queued, release the lock.
  handOver(): void {
    if (this.ownedFrom === null || this.isHandingOver) return;
    this.isHandingOver = true;
    this.options.log.info('handing the cluster over to balance the replicas');
    this.stopSource();
  }

  get malformedCount(): number {
    return this.malformedTotal;
  }

  // Events of leases whose values PostgreSQL refused (each isolated from the rest of its batch).
  get quarantinedCount(): number {
    return this.quarantinedTotal;
  }

  async run(signal: AbortSignal): Promise<void> {
    const { session, log } = this.options;
    while (!signal.aborted) {
      const acquire = this.options.acquire ?? ((name: string) => session.tryAcquire(name));
      const acquired = await acquire(this.name).catch((error: unknown) => {
        log.warn({ err: (error as Error).message }, 'cannot reach PostgreSQL to take ownership of the cluster');
        return false;
      });
      if (!acquired) {
        this.setStatus({ state: 'standby', reason: 'owned by another Leasetrail instance, or PostgreSQL unreachable' });
        await sleepWithSignal(this.options.standbyRetryMs ?? 5_000, signal);
        continue;
      }
      try {
        this.ownedFrom = this.clock.now();
        await this.runOwned(signal);
        if (this.isHandingOver) {
          await session.release(this.name);
          this.setStatus({ state: 'standby', reason: 'handed over to another Leasetrail replica' });
          this.ownedFrom = null;
          this.isHandingOver = false;
          await sleepWithSignal(this.options.standbyRetryMs ?? 5_000, signal);
        }
      } catch (error) {
        // Whatever went wrong (lost lock, PostgreSQL gone while starting), start over from taking
        // ownership: one failure must never end the watch of a cluster for good.
        this.stopSource();
        if (error instanceof LockLostError) log.warn('lost ownership of the cluster; stopped writing it');
        else log.error({ err: error }, 'cluster controller failed; starting over');
        await sleepWithSignal(this.options.standbyRetryMs ?? 5_000, signal);
      } finally {
        this.ownedFrom = null;
        this.isHandingOver = false;
        this.stopSource();
      }
    }
    await session.release(this.name).catch(() => undefined);
    this.setStatus({ state: 'stopped' });
  }

  private async runOwned(signal: AbortSignal): Promise<void> {
    const { session, target } = this.options;
    const cluster = await ensureCluster(session, { name: target.name, source: target.source, server: target.server, owner: this.options.instanceId ?? 'unknown' });
    this.clusterId = cluster.id;
    const loaded = await session.withLock(this.name, (client) => loadClusterLeaseStates(client, { id: cluster.id, name: this.name }));
    this.states = loaded;
    this.queue.clear();
    // Whatever happened while no instance watched is unknown: the first list closes this gap.
    // A gap a previous owner left open (it went blind, then died) is continued and closed by our list.
    const downSince = cluster.openGapSince?.getTime() ?? cluster.lastSeenAt?.getTime();
    const detail = cluster.previousOwner && cluster.previousOwner !== this.options.instanceId ? `not watched while ownership passed from ${cluster.previousOwner} to ${this.options.instanceId ?? 'this instance'}` : 'Leasetrail was not watching this cluster';
    this.stream = { ...emptyStream(), blind: downSince === undefined ? null : { since: downSince, reason: 'controller_down', detail } };
    this.restartSourceAfterStore = false;
    this.startSource(signal);
    await this.processLoop(signal);
  }

  private startSource(signal: AbortSignal): void {
    const abort = new AbortController();
    this.sourceAbort = abort;
    const forward = () => abort.abort();
    signal.addEventListener('abort', forward, { once: true });
    const source = new LeaseSource({
      cluster: this.name,
      kubeConfig: this.options.target.kubeConfig,
      log: this.options.log,
      clock: this.clock,
      ...this.options.reflector,
      onEvent: (event) => this.queue.push(this.toSourceEvent(event)),
      onState: (state) => this.setStatus(state),
    });
    this.source = source;
    if (this.options.context !== false && this.clusterId !== undefined) {
      const { target, session, log } = this.options;
      this.context = new ContextWatchers({ cluster: this.name, clusterId: this.clusterId, kubeConfig: target.kubeConfig, session, log, clock: this.clock, ...this.options.context });
      this.context.start();
    }
    void source.run(abort.signal).finally(() => signal.removeEventListener('abort', forward));
  }

  private stopSource(): void {
    this.scheduler.cancel();
    this.sourceAbort?.abort();
    this.sourceAbort = undefined;
    this.source = undefined;
    this.context?.stop();
    this.context = undefined;
  }

  // Watch events are parsed as they arrive, so the raw JSON (managedFields and all) dies young instead
  // of waiting in the queue for its batch: that halved the garbage collector's share at 100k events/s.
  private toSourceEvent(event: SourceRawEvent): SourceEvent {
    switch (event.type) {
      case 'synced':
        recordRelist(this.name);
        this.context?.setSourceStatus('streaming', event.at);
        return {
          type: 'listed',
          items: event.objects.map((object) => this.parseReported(object, event.at, 'list')),
          resourceVersion: event.resourceVersion,
          at: event.at,
          blindSince: event.blindSince,
          gapReason: event.gapReason,
        };
      case 'bookmark':
        return event;
      case 'blind':
        this.context?.setSourceStatus('blind', event.since);
        return { type: 'blind', blindness: { since: event.since, reason: event.reason, detail: null } };
      case 'DELETED':
        return { type: 'delete', parsed: this.parseReported(event.object, event.at, 'watch'), at: event.at };
      default: {
        const parsed = this.parseReported(event.object, event.at, 'watch');
        // The degraded detector hears of a renewal when it arrives, not when its batch is stored: a slow
        // database must not look like a stalled API server.
        if (parsed.ok && parsed.observation.kind === 'election') this.context?.observe(parsed.observation);
        return { type: 'upsert', parsed, at: event.at };
      }
    }
  }

  // A malformed Lease is counted and logged with its key; the rest of the stream goes on.
  private parseReported(object: unknown, at: number, source: 'watch' | 'list' | 'read'): ParseResult {
    const result = parseLease(object, { cluster: this.name, observedAt: at, source });
    if (!result.ok) {
      this.malformedTotal += 1;
      this.options.log.warn({ namespace: result.key?.namespace, lease: result.key?.name, reason: result.reason }, 'malformed Lease ignored');
    }
    return result;
  }

  private setStatus(status: WatcherStatus): void {
    recordWatchState(this.name, status.state);
    if (status.state !== 'standby' && status.state !== 'stopped') this.context?.setSourceStatus(getSourceStatus(status.state), this.clock.now());
    this.options.onStatus?.(this.name, status);
  }

  private async processLoop(signal: AbortSignal): Promise<void> {
    const flushMs = this.options.flushIntervalMs ?? 100;
    const coalesceMs = this.options.coalesceMs ?? 50;
    let failures = 0;
    while (!signal.aborted) {
      if (this.isHandingOver && this.queue.size === 0) return;
      if (this.restartSourceAfterStore && (await this.isStoreReachable())) {
        this.restartSourceAfterStore = false;
        this.startSource(signal);
      }
      if (this.queue.size === 0) {
        await this.queue.pause(flushMs, signal, true);
        // Woken by a first event: give the ones right behind it a moment to join its batch.
        if (this.queue.size > 0 && coalesceMs > 0) await this.queue.pause(coalesceMs, signal, false);
        continue;
      }
      const taken = this.queue.peek();
      try {
        const result = reconcile({ leases: this.states, stream: this.stream }, taken, this.clock.now(), this.reconcileOptions);
        const writeStarted = performance.now();
        const quarantined = await this.store(result);
        this.queue.drop(taken.length);
        recordBatchStored(this.name, taken.length, (performance.now() - writeStarted) / 1000);
        recordBufferDepth(this.name, this.queue.size);
        for (const { key, event } of result.writes.renewals) recordRenewal(key, event.intervalMs, event.lagMs);
        this.commit(result, quarantined);
        failures = 0;
      } catch (error) {
        if (error instanceof LockLostError && !(await this.reacquire())) throw error;
        failures += 1;
        recordBatchFailed(this.name);
        recordBufferDepth(this.name, this.queue.size);
        this.options.log.warn({ err: (error as Error).message, queued: this.queue.size, failures }, 'storing events failed; will retry');
        if (this.queue.isOverflowing) this.overflow(taken);
        await sleepWithSignal(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)), signal);
      }
    }
  }

  private async store(result: ReconcileResult): Promise<Set<string>> {
    const { writes } = result;
    const idOf = (key: { namespace: string; name: string }) => this.states.getId(leaseKeyString(key));
    for (const entry of writes.renewals) entry.leaseId = idOf(entry.key);
    for (const entry of writes.transitions) entry.leaseId = idOf(entry.key);
    for (const entry of writes.skews) entry.leaseId = idOf(entry.key);
    const batch: IngestBatch = {
      cluster: this.name,
      clusterId: this.clusterId!,
      leases: writes.leases,
      transitions: writes.transitions,
      renewals: writes.renewals,
      skews: writes.skews,
      gaps: writes.gaps,
      lastEventAt: writes.lastEventAt,
      // While blind, the cluster is not seen: a successor starts its gap where this one began.
      lastSeenAt: result.stream.blind?.since ?? this.clock.now(),
      resourceVersion: writes.resourceVersion,
    };
    const outcome = await this.options.session.writeInGroup(this.name, (client, savepoint) => writeBatchIsolating(client, batch, { within: savepoint }));
    for (const [key, id] of outcome.leaseIds) this.states.setId(key, id);
    for (const { key, reason } of outcome.quarantined) {
      this.quarantinedTotal += 1;
      this.options.log.error({ lease: key, reason }, 'PostgreSQL refused the values of a lease; its events of this batch are quarantined, the rest is stored');
    }
    for (const [key, fields] of result.clamped) this.options.log.warn({ lease: key, fields }, 'values beyond their columns were clamped');
    if (outcome.transitions.length > 0) this.options.onTransitions?.(this.name, outcome.transitions);
    return new Set(outcome.quarantined.map(({ key }) => key));
  }

  // A quarantined lease keeps its last stored state, so its next write carries its whole row again.
  private commit(result: ReconcileResult, quarantined: Set<string>): void {
    for (const [key, state] of result.changed) {
      if (quarantined.has(key)) continue;
      this.states.set(key, state);
      if (state.deletedAt !== null) forgetLeaseSeries(state.last.key);
    }
    this.stream = result.stream;
    this.feedContext(result);
    if (result.isFullScan) this.scheduler.reset(result.nextDueAt);
    else this.scheduler.moveEarlier(result.nextDueAt);
    if (result.relist) {
      this.options.log.warn({ since: result.stream.blind?.since }, 'cannot see the cluster; recording a gap and relisting');
      this.context?.setSourceStatus('blind', this.clock.now());
      this.source?.requestRelist();
    }
    const asked = new Map<number, string[]>();
    for (const key of result.reads) {
      const askedAt = result.stream.pending.get(key);
      if (askedAt !== undefined) asked.set(askedAt, [...(asked.get(askedAt) ?? []), key]);
    }
    for (const [askedAt, keys] of asked) void this.confirm(keys, askedAt);
  }

  // Namespaces of election leases: where pods and Events are worth watching.
  private feedContext(result: ReconcileResult): void {
    const context = this.context;
    if (!context) return;
    const namespaces = new Set<string>();
    const holders = new Set<string>();
    for (const state of result.changed.values()) {
      if (state.last.kind !== 'election') continue;
      namespaces.add(state.last.key.namespace);
      if (state.last.holderIdentity) holders.add(state.last.holderIdentity);
    }
    context.noteHolders(holders);
    if (namespaces.size > 0) context.watchNamespaces(namespaces);
  }

  // Reads the leases whose expiry is due; the answer (or the failure) goes through the queue like any event.
  private async confirm(keys: string[], askedAt: number): Promise<void> {
    const source = this.source;
    if (!source) return;
    try {
      const objects = await source.read(keys, this.options.readTimeoutMs ?? 10_000);
      const at = this.clock.now();
      this.queue.push({ type: 'read', requested: keys, items: objects.map((object) => parseLease(object, { cluster: this.name, observedAt: at, source: 'read' })), askedAt, at });
    } catch (error) {
      this.queue.push({ type: 'unreadable', requested: keys, askedAt, at: this.clock.now(), reason: (error as Error).message });
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
      await this.options.session.withLock(this.name, (client) => pingStore(client));
      return true;
    } catch (error) {
      if (error instanceof LockLostError && !(await this.reacquire())) throw error;
      return false;
    }
  }

  // Dropping events would corrupt the history silently; instead forget them all, remember since when
  // we are blind, and relist once PostgreSQL is back, which records the gap and the missed changes.
  private overflow(taken: SourceEvent[]): void {
    const first = taken.find((event): event is Extract<SourceEvent, { at: number }> => 'at' in event);
    const since = first ? first.at : this.clock.now();
    this.options.log.error({ dropped: this.queue.size }, 'event buffer overflowed while PostgreSQL was unreachable; recording a gap and relisting');
    this.queue.clear();
    this.queue.push({ type: 'blind', blindness: { since, reason: 'store_overflow', detail: 'PostgreSQL was unreachable for longer than the event buffer lasts' } });
    this.stopSource();
    this.restartSourceAfterStore = true;
  }
}
