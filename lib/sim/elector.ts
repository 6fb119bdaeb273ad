import { ApiException, CoordinationV1Api, Observable, type ConfigurationOptions, type KubeConfig, type ObservableMiddleware, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { loggerFor } from '../log';
import { AbortedError, createDeadline, systemClock, type Clock } from './clock';
import {
  isLeaseValid,
  jitterDuration,
  jitterFactor,
  nextPollDelay,
  recordFromSpec,
  serializeRecord,
  specFromRecord,
  validateElectionTimings,
  type ElectionTimings,
  type LeaderElectionRecord,
} from './election-record';

export type AcquireCause = 'first' | 'after-release' | 'after-expiry';

export type ElectorEvent =
  | { type: 'started-leading'; identity: string; at: number }
  | { type: 'stopped-leading'; identity: string; at: number; reason: ElectorExitReason }
  | { type: 'acquired'; identity: string; at: number; from: string; cause: AcquireCause; leaseTransitions: number; resourceVersion: string }
  | { type: 'released'; identity: string; at: number; leaseTransitions: number; resourceVersion: string }
  | { type: 'new-leader'; identity: string; at: number; leader: string };

export type ElectorExitReason = 'lost' | 'stopped' | 'crashed';

export type ElectorOptions = ElectionTimings & {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  releaseOnCancel?: boolean;
  /** Coordinated leader election (client-go's tryCoordinatedRenew): never take the lease, renew only while no preferredHolder is set. */
  isCoordinated?: boolean;
  /** client-go's NewFromKubeconfig sets the HTTP timeout to max(RenewDeadline / 2, 1 s). */
  requestTimeoutMs?: number;
  userAgent?: string;
  clock?: Clock;
  random?: () => number;
  onEvent?: (event: ElectorEvent) => void;
  logger?: Logger;
};

class CallAbortedError extends Error {
  override name = 'CallAbortedError';
}

/**
 * A port of client-go tools/leaderelection (LeaderElector with the Lease lock) on @kubernetes/client-node.
 * It fences nothing, exactly like the original: a paused leader keeps believing until its RenewDeadline passes.
 */
export class LeaderElector {
  readonly identity: string;
  private readonly api: CoordinationV1Api;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly log: Logger;
  private readonly lifetime = new AbortController();
  private readonly cancelled = new AbortController();
  private observedRecord: LeaderElectionRecord | undefined;
  private observedRawRecord: string | undefined;
  private observedTime = 0;
  private reportedLeader = '';
  private cachedLease: V1Lease | undefined;
  private isLeading = false;
  private isCrashed = false;
  private pauseGate: { promise: Promise<void>; resolve: () => void } | undefined;
  private callDelayMs = 0;
  private clockOffsetMs = 0;
  private running: Promise<ElectorExitReason> | undefined;
  private releaseOverride: boolean | undefined;

  constructor(private readonly options: ElectorOptions) {
    validateElectionTimings(options);
    this.identity = options.identity;
    this.api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.log = options.logger ?? loggerFor('sim', { lease: `${options.namespace}/${options.name}`, identity: options.identity });
  }

  /** Run starts the election loop; the promise settles when it has ended (lost, stopped or crashed). */
  start(): Promise<ElectorExitReason> {
    this.running ??= this.run();
    return this.running;
  }

  get done(): Promise<ElectorExitReason> {
    return this.running ?? Promise.resolve('stopped');
  }

  /** Whether OnStartedLeading ran and OnStoppedLeading has not: what the process acting as leader believes. */
  get isLeader(): boolean {
    return this.isLeading;
  }

  get isPaused(): boolean {
    return this.pauseGate !== undefined;
  }

  /** Cancel the context: the loop ends and, with ReleaseOnCancel (or release: true), the lease is released. */
  async stop(options: { release?: boolean } = {}): Promise<ElectorExitReason> {
    if (options.release !== undefined) this.releaseOverride = options.release;
    this.resume();
    this.cancelled.abort();
    return this.done;
  }

  /** The process dies: no release, in-flight requests are cut. */
  crash(): Promise<ElectorExitReason> {
    this.isCrashed = true;
    this.resume();
    this.lifetime.abort();
    this.cancelled.abort();
    return this.done;
  }

  /** Freeze the process (SIGSTOP): timers keep running on the host, but nothing here proceeds until resume. */
  pause(): void {
    if (this.pauseGate || this.isCrashed) return;
    let resolve = () => undefined as void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.pauseGate = { promise, resolve };
  }

  resume(): void {
    const gate = this.pauseGate;
    this.pauseGate = undefined;
    gate?.resolve();
  }

  setCallDelay(ms: number): void {
    this.callDelayMs = Math.max(0, ms);
  }

  setClockOffset(ms: number): void {
    this.clockOffsetMs = ms;
  }

  private get shouldRelease(): boolean {
    return this.releaseOverride ?? this.options.releaseOnCancel ?? false;
  }

  private emit(event: ElectorEvent): void {
    this.options.onEvent?.(event);
  }

  private async run(): Promise<ElectorExitReason> {
    let reason: ElectorExitReason = 'stopped';
    try {
      if (!(await this.acquire())) return this.isCrashed ? 'crashed' : 'stopped';
      this.isLeading = true;
      this.log.info('became leader');
      this.emit({ type: 'started-leading', identity: this.identity, at: this.clock.now() });
      reason = await this.renew();
      if (this.shouldRelease && !this.isCrashed) await this.release();
    } catch (error) {
      if (!(error instanceof AbortedError || error instanceof CallAbortedError)) this.log.error({ err: error }, 'elector failed');
    } finally {
      if (this.isCrashed) reason = 'crashed';
      if (this.isLeading) {
        this.isLeading = false;
        this.log.info({ reason }, 'stopped leading');
        this.emit({ type: 'stopped-leading', identity: this.identity, at: this.clock.now(), reason });
      }
    }
    return reason;
  }

  /** Block here while paused; a crash while paused ends the loop. */
  private async gate(): Promise<void> {
    while (this.pauseGate) await this.pauseGate.promise;
    if (this.lifetime.signal.aborted) throw new AbortedError('crashed');
  }

  private async sleep(ms: number, signal: AbortSignal): Promise<void> {
    await this.clock.sleep(ms, signal);
    await this.gate();
  }

  /** wait.JitterUntil(tryAcquireOrRenew, RetryPeriod, 1.2, sliding) until it succeeds or the context ends. */
  private async acquire(): Promise<boolean> {
    const signal = this.cancelled.signal;
    this.log.debug('attempting to acquire leader lease');
    for (;;) {
      if (signal.aborted) return false;
      const succeeded = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition();
      if (succeeded) return true;
      try {
        await this.sleep(jitterDuration(this.options.retryPeriodMs, jitterFactor, this.random), signal);
      } catch (error) {
        if (error instanceof AbortedError && !this.lifetime.signal.aborted) return false;
        throw error;
      }
    }
  }

  /** wait.Until(poll with RenewDeadline, RetryPeriod): a renewal round that cannot succeed within RenewDeadline loses. */
  private async renew(): Promise<ElectorExitReason> {
    const signal = this.cancelled.signal;
    for (;;) {
      if (signal.aborted) return 'stopped';
      const deadline = createDeadline(this.options.renewDeadlineMs, [signal]);
      let renewed: boolean;
      try {
        renewed = await this.pollRenew(deadline.signal, this.clock.monotonic() + this.options.renewDeadlineMs);
      } finally {
        deadline.dispose();
      }
      this.maybeReportTransition();
      if (!renewed) {
        if (signal.aborted) return 'stopped';
        this.log.info('failed to renew lease: timed out waiting for the condition');
        return 'lost';
      }
      try {
        await this.sleep(this.options.retryPeriodMs, signal);
      } catch (error) {
        if (error instanceof AbortedError && !this.lifetime.signal.aborted) return 'stopped';
        throw error;
      }
    }
  }

  private async pollRenew(deadline: AbortSignal, deadlineAt: number): Promise<boolean> {
    const ticker = { startMs: this.clock.monotonic(), consumedTicks: 0 };
    for (;;) {
      if (deadline.aborted || this.clock.monotonic() >= deadlineAt) return false;
      if (await this.tryAcquireOrRenew(deadline)) return true;
      try {
        await this.sleep(nextPollDelay(ticker, this.clock.monotonic(), this.options.retryPeriodMs), deadline);
      } catch (error) {
        if (error instanceof AbortedError && !this.lifetime.signal.aborted) return false;
        throw error;
      }
    }
  }

  private isLeaderByRecord(): boolean {
    return this.observedRecord?.holderIdentity === this.identity;
  }

  private isObservedLeaseValid(now: number): boolean {
    return isLeaseValid(this.observedTime, this.observedRecord?.leaseDurationSeconds ?? 0, now);
  }

  private setObservedRecord(record: LeaderElectionRecord): void {
    this.observedRecord = record;
    this.observedTime = this.clock.monotonic();
  }

  // client-go's "record obtained": the observed time moves only when the record changed since the last read.
  private noteRecordRead(record: LeaderElectionRecord, raw: string): void {
    if (this.observedRawRecord === raw) return;
    this.setObservedRecord(record);
    this.observedRawRecord = raw;
  }

  private wallNow(): number {
    return this.clock.now() + this.clockOffsetMs;
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    if (this.options.isCoordinated) return this.tryCoordinatedRenew(signal);
    const now = this.wallNow();
    const monotonicNow = this.clock.monotonic();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.floor(this.options.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaderTransitions: 0,
    };

    // 1. Fast path: a leader whose view is still valid updates its cached object optimistically.
    if (this.isLeaderByRecord() && this.isObservedLeaseValid(monotonicNow)) {
      const observed = this.observedRecord!;
      desired.acquireTime = observed.acquireTime;
      desired.leaderTransitions = observed.leaderTransitions;
      try {
        await this.updateLock(desired, signal);
        this.setObservedRecord(desired);
        return true;
      } catch (error) {
        this.rethrowIfCrashed(error);
        this.log.debug({ err: describeError(error) }, 'Failed to update lease optimistically, falling back to slow path');
      }
    }

    // 2. Obtain or create the record.
    let old: LeaderElectionRecord;
    let oldRaw: string;
    try {
      ({ record: old, raw: oldRaw } = await this.getLock(signal));
    } catch (error) {
      this.rethrowIfCrashed(error);
      if (!(error instanceof ApiException && error.code === 404)) {
        this.log.debug({ err: describeError(error) }, 'error retrieving resource lock');
        return false;
      }
      try {
        const created = await this.createLock(desired, signal);
        this.setObservedRecord(desired);
        this.emitAcquired('', 'first', desired, created);
        return true;
      } catch (createError) {
        this.rethrowIfCrashed(createError);
        this.log.debug({ err: describeError(createError) }, 'error initially creating leader election record');
        return false;
      }
    }

    // 3. Record obtained: note when it last changed, by our own clock.
    this.noteRecordRead(old, oldRaw);
    if (old.holderIdentity !== '' && this.isObservedLeaseValid(monotonicNow) && !this.isLeaderByRecord()) {
      this.log.trace({ holder: old.holderIdentity }, 'lock is held and has not yet expired');
      return false;
    }

    // 4. Take over or renew.
    const wasLeader = this.isLeaderByRecord();
    if (wasLeader) {
      desired.acquireTime = old.acquireTime;
      desired.leaderTransitions = old.leaderTransitions;
    } else {
      desired.leaderTransitions = old.leaderTransitions + 1;
    }
    try {
      const updated = await this.updateLock(desired, signal);
      this.setObservedRecord(desired);
      if (!wasLeader) {
        const cause: AcquireCause = old.holderIdentity !== '' ? 'after-expiry' : old.renewTime === undefined && old.acquireTime === undefined ? 'first' : 'after-release';
        this.emitAcquired(old.holderIdentity, cause, desired, updated);
      }
      return true;
    } catch (error) {
      this.rethrowIfCrashed(error);
      this.log.debug({ err: describeError(error) }, 'Failed to update lock');
      return false;
    }
  }

  /** The election controller names the holder; a holder renews until it is marked "end of term" (preferredHolder). */
  private async tryCoordinatedRenew(signal: AbortSignal): Promise<boolean> {
    let old: LeaderElectionRecord;
    let oldRaw: string;
    try {
      ({ record: old, raw: oldRaw } = await this.getLock(signal));
    } catch (error) {
      this.rethrowIfCrashed(error);
      this.log.debug({ err: describeError(error) }, 'error retrieving resource lock');
      return false;
    }
    this.noteRecordRead(old, oldRaw);
    if (!this.isObservedLeaseValid(this.clock.monotonic())) return false;
    if (!this.isLeaderByRecord()) return false;
    if (old.preferredHolder) {
      this.log.debug({ preferredHolder: old.preferredHolder }, "lock is marked as 'end of term'");
      return false;
    }
    const now = this.wallNow();
    const desired: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.floor(this.options.leaseDurationMs / 1000),
      renewTime: now,
      leaderTransitions: old.leaderTransitions,
      ...(old.acquireTime !== undefined ? { acquireTime: old.acquireTime } : {}),
      ...(old.strategy ? { strategy: old.strategy } : {}),
    };
    try {
      await this.updateLock(desired, signal);
      this.setObservedRecord(desired);
      return true;
    } catch (error) {
      this.rethrowIfCrashed(error);
      this.log.debug({ err: describeError(error) }, 'Failed to update lock');
      return false;
    }
  }

  /** release, as fixed upstream: GET first so the update carries a fresh resourceVersion. */
  private async release(): Promise<boolean> {
    const deadline = createDeadline(this.options.renewDeadlineMs, [this.lifetime.signal]);
    try {
      return await this.releaseWithin(deadline.signal);
    } finally {
      deadline.dispose();
    }
  }

  private async releaseWithin(signal: AbortSignal): Promise<boolean> {
    let old: LeaderElectionRecord;
    try {
      ({ record: old } = await this.getLock(signal));
    } catch (error) {
      this.rethrowIfCrashed(error);
      this.log.debug({ err: describeError(error) }, 'error retrieving resource lock before release');
      return false;
    }
    if (!this.isLeaderByRecord()) return true;
    const now = this.wallNow();
    const record: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaderTransitions: old.leaderTransitions };
    try {
      const updated = await this.updateLock(record, signal);
      this.setObservedRecord(record);
      this.emit({ type: 'released', identity: this.identity, at: this.clock.now(), leaseTransitions: record.leaderTransitions, resourceVersion: updated.metadata?.resourceVersion ?? '' });
      return true;
    } catch (error) {
      this.rethrowIfCrashed(error);
      this.log.warn({ err: describeError(error) }, 'Failed to release lock');
      return false;
    }
  }

  private emitAcquired(from: string, cause: AcquireCause, record: LeaderElectionRecord, lease: V1Lease): void {
    this.emit({
      type: 'acquired',
      identity: this.identity,
      at: this.clock.now(),
      from,
      cause,
      leaseTransitions: record.leaderTransitions,
      resourceVersion: lease.metadata?.resourceVersion ?? '',
    });
  }

  private maybeReportTransition(): void {
    const holder = this.observedRecord?.holderIdentity ?? '';
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    this.emit({ type: 'new-leader', identity: this.identity, at: this.clock.now(), leader: holder });
  }

  private rethrowIfCrashed(error: unknown): void {
    if (this.lifetime.signal.aborted) throw error instanceof AbortedError ? error : new AbortedError('crashed');
  }

  /** One API call: the slow-call delay and the request both count against the request timeout and the caller's context. */
  private async call<T>(signal: AbortSignal, send: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    const deadline = createDeadline(this.options.requestTimeoutMs ?? Math.max(this.options.renewDeadlineMs / 2, 1000), [signal, this.lifetime.signal]);
    try {
      return await this.callWithin(deadline.signal, send);
    } finally {
      deadline.dispose();
      await this.gate();
    }
  }

  private async callWithin<T>(callSignal: AbortSignal, send: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    if (this.callDelayMs > 0) {
      try {
        await this.clock.sleep(this.callDelayMs, callSignal);
      } catch {
        throw new CallAbortedError('request cancelled before it was sent');
      }
    }
    if (callSignal.aborted) throw new CallAbortedError('request cancelled');
    const userAgent = this.options.userAgent;
    // The object-style API hands call options to its Observable layer, so the middleware must be Observable-shaped.
    const middleware: ObservableMiddleware = {
      pre: (context) => {
        context.setSignal(callSignal);
        if (userAgent) context.setHeaderParam('User-Agent', userAgent);
        return new Observable(Promise.resolve(context));
      },
      post: (response) => new Observable(Promise.resolve(response)),
    };
    return send({ middleware: [middleware], middlewareMergeStrategy: 'append' });
  }

  private async getLock(signal: AbortSignal): Promise<{ record: LeaderElectionRecord; raw: string }> {
    const { namespace, name } = this.options;
    const lease = await this.call(signal, (options) => this.api.readNamespacedLease({ name, namespace }, options));
    this.cachedLease = lease;
    const record = recordFromSpec(lease.spec);
    return { record, raw: serializeRecord(record) };
  }

  private async createLock(record: LeaderElectionRecord, signal: AbortSignal): Promise<V1Lease> {
    const { namespace, name } = this.options;
    const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: specFromRecord(record) };
    const lease = await this.call(signal, (options) => this.api.createNamespacedLease({ namespace, body }, options));
    this.cachedLease = lease;
    return lease;
  }

  private async updateLock(record: LeaderElectionRecord, signal: AbortSignal): Promise<V1Lease> {
    const cached = this.cachedLease;
    if (!cached) throw new Error('lease not initialized, call get or create first');
    const { namespace, name } = this.options;
    cached.spec = specFromRecord(record);
    const lease = await this.call(signal, (options) => this.api.replaceNamespacedLease({ name, namespace, body: cached }, options));
    this.cachedLease = lease;
    return lease;
  }
}

function describeError(error: unknown): string {
  if (error instanceof ApiException) {
    const body = error.body as { message?: string } | undefined;
    return `${error.code}: ${body?.message ?? 'no message'}`;
  }
  return error instanceof Error ? error.message : String(error);
}
