import { randomBytes } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log';
import { configureLeaseSeries, recordThreadMetricsSkipped } from '../metrics/controller-metrics';
import { registerThreadMetricsSource, type ThreadMetrics } from '../metrics/thread-metrics';
import type { StoredTransition } from '../store/ingest';
import { recordClusterState } from '../store/cluster-state';
import { OwnerSession } from '../store/owner-session';
import { serializeTarget, type ClusterTarget } from './cluster-sources';
import type { WorkerInput, WorkerMessage, WorkerRequest } from './controller-protocol';
import { ClusterController, type ClusterControllerOptions, type WatcherStatus } from './cluster-controller';
import { sleepWithSignal } from './lease-source';
import { Semaphore } from './semaphore';
import type { WatchConfig } from './watch-config';
import { requestWorkerMetrics } from './worker-metrics';

export type ControllerOptions = {
  databaseUrl: string;
  targets: ClusterTarget[];
  watchConfig: WatchConfig;
  log: Logger;
  // Shown as the PostgreSQL application_name of the session that holds this instance's cluster locks.
  instanceId?: string;
  watcher?: Partial<Omit<ClusterControllerOptions, 'target' | 'session' | 'watchConfig' | 'log' | 'onTransitions' | 'onStatus'>>;
  // Clusters listing at the same time (memory: a list holds a whole cluster's Leases at once).
  listConcurrency?: number;
  // Threads the clusters are spread over, each with its own owner session. Parsing the watch streams
  // is most of the CPU at high rates; one thread cannot use a second core. Default 1.
  threads?: number;
  // Owners competing for the same clusters: replicas, or the same thread of each replica ("t<i>/<n>").
  domain?: string;
  // How often the share of clusters is checked against the live replicas (and excess handed over).
  balanceIntervalMs?: number;
  // How long a scrape waits for each thread's metrics before it is served without them. Default 2 s.
  threadMetricsTimeoutMs?: number;
  // Election leases with renewal histograms of their own (LEASETRAIL_METRICS_MAX_LEASE_SERIES), split
  // evenly between the threads; the rest share the lease="" series of their cluster and namespace.
  maxLeaseSeries?: number;
};

export type ControllerEvents = {
  transitions: [cluster: string, rows: StoredTransition[]];
  status: [cluster: string, status: WatcherStatus];
};

const clusterStates: Record<WatcherStatus['state'], 'pending' | 'connected' | 'reconnecting' | 'failing' | 'stopped'> = {
  connecting: 'pending',
  connected: 'connected',
  reconnecting: 'reconnecting',
  failing: 'failing',
  standby: 'pending',
  stopped: 'stopped',
};

// Watches every configured cluster; each one independently, so one failing cluster never holds
// the others back. Several controllers may run against one database: each cluster is written by
// whichever holds its advisory lock.
export class Controller extends EventEmitter<ControllerEvents> {
  private readonly session: OwnerSession;
  readonly instanceId: string;
  private readonly abort = new AbortController();
  private readonly runs: Array<Promise<void>> = [];
  private readonly statuses = new Map<string, WatcherStatus>();
  private readonly watchers = new Map<string, ClusterController>();
  private readonly workers: Worker[] = [];
  private readonly exitedWorkers = new Set<Worker>();
  private metricsRequests = 0;
  private unregisterMetrics: (() => void) | undefined;
  private readonly malformedCounts = new Map<string, number>();
  private readonly quarantinedCounts = new Map<string, number>();

  constructor(private readonly options: ControllerOptions) {
    super();
    this.instanceId = options.instanceId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    // Every cluster's watcher and reflector listen on this one signal: a hundred clusters are no leak.
    setMaxListeners(0, this.abort.signal);
    this.session = new OwnerSession({
      databaseUrl: options.databaseUrl,
      log: options.log.child({ component: 'owner-session' }),
      applicationName: `leasetrail-controller ${this.instanceId}`.slice(0, 63),
      domain: options.domain ?? 't0/1',
    });
  }

  // A fair share: no replica owns more than ⌈clusters / live replicas⌉ while another has room.
  private async fairShare(): Promise<number> {
    const owners = await this.session.countLiveOwners();
    return Math.ceil(this.options.targets.length / owners);
  }

  private acquiring: Promise<unknown> = Promise.resolve();

  // One acquisition at a time, so clusters starting together cannot all see room that only one has.
  // A lock this session already holds (a cluster starting over after a failure) is always kept.
  private acquire(cluster: string): Promise<boolean> {
    const attempt = this.acquiring.then(async () => {
      if (this.session.holds(cluster)) return true;
      if (this.session.heldCount >= (await this.fairShare())) return false;
      return this.session.tryAcquire(cluster);
    });
    this.acquiring = attempt.catch(() => undefined);
    return attempt;
  }

  // When replicas join, the ones above their share hand the most recently taken clusters over; when
  // one leaves, the others' share grows and their standby clusters take its clusters on their next try.
  private async balance(): Promise<void> {
    const share = await this.fairShare();
    const owned = [...this.watchers.values()].filter((watcher) => watcher.ownedSince !== null).sort((a, b) => (b.ownedSince ?? 0) - (a.ownedSince ?? 0));
    for (const watcher of owned.slice(0, Math.max(0, owned.length - share))) watcher.handOver();
  }

  private startBalancing(): void {
    const interval = this.options.balanceIntervalMs ?? 5_000;
    const loop = async () => {
      while (!this.abort.signal.aborted) {
        await sleepWithSignal(interval, this.abort.signal);
        if (this.abort.signal.aborted) break;
        await this.balance().catch((error: unknown) => this.options.log.debug({ err: (error as Error).message }, 'cannot balance clusters now'));
      }
    };
    this.runs.push(loop());
  }

  start(): void {
    const threads = Math.min(this.options.threads ?? 1, this.options.targets.length);
    if (threads > 1) return this.startThreads(threads);
    if (this.options.maxLeaseSeries !== undefined) configureLeaseSeries(this.options.maxLeaseSeries);
    const listPermits = new Semaphore(this.options.listConcurrency ?? 4);
    for (const target of this.options.targets) {
      const log = this.options.log.child({ cluster: target.name });
      const watcher = new ClusterController({
        ...this.options.watcher,
        reflector: { listPermits, ...this.options.watcher?.reflector },
        target,
        session: this.session,
        instanceId: this.instanceId,
        acquire: (cluster) => this.acquire(cluster),
        watchConfig: this.options.watchConfig,
        log,
        onTransitions: (cluster, rows) => this.emit('transitions', cluster, rows),
        onStatus: (cluster, status) => this.updateStatus(cluster, status),
      });
      this.watchers.set(target.name, watcher);
      this.runs.push(
        watcher.run(this.abort.signal).catch((error: unknown) => {
          log.error({ err: error }, 'cluster watcher crashed');
        }),
      );
    }
    this.startBalancing();
    this.options.log.info({ clusters: this.options.targets.map((t) => t.name) }, 'controller started');
  }

  // Every thread runs a Controller of its own for a round-robin share of the clusters.
  private startThreads(threads: number): void {
    const listConcurrency = Math.max(1, Math.ceil((this.options.listConcurrency ?? 4) / threads));
    for (let thread = 0; thread < threads; thread += 1) {
      const targets = this.options.targets.filter((_, index) => index % threads === thread).map(serializeTarget);
      const { clock: _clock, reflector, ...watcher } = this.options.watcher ?? {};
      const { listPermits: _permits, ...reflectorData } = reflector ?? {};
      const input: WorkerInput = {
        databaseUrl: this.options.databaseUrl,
        targets,
        watchConfig: this.options.watchConfig,
        instanceId: this.instanceId,
        listConcurrency,
        thread,
        threadCount: threads,
        ...(this.options.maxLeaseSeries === undefined ? {} : { maxLeaseSeries: Math.ceil(this.options.maxLeaseSeries / threads) }),
        ...(this.options.balanceIntervalMs === undefined ? {} : { balanceIntervalMs: this.options.balanceIntervalMs }),
        watcher: { ...watcher, reflector: reflectorData },
      };
      // In the production bundle, dist/controller-worker.cjs beside this code is the compiled worker; in
      // development and tests, lib/kube/controller-worker.cjs loads the TypeScript through tsx. tsx runs
      // this module as CommonJS (no import.meta.url); vitest provides __dirname as well.
      const worker = new Worker(path.join(__dirname, 'controller-worker.cjs'), { workerData: input });
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'transitions') this.emit('transitions', message.cluster, message.rows as StoredTransition[]);
        else if (message.type === 'status') {
          this.statuses.set(message.cluster, message.status as WatcherStatus);
          this.emit('status', message.cluster, message.status as WatcherStatus);
        } else if (message.type === 'malformed') {
          for (const [cluster, count] of Object.entries(message.counts)) this.malformedCounts.set(cluster, count);
          for (const [cluster, count] of Object.entries(message.quarantined)) this.quarantinedCounts.set(cluster, count);
        }
      });
      worker.on('error', (error) => this.options.log.error({ err: error, thread }, 'controller thread failed'));
      worker.once('exit', () => this.exitedWorkers.add(worker));
      this.workers.push(worker);
    }
    this.unregisterMetrics = registerThreadMetricsSource(() => this.collectThreadMetrics());
    this.options.log.info({ clusters: this.options.targets.map((t) => t.name), threads }, 'controller started');
  }

  // The Leasetrail metrics of every thread that answers in time; the others are counted and left out.
  async collectThreadMetrics(): Promise<ThreadMetrics[]> {
    const timeoutMs = this.options.threadMetricsTimeoutMs ?? 2_000;
    const answers = await Promise.all(
      this.workers.map(async (worker, thread) => {
        const answer = this.exitedWorkers.has(worker) ? { skipped: 'exited' as const } : await requestWorkerMetrics(worker, (this.metricsRequests += 1), timeoutMs);
        if ('metrics' in answer) return answer.metrics;
        recordThreadMetricsSkipped(thread, answer.skipped);
        this.options.log.warn({ thread, reason: answer.skipped }, 'controller thread metrics left out of this scrape');
        return undefined;
      }),
    );
    return answers.filter((metrics) => metrics !== undefined);
  }

  status(cluster: string): WatcherStatus | undefined {
    return this.statuses.get(cluster);
  }

  // Lease objects from this cluster that could not be parsed and were skipped.
  malformed(cluster: string): number {
    return this.watchers.get(cluster)?.malformedCount ?? this.malformedCounts.get(cluster) ?? 0;
  }

  // Leases of this cluster whose events PostgreSQL refused, isolated from the rest of their batch.
  quarantined(cluster: string): number {
    return this.watchers.get(cluster)?.quarantinedCount ?? this.quarantinedCounts.get(cluster) ?? 0;
  }

  private updateStatus(cluster: string, status: WatcherStatus): void {
    this.statuses.set(cluster, status);
    this.emit('status', cluster, status);
    if (status.state === 'standby' || status.state === 'stopped') return;
    const reason = 'reason' in status ? status.reason : null;
    const attempt = 'attempt' in status ? status.attempt : 0;
    const nextRetryAt = 'nextRetryAt' in status ? new Date(status.nextRetryAt) : null;
    const connectedAt = status.state === 'connected' ? new Date(status.since) : null;
    this.session
      .withLock(cluster, (client) => recordClusterState(client, { cluster, state: clusterStates[status.state], reason, attempt, nextRetryAt, connectedAt }))
      .catch((error: unknown) => this.options.log.debug({ cluster, err: (error as Error).message }, 'cluster state not stored'));
  }

  async stop(): Promise<void> {
    this.unregisterMetrics?.();
    await Promise.all(
      this.workers.map(async (worker) => {
        const stopped = new Promise<void>((resolve) => {
          worker.on('message', (message: WorkerMessage) => message.type === 'stopped' && resolve());
          worker.once('exit', () => resolve());
        });
        worker.postMessage({ type: 'stop' } satisfies WorkerRequest);
        await stopped;
        await worker.terminate();
      }),
    );
    this.abort.abort();
    await Promise.all(this.runs);
    await this.session.close();
  }
}
