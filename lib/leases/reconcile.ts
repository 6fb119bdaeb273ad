import { confirmExpiry, deriveDeletion, deriveEvents, getExpiryDueAt, markBlind } from './derive';
import { type DeriveOptions, isLeaseKindTracked } from './options';
import type { ParseResult } from './parse';
import { isRenewalOnlyChange, toStoredLease, type StoredLease } from './state';
import { clampForStorage } from './storable';
import type { DeriveResult, LeaseKey, LeaseState, MissedEvent, Observation, RenewalEvent, ResumedEvent, SkewClearedEvent, SkewEvent, TransitionEvent } from './types';

export type GapReason = 'watch_lost' | 'history_expired' | 'connect_failed' | 'controller_down' | 'store_overflow' | 'ownership_lost';

export type Blindness = { since: number; reason: GapReason; detail: string | null };

// What a cluster's source and the controller's own clock put in the queue. Objects arrive parsed.
export type SourceEvent =
  | { type: 'listed'; items: ParseResult[]; resourceVersion: string; at: number; blindSince: number | null; gapReason: GapReason | null }
  | { type: 'upsert' | 'delete'; parsed: ParseResult; at: number }
  | { type: 'bookmark'; resourceVersion: string; at: number }
  // The answer to a confirming read of `requested` leases: what exists of them now (absent = deleted).
  | { type: 'read'; requested: string[]; items: ParseResult[]; at: number }
  | { type: 'unreadable'; requested: string[]; at: number; reason: string }
  // From `since` on, changes may have gone unseen (an overflowing buffer); the next relist closes it.
  | { type: 'blind'; blindness: Blindness }
  | { type: 'tick'; at: number };

export type TransitionRow = TransitionEvent | MissedEvent | ResumedEvent;

export type LeaseRowWrite = { key: LeaseKey; stored: StoredLease; malformed: number };

export type GapWrite = { startedAt: number; endedAt: number | null; reason: GapReason; detail: string | null };

export type ClusterWrites = {
  // Lease rows to write: every change except a renewal alone (renewals live in RenewSample).
  leases: LeaseRowWrite[];
  transitions: Array<{ key: LeaseKey; event: TransitionRow }>;
  renewals: Array<{ key: LeaseKey; event: RenewalEvent }>;
  skews: Array<{ key: LeaseKey; event: SkewEvent | SkewClearedEvent }>;
  gaps: GapWrite[];
  lastEventAt: number | null;
  resourceVersion: string | null;
};

// `pending`: leases whose expiry is due and waits for a read (key → when the read was asked for).
export type StreamModel = { blind: Blindness | null; pending: ReadonlyMap<string, number>; lastContactAt: number | null; resourceVersion: string | null };

export type ClusterModel = { leases: ReadonlyMap<string, LeaseState>; stream: StreamModel };

export type ReconcileOptions = DeriveOptions & { isWanted: (key: LeaseKey) => boolean };

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
  return { blind: null, pending: new Map(), lastContactAt: null, resourceVersion: null };
}

// The pure heart of the controller: (model, events, now) → (changed states, writes, what to do next).
// Every rule of the history lives here or in derive.ts: an expiry is recorded only when a read at or
// after its due moment shows the record unchanged; a blind spot is a gap, and the relist decides.
export function reconcile(model: ClusterModel, events: readonly SourceEvent[], now: number, options: ReconcileOptions): ReconcileResult {
  return new Reconciliation(model, now, options).run(events);
}

// The earliest moment any lease of the model needs a read to confirm its expiry.
export function getNextDueAt(leases: Iterable<LeaseState>, pending: ReadonlyMap<string, number>, options: DeriveOptions): number | null {
  let next: number | null = null;
  for (const state of leases) {
    const at = getExpiryDueAt(state, options);
    if (at !== null && (next === null || at < next) && !pending.has(leaseKeyString(state.last.key))) next = at;
  }
  return next;
}

class Reconciliation {
  private readonly changed = new Map<string, LeaseState>();
  private readonly rows = new Map<string, LeaseRowWrite>();
  private readonly writes: ClusterWrites;
  private readonly pending: Map<string, number>;
  private readonly reads = new Set<string>();
  private readonly clamped = new Map<string, string[]>();
  private blind: Blindness | null;
  private lastContactAt: number | null;
  private relist = false;
  private malformed = 0;
  private isFullScan = false;

  constructor(
    private readonly model: ClusterModel,
    private readonly now: number,
    private readonly options: ReconcileOptions,
  ) {
    this.pending = new Map(model.stream.pending);
    this.blind = model.stream.blind;
    this.lastContactAt = model.stream.lastContactAt;
    this.writes = { leases: [], transitions: [], renewals: [], skews: [], gaps: [], lastEventAt: null, resourceVersion: model.stream.resourceVersion };
  }

  run(events: readonly SourceEvent[]): ReconcileResult {
    for (const event of events) this.handle(event);
    this.writes.leases = [...this.rows.values()];
    return {
      changed: this.changed,
      stream: { blind: this.blind, pending: this.pending, lastContactAt: this.lastContactAt, resourceVersion: this.writes.resourceVersion },
      writes: this.writes,
      reads: [...this.reads],
      relist: this.relist,
      clamped: this.clamped,
      malformed: this.malformed,
      nextDueAt: getNextDueAt(this.isFullScan ? this.allStates() : this.changed.values(), this.pending, this.options),
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
    const seen = new Set<string>();
    for (const item of event.items) {
      const observation = this.handleObservation(item, event.at);
      if (observation) seen.add(leaseKeyString(observation.key));
    }
    for (const [key, state] of this.allEntries()) {
      if (!seen.has(key) && state.deletedAt === null) this.apply(key, deriveDeletion(state, event.at, this.options));
    }
  }

  private handleRead(event: Extract<SourceEvent, { type: 'read' }>): void {
    const found = new Set<string>();
    for (const item of event.items) {
      const observation = this.handleObservation(item, event.at);
      if (observation) found.add(leaseKeyString(observation.key));
    }
    for (const key of event.requested) {
      if (!this.pending.has(key)) continue;
      this.pending.delete(key);
      const state = this.get(key);
      if (!found.has(key) && state && state.deletedAt === null) this.apply(key, deriveDeletion(state, event.at, this.options));
    }
  }

  // A read that failed proves nothing. If the stream has spoken since we asked, it is alive: ask again.
  // Otherwise we cannot see the cluster: from the last contact on it is a gap, never a leaderless period.
  private handleUnreadable(event: Extract<SourceEvent, { type: 'unreadable' }>): void {
    const stillPending = event.requested.filter((key) => this.pending.has(key));
    if (stillPending.length === 0) return;
    const isStreamAlive = stillPending.every((key) => this.lastContactAt !== null && this.lastContactAt > (this.pending.get(key) ?? Infinity));
    if (isStreamAlive) {
      for (const key of stillPending) {
        this.pending.set(key, event.at);
        this.reads.add(key);
      }
      return;
    }
    this.goBlind({ since: this.lastContactAt ?? event.at, reason: 'watch_lost', detail: `could not read the cluster to confirm an expiry: ${event.reason}` });
  }

  private goBlind(blindness: Blindness): void {
    this.isFullScan = true;
    if (this.blind === null || blindness.since < this.blind.since) this.blind = blindness;
    this.pending.clear();
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
      if (dueAt === null || dueAt > at) continue;
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
    if (result.state !== before) this.pending.delete(key);
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
    const clampedFields: string[] = [];
    for (const event of result.events) {
      const storable = clampForStorage(event);
      clampedFields.push(...storable.clamped);
      const stored = storable.event;
      if (stored.type === 'renewal') this.writes.renewals.push({ key: leaseKey, event: stored });
      else if (stored.type === 'skew' || stored.type === 'skew-cleared') this.writes.skews.push({ key: leaseKey, event: stored });
      else this.writes.transitions.push({ key: leaseKey, event: stored });
    }
    const stored = toStoredLease(result.state);
    const storedSkew = clampForStorage({ type: 'skew-offset', offsetMs: stored.skewSuspectedMs });
    clampedFields.push(...storedSkew.clamped);
    if (clampedFields.length > 0) this.clamped.set(key, [...(this.clamped.get(key) ?? []), ...clampedFields]);
    // A renewal alone is stored as its sample; the lease row is left as of its last other change.
    const isRenewalOnly =
      existing === undefined &&
      clampedFields.length === 0 &&
      previous !== undefined &&
      this.model.leases.has(key) &&
      result.events.length > 0 &&
      result.events.every((event) => event.type === 'renewal') &&
      isRenewalOnlyChange(previous, result.state);
    if (isRenewalOnly || (result.state === previous && existing === undefined)) return;
    const row = { ...stored, skewSuspectedMs: storedSkew.event.offsetMs };
    this.rows.set(key, { key: leaseKey, stored: row, malformed: (existing?.malformed ?? 0) + clampedFields.length });
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

  private get(key: string): LeaseState | undefined {
    return this.changed.get(key) ?? this.model.leases.get(key);
  }

  private set(key: string, state: LeaseState): void {
    this.changed.set(key, state);
  }

  private *allEntries(): IterableIterator<[string, LeaseState]> {
    for (const [key, state] of this.model.leases) yield [key, this.changed.get(key) ?? state];
    for (const [key, state] of this.changed) if (!this.model.leases.has(key)) yield [key, state];
  }

  private *allStates(): IterableIterator<LeaseState> {
    for (const [, state] of this.allEntries()) yield state;
  }
}
