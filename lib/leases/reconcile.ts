import { confirmExpiry, deriveDeletion, deriveEvents, getExpiryDueAt, markBlind } from './derive';
import { isSameLeaseRecord } from './lease-record';
import { type DeriveOptions, isLeaseKindTracked } from './options';
import type { ParseResult } from './parse';
import { isRenewalOnlyChange, toStoredLease, type StoredLease } from './state';
import { clampForStorage, clampInt4, isBeyondColumns } from './storable';
import type { DeriveResult, LeaseKey, LeaseState, MissedEvent, Observation, RenewalEvent, ResumedEvent, SkewClearedEvent, SkewEvent, TransitionEvent } from './types';

export type GapReason = 'watch_lost' | 'history_expired' | 'connect_failed' | 'controller_down' | 'store_overflow' | 'ownership_lost';

export type Blindness = { since: number; reason: GapReason; detail: string | null };

// What a cluster's source and the controller's own clock put in the queue. Objects arrive parsed.
export type SourceEvent =
  | { type: 'listed'; items: ParseResult[]; resourceVersion: string; at: number; blindSince: number | null; gapReason: GapReason | null }
  | { type: 'upsert' | 'delete'; parsed: ParseResult; at: number }
  | { type: 'bookmark'; resourceVersion: string; at: number }
  // The answer to a confirming read of `requested` leases, asked for at `askedAt` (what the reconciler
  // put in `pending`): the records as they were at some moment between `askedAt` and `at`.
  | { type: 'read'; requested: string[]; items: ParseResult[]; askedAt: number; at: number }
  | { type: 'unreadable'; requested: string[]; askedAt: number; at: number; reason: string }
  // From `since` on, changes may have gone unseen (an overflowing buffer); the next relist closes it.
  | { type: 'blind'; blindness: Blindness }
  | { type: 'tick'; at: number };

export type TransitionRow = TransitionEvent | MissedEvent | ResumedEvent;

export type LeaseRowWrite = { key: LeaseKey; stored: StoredLease; malformed: number };

export type GapWrite = { startedAt: number; endedAt: number | null; reason: GapReason; detail: string | null };

export type ClusterWrites = {
  // Lease rows to write: every change except a renewal alone (renewals live in RenewSample).
  leases: LeaseRowWrite[];
  // `leaseId` is left for the caller, who knows the row ids, to fill in.
  transitions: Array<{ key: LeaseKey; event: TransitionRow; leaseId?: number }>;
  renewals: Array<{ key: LeaseKey; event: RenewalEvent; leaseId?: number }>;
  skews: Array<{ key: LeaseKey; event: SkewEvent | SkewClearedEvent; leaseId?: number }>;
  gaps: GapWrite[];
  lastEventAt: number | null;
  resourceVersion: string | null;
};

// `pending`: leases whose expiry is due and waits for a read (key → when the read was asked for).
// `deferred`: leases whose read was refuted (the record had moved on, but the watch has not said so
// yet) or failed while the stream was alive: no new read before `until`. A second refutation means the
// watch is not delivering what the cluster holds: the cluster counts as unobserved and is relisted.
export type Deferral = { until: number; refutations: number };
export type StreamModel = {
  blind: Blindness | null;
  pending: ReadonlyMap<string, number>;
  deferred: ReadonlyMap<string, Deferral>;
  // The last event or bookmark of the watch, and the last moment a read showed the cluster.
  lastContactAt: number | null;
  lastReadAt: number | null;
  resourceVersion: string | null;
};

export type ClusterModel = { leases: ReadonlyMap<string, LeaseState>; stream: StreamModel };

// `readRetryMs`: how long a refuted or failed confirmation waits before the lease is read again.
export type ReconcileOptions = DeriveOptions & { isWanted: (key: LeaseKey) => boolean; readRetryMs?: number };

const defaultReadRetryMs = 2_000;

export type ReconcileResult = {
  // The states this batch changed; merged into the model only once `writes` are stored.
  changed: Map<string, LeaseState>;
  stream: StreamModel;
  writes: ClusterWrites;
  // Leases to read now, to confirm or refute their expiry.
  reads: string[];
  // The cluster could not be read: start over with a list, which closes the gap this batch opened.
  relist: boolean;
  // Values that could not be stored as they were (clamped), per lease key.
  clamped: Map<string, string[]>;
  malformed: number;
  // The earliest expiry due among what changed; `isFullScan` when every lease was considered.
  nextDueAt: number | null;
  isFullScan: boolean;
};

export const leaseKeyString = (key: Pick<LeaseKey, 'namespace' | 'name'>) => `${key.namespace}/${key.name}`;

export function emptyStream(): StreamModel {
  return { blind: null, pending: new Map(), deferred: new Map(), lastContactAt: null, lastReadAt: null, resourceVersion: null };
}

// The pure heart of the controller: (model, events, now) → (changed states, writes, what to do next).
// Every rule of the history lives here or in derive.ts: an expiry is recorded only when a read at or
// after its due moment shows the record unchanged; a blind spot is a gap, and the relist decides.
export function reconcile(model: ClusterModel, events: readonly SourceEvent[], now: number, options: ReconcileOptions): ReconcileResult {
  return new Reconciliation(model, now, options).run(events);
}

// The earliest moment any lease of the model needs a read to confirm its expiry (none while blind:
// the relist decides then).
function getNextDueAt(leases: Iterable<LeaseState>, stream: Pick<StreamModel, 'pending' | 'deferred' | 'blind'>, options: DeriveOptions): number | null {
  if (stream.blind !== null) return null;
  let next: number | null = null;
  for (const state of leases) {
    const dueAt = getExpiryDueAt(state, options);
    if (dueAt === null) continue;
    const key = leaseKeyString(state.last.key);
    if (stream.pending.has(key)) continue;
    const at = Math.max(dueAt, stream.deferred.get(key)?.until ?? dueAt);
    if (next === null || at < next) next = at;
  }
  return next;
}

class Reconciliation {
  private readonly changed = new Map<string, LeaseState>();
  private readonly unchanged = new Map<string, LeaseState>();
  private readonly rows = new Map<string, LeaseRowWrite>();
  private readonly writes: ClusterWrites;
  private readonly pending: Map<string, number>;
  private readonly deferred: Map<string, Deferral>;
  private readonly reads = new Set<string>();
  private readonly clamped = new Map<string, string[]>();
  private blind: Blindness | null;
  private lastContactAt: number | null;
  private lastReadAt: number | null;
  private relist = false;
  private malformed = 0;
  private isFullScan = false;

  constructor(
    private readonly model: ClusterModel,
    private readonly now: number,
    private readonly options: ReconcileOptions,
  ) {
    this.pending = new Map(model.stream.pending);
    this.deferred = new Map(model.stream.deferred);
    this.blind = model.stream.blind;
    this.lastContactAt = model.stream.lastContactAt;
    this.lastReadAt = model.stream.lastReadAt;
    this.writes = { leases: [], transitions: [], renewals: [], skews: [], gaps: [], lastEventAt: null, resourceVersion: model.stream.resourceVersion };
  }

  run(events: readonly SourceEvent[]): ReconcileResult {
    for (const event of events) this.handle(event);
    this.writes.leases = [...this.rows.values()];
    return {
      changed: this.changed,
      stream: { blind: this.blind, pending: this.pending, deferred: this.deferred, lastContactAt: this.lastContactAt, lastReadAt: this.lastReadAt, resourceVersion: this.writes.resourceVersion },
      writes: this.writes,
      reads: [...this.reads],
      relist: this.relist,
      clamped: this.clamped,
      malformed: this.malformed,
      nextDueAt: getNextDueAt(this.isFullScan ? this.allStates() : this.changed.values(), { pending: this.pending, deferred: this.deferred, blind: this.blind }, this.options),
      isFullScan: this.isFullScan,
    };
  }

  private handle(event: SourceEvent): void {
    switch (event.type) {
      case 'listed':
        return this.handleListed(event);
      case 'upsert':
        this.touch(event.at);
        this.handleObservation(event.parsed, null);
        return;
      case 'delete': {
        this.touch(event.at);
        const observation = this.accept(event.parsed);
        const key = observation ? leaseKeyString(observation.key) : undefined;
        const state = key ? this.get(key) : undefined;
        if (key && state) {
          this.pending.delete(key);
          this.apply(key, deriveDeletion(state, event.at, this.options));
        }
        return;
      }
      case 'bookmark':
        this.touch(event.at);
        this.writes.resourceVersion = event.resourceVersion;
        return;
      case 'read':
        return this.handleRead(event);
      case 'unreadable':
        return this.handleUnreadable(event);
      case 'blind':
        this.goBlind(event.blindness);
        return;
      case 'tick':
        return this.handleTick(event.at);
    }
  }

  private touch(at: number): void {
    this.lastContactAt = at;
    this.writes.lastEventAt = at;
  }

  // A relist decides what happened while blind, closes the gap, and confirms or refutes every expiry due.
  private handleListed(event: Extract<SourceEvent, { type: 'listed' }>): void {
    this.isFullScan = true;
    this.touch(event.at);
    this.writes.resourceVersion = event.resourceVersion;
    const blind = this.blind ?? (event.blindSince === null ? null : { since: event.blindSince, reason: event.gapReason ?? 'watch_lost', detail: null });
    if (blind) {
      this.writes.gaps.push({ reason: blind.reason, detail: blind.detail, startedAt: Math.min(blind.since, event.at), endedAt: event.at });
      for (const [key, state] of this.allEntries()) this.set(key, markBlind(state));
    }
    this.blind = null;
    this.pending.clear();
    this.deferred.clear();
    const seen = new Set<string>();
    for (const item of event.items) {
      // A malformed item is still there: it must not read as a deletion.
      if (!item.ok && item.key) seen.add(leaseKeyString(item.key));
      const observation = this.handleObservation(item, event.at);
      if (observation) seen.add(leaseKeyString(observation.key));
    }
    for (const [key, state] of this.allEntries()) {
      if (!seen.has(key) && state.deletedAt === null) this.apply(key, deriveDeletion(state, event.at, this.options));
    }
  }

  // A read only confirms or refutes; it never enters the history itself (the watch, which delivers in
  // order, does). An answer to a read asked before the lease changed, or before a relist, is stale.
  private handleRead(event: Extract<SourceEvent, { type: 'read' }>): void {
    const requested = new Set(event.requested.filter((key) => this.pending.get(key) === event.askedAt));
    if (requested.size === 0) return;
    this.isFullScan = true;
    this.lastReadAt = Math.max(this.lastReadAt ?? event.askedAt, event.askedAt);
    const found = new Map<string, ParseResult>();
    for (const item of event.items) {
      const key = item.ok ? leaseKeyString(item.observation.key) : item.key ? leaseKeyString(item.key) : undefined;
      if (key !== undefined && requested.has(key)) found.set(key, item);
    }
    for (const key of requested) {
      this.pending.delete(key);
      const state = this.get(key);
      if (!state) continue;
      const item = found.get(key);
      const isUnchanged = item?.ok === true && (item.observation.resourceVersion === state.last.resourceVersion || isSameLeaseRecord(item.observation, state.last));
      if (isUnchanged) {
        this.deferred.delete(key);
        const confirmed = confirmExpiry(state, event.askedAt, this.options);
        if (confirmed.events.length > 0) this.apply(key, confirmed);
        continue;
      }
      this.refute(key, event.at, 'a direct read showed a change of this lease that the watch did not deliver');
      if (this.blind !== null) return;
    }
  }

  private refute(key: string, at: number, reason: string): void {
    const refutations = (this.deferred.get(key)?.refutations ?? 0) + 1;
    if (refutations >= 2) {
      this.goBlind({ since: this.lastContactAt ?? at, reason: 'watch_lost', detail: reason });
      return;
    }
    this.deferred.set(key, { until: at + (this.options.readRetryMs ?? defaultReadRetryMs), refutations });
  }

  // A read that failed proves nothing. If the stream has spoken since it was asked, it is alive: read
  // again a little later. Otherwise we cannot see the cluster: from the last contact on it is a gap,
  // never a leaderless period.
  private handleUnreadable(event: Extract<SourceEvent, { type: 'unreadable' }>): void {
    const stillPending = event.requested.filter((key) => this.pending.get(key) === event.askedAt);
    if (stillPending.length === 0) return;
    const isStreamAlive = this.lastContactAt !== null && this.lastContactAt > event.askedAt;
    for (const key of stillPending) this.pending.delete(key);
    if (isStreamAlive) {
      this.isFullScan = true;
      for (const key of stillPending) this.deferred.set(key, { until: event.at + (this.options.readRetryMs ?? defaultReadRetryMs), refutations: this.deferred.get(key)?.refutations ?? 0 });
      return;
    }
    // What a read confirmed stays confirmed: the gap starts after it.
    const since = Math.max(this.lastContactAt ?? -Infinity, this.lastReadAt ?? -Infinity);
    this.goBlind({ since: Number.isFinite(since) ? since : event.at, reason: 'watch_lost', detail: `could not read the cluster to confirm an expiry: ${event.reason}` });
  }

  // The gap is stored open at once (so a crash, a hand-over or a page sees it), and closed by the relist.
  private goBlind(blindness: Blindness): void {
    this.isFullScan = true;
    if (this.blind === null || blindness.since < this.blind.since) {
      this.blind = blindness;
      this.writes.gaps.push({ reason: blindness.reason, detail: blindness.detail, startedAt: blindness.since, endedAt: null });
    }
    this.pending.clear();
    this.deferred.clear();
    this.reads.clear();
    for (const [key, state] of this.allEntries()) this.set(key, markBlind(state));
    this.relist = true;
  }

  // Due expiries are never recorded on the timer alone: each needs a read that shows the record unchanged.
  private handleTick(at: number): void {
    this.isFullScan = true;
    if (this.blind !== null) return;
    for (const [key, state] of this.allEntries()) {
      if (this.pending.has(key)) continue;
      const dueAt = getExpiryDueAt(state, this.options);
      if (dueAt === null || dueAt > at || (this.deferred.get(key)?.until ?? -Infinity) > at) continue;
      this.pending.set(key, at);
      this.reads.add(key);
    }
  }

  // `readAt`: the observation comes from a list or read at that moment, which can confirm a due expiry.
  private handleObservation(parsed: ParseResult, readAt: number | null): Observation | undefined {
    const observation = this.accept(parsed);
    if (!observation || !this.options.isWanted(observation.key)) return undefined;
    const key = leaseKeyString(observation.key);
    const before = this.get(key);
    const result = deriveEvents(before, observation, this.options);
    if (result.state !== before) {
      this.pending.delete(key);
      this.deferred.delete(key);
    }
    this.apply(key, result);
    if (readAt !== null && result.state.last.resourceVersion === observation.resourceVersion) {
      const confirmed = confirmExpiry(result.state, readAt, this.options);
      if (confirmed.events.length > 0) {
        this.pending.delete(key);
        this.apply(key, confirmed);
      }
    }
    return observation;
  }

  private apply(key: string, result: DeriveResult): void {
    const previous = this.get(key);
    this.set(key, result.state);
    if (!isLeaseKindTracked(result.state.last.kind, this.options)) return;
    const leaseKey = result.state.last.key;
    const existing = this.rows.get(key);
    let clampedFields: string[] | undefined;
    for (const event of result.events) {
      let stored = event;
      if (isBeyondColumns(event)) {
        const storable = clampForStorage(event);
        (clampedFields ??= []).push(...storable.clamped);
        stored = storable.event;
      }
      if (stored.type === 'renewal') this.writes.renewals.push({ key: leaseKey, event: stored });
      else if (stored.type === 'skew' || stored.type === 'skew-cleared') this.writes.skews.push({ key: leaseKey, event: stored });
      else this.writes.transitions.push({ key: leaseKey, event: stored });
    }
    // A renewal alone is stored as its sample; the lease row is left as of its last other change.
    const isRenewalOnly =
      existing === undefined &&
      clampedFields === undefined &&
      previous !== undefined &&
      this.model.leases.has(key) &&
      result.events.length > 0 &&
      result.events.every((event) => event.type === 'renewal') &&
      isRenewalOnlyChange(previous, result.state);
    if (isRenewalOnly || (result.state === previous && existing === undefined)) return;
    const stored = toStoredLease(result.state);
    const skewOffset = clampInt4(stored.skewSuspectedMs);
    if (skewOffset.isClamped) (clampedFields ??= []).push(`skewSuspectedMs=${stored.skewSuspectedMs}`);
    if (clampedFields) this.clamped.set(key, [...(this.clamped.get(key) ?? []), ...clampedFields]);
    this.rows.set(key, { key: leaseKey, stored: { ...stored, skewSuspectedMs: skewOffset.value }, malformed: (existing?.malformed ?? 0) + (clampedFields?.length ?? 0) });
  }

  // A malformed Lease is counted on its lease row, if it has one; the rest of the stream goes on.
  private accept(result: ParseResult): Observation | undefined {
    if (result.ok) return result.observation;
    this.malformed += 1;
    const key = result.key ? leaseKeyString(result.key) : undefined;
    const state = key ? this.get(key) : undefined;
    if (key && state) {
      const write = this.rows.get(key) ?? { key: state.last.key, stored: toStoredLease(state), malformed: 0 };
      this.rows.set(key, { ...write, malformed: write.malformed + 1 });
    }
    return undefined;
  }

  // A compact model rebuilds its state on every `get`: within a batch, one lease is one object (the
  // rules compare states by identity).
  private get(key: string): LeaseState | undefined {
    const changed = this.changed.get(key);
    if (changed !== undefined) return changed;
    const known = this.unchanged.get(key);
    if (known !== undefined) return known;
    const state = this.model.leases.get(key);
    if (state !== undefined) this.unchanged.set(key, state);
    return state;
  }

  private set(key: string, state: LeaseState): void {
    this.changed.set(key, state);
  }

  private *allEntries(): IterableIterator<[string, LeaseState]> {
    for (const key of this.model.leases.keys()) yield [key, this.get(key)!];
    for (const [key, state] of this.changed) if (!this.model.leases.has(key)) yield [key, state];
  }

  private *allStates(): IterableIterator<LeaseState> {
    for (const [, state] of this.allEntries()) yield state;
  }
}
