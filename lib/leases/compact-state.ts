import { packMicroTime, unpackMicroTime } from './micro-time';
import type { AcquireCause, LeaseKind, LeaseState, MicroTime, ObservationSource, SkewState } from './types';

// The per-lease state of one cluster, kept compact: a controller tracks every lease of every cluster it
// owns (100,000 and more) for as long as it runs. A LeaseState is a tree of objects (the state, its last
// Observation, the key, two MicroTimes and their texts, the parsed labels, every number boxed); here each
// lease is a slot in columns: its numbers in one Float64Array (times in epoch ms, renewTime and
// acquireTime in epoch microseconds), its small enums in a Uint8Array, its strings in plain arrays with
// the repeated ones (namespaces, holders, strategies) interned. No parsed object is retained.
//
// `get` rebuilds a LeaseState (young garbage, dead once its batch is reconciled); what it gives back is
// equal to what was `set`, field by field, times to the microsecond and their exact text (a time not in
// the canonical form API servers write is kept as it came). Labels are not kept: they decide the kind when
// the Lease is parsed, and nothing reads them after. The row id of each lease's database row lives in
// the same slot (`getId`, `setId`), so the controller keeps one key string per lease, not two.

const enum Num {
  leaseDurationSeconds,
  acquireMicros,
  renewMicros,
  leaseTransitions,
  observedAt,
  changedAt,
  holderSince,
  observedSince,
  lastChangeAt,
  deletedAt,
  resourceVersion,
  leaseId,
  stride,
}

const enum Small {
  kind,
  source,
  cause,
  flags,
  stride,
}

const flagExpired = 1;
const flagBlind = 2;
const flagHasState = 4;

const kinds: readonly LeaseKind[] = ['election', 'node_heartbeat', 'apiserver_identity'];
const sources: readonly ObservationSource[] = ['watch', 'list', 'read'];
// Index 0 is null.
const causes: readonly (AcquireCause | null)[] = [null, 'first', 'release', 'expiry', 'early_takeover', 'preferred_holder', 'unknown'];

const noLabels: Record<string, string> = Object.freeze({}) as Record<string, string>;

// A resourceVersion is opaque, but etcd's are decimal revisions: those are kept as numbers when the
// number prints back as the same text.
// Read digit by digit (no leading zero, at most 15 digits): printing the number back to compare it with the
// text cost a string per renewal.
function packVersion(text: string): number {
  const length = text.length;
  if (length === 0 || length > 15 || (length > 1 && text.charCodeAt(0) === 48)) return Number.NaN;
  let value = 0;
  for (let i = 0; i < length; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    value = value * 10 + digit;
  }
  return value;
}

const toNumber = (value: number | null) => (value === null ? Number.NaN : value);
const fromNumber = (value: number) => (Number.isNaN(value) ? null : value);

// Strings that many leases share. Entries of holders gone for good are dropped when the table is rebuilt
// from the live slots (`CompactLeaseStates` does it once the table has grown to twice what is live).
export class Interner {
  private table = new Map<string, string>();

  intern<T extends string | null>(text: T): T {
    if (text === null) return text;
    const known = this.table.get(text);
    if (known !== undefined) return known as T;
    this.table.set(text, text);
    return text;
  }

  get size(): number {
    return this.table.size;
  }

  clear(): void {
    this.table = new Map();
  }
}

export class CompactLeaseStates implements ReadonlyMap<string, LeaseState> {
  private readonly slots = new Map<string, number>();
  private readonly interner = new Interner();
  // How many strings were live when the table was last rebuilt.
  private internedLive = 0;
  private capacity = 0;
  private used = 0;
  private stateCount = 0;
  private numbers = new Float64Array(0);
  private small = new Uint8Array(0);
  // One entry per slot each; undefined where a slot has no state yet.
  private readonly namespaces: string[] = [];
  private readonly uids: (string | null)[] = [];
  private readonly versionTexts: (string | null)[] = [];
  private readonly holders: (string | null)[] = [];
  private readonly strategies: (string | null)[] = [];
  private readonly preferredHolders: (string | null)[] = [];
  private readonly lastLeaders: (string | null)[] = [];
  // A time that does not pack into microseconds is kept as it came (rare: see packMicroTime).
  private readonly acquireUnpacked: (MicroTime | null)[] = [];
  private readonly renewUnpacked: (MicroTime | null)[] = [];
  private readonly skews: (SkewState | null)[] = [];

  constructor(
    readonly cluster: string,
    initial?: Iterable<[string, LeaseState]>,
  ) {
    if (initial) for (const [key, state] of initial) this.set(key, state);
  }

  get size(): number {
    return this.stateCount;
  }

  has(key: string): boolean {
    const slot = this.slots.get(key);
    return slot !== undefined && this.hasState(slot);
  }

  get(key: string): LeaseState | undefined {
    const slot = this.slots.get(key);
    return slot === undefined || !this.hasState(slot) ? undefined : this.decode(key, slot);
  }

  set(key: string, state: LeaseState): this {
    const slot = this.slotOf(key);
    if (!this.hasState(slot)) this.stateCount += 1;
    this.encode(slot, state);
    if (this.interner.size > 2 * this.internedLive + 256) this.reintern();
    return this;
  }

  // The id of the lease's database row, if it has one yet (a row may be written before its state is kept).
  getId(key: string): number | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    const id = this.numbers[slot * Num.stride + Num.leaseId]!;
    return Number.isNaN(id) ? undefined : id;
  }

  setId(key: string, id: number): void {
    // The slot first: allocating it may replace the columns.
    const slot = this.slotOf(key);
    this.numbers[slot * Num.stride + Num.leaseId] = id;
  }

  *keys(): MapIterator<string> {
    for (const [key, slot] of this.slots) if (this.hasState(slot)) yield key;
  }

  *values(): MapIterator<LeaseState> {
    for (const [key, slot] of this.slots) if (this.hasState(slot)) yield this.decode(key, slot);
  }

  *entries(): MapIterator<[string, LeaseState]> {
    for (const [key, slot] of this.slots) if (this.hasState(slot)) yield [key, this.decode(key, slot)];
  }

  [Symbol.iterator](): MapIterator<[string, LeaseState]> {
    return this.entries();
  }

  forEach(callback: (value: LeaseState, key: string, map: ReadonlyMap<string, LeaseState>) => void, thisArg?: unknown): void {
    for (const [key, state] of this.entries()) callback.call(thisArg, state, key, this);
  }

  // Bytes held by the columns themselves (the strings they point to are not counted).
  get columnBytes(): number {
    return this.numbers.byteLength + this.small.byteLength + 11 * 4 * this.capacity;
  }

  private hasState(slot: number): boolean {
    return (this.small[slot * Small.stride + Small.flags]! & flagHasState) !== 0;
  }

  private slotOf(key: string): number {
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    if (this.used === this.capacity) this.grow();
    const slot = this.used;
    this.used += 1;
    this.slots.set(key, slot);
    this.numbers.fill(Number.NaN, slot * Num.stride, (slot + 1) * Num.stride);
    for (const column of this.nullableColumns()) column.push(null);
    this.namespaces.push('');
    this.skews.push(null);
    return slot;
  }

  private nullableColumns(): (string | MicroTime | null)[][] {
    return [this.uids, this.versionTexts, this.holders, this.strategies, this.preferredHolders, this.lastLeaders, this.acquireUnpacked, this.renewUnpacked];
  }

  private grow(): void {
    const capacity = Math.max(64, this.capacity * 2);
    const numbers = new Float64Array(capacity * Num.stride);
    numbers.set(this.numbers);
    const small = new Uint8Array(capacity * Small.stride);
    small.set(this.small);
    this.numbers = numbers;
    this.small = small;
    this.capacity = capacity;
  }

  private encode(slot: number, state: LeaseState): void {
    const { last } = state;
    const n = slot * Num.stride;
    const numbers = this.numbers;
    const intern = <T extends string | null>(text: T): T => this.interner.intern(text);
    numbers[n + Num.leaseDurationSeconds] = toNumber(last.leaseDurationSeconds);
    numbers[n + Num.leaseTransitions] = toNumber(last.leaseTransitions);
    numbers[n + Num.observedAt] = last.observedAt;
    numbers[n + Num.changedAt] = state.changedAt;
    numbers[n + Num.holderSince] = toNumber(state.holderSince);
    numbers[n + Num.observedSince] = state.observedSince;
    numbers[n + Num.lastChangeAt] = toNumber(state.lastChangeAt);
    numbers[n + Num.deletedAt] = toNumber(state.deletedAt);
    const version = packVersion(last.resourceVersion);
    numbers[n + Num.resourceVersion] = version;
    this.versionTexts[slot] = Number.isNaN(version) ? last.resourceVersion : null;
    const acquire = last.acquireTime === null ? null : packMicroTime(last.acquireTime);
    numbers[n + Num.acquireMicros] = toNumber(acquire);
    this.acquireUnpacked[slot] = acquire === null ? last.acquireTime : null;
    const renew = last.renewTime === null ? null : packMicroTime(last.renewTime);
    numbers[n + Num.renewMicros] = toNumber(renew);
    this.renewUnpacked[slot] = renew === null ? last.renewTime : null;

    const s = slot * Small.stride;
    this.small[s + Small.kind] = indexIn(kinds, last.kind);
    this.small[s + Small.source] = indexIn(sources, last.source);
    this.small[s + Small.cause] = indexIn(causes, state.lastCause);
    this.small[s + Small.flags] = flagHasState | (state.isExpired ? flagExpired : 0) | (state.isBlind ? flagBlind : 0);

    // A renewal mostly repeats the slot's strings: comparing with what the slot holds (already interned)
    // is cheaper than hashing the freshly decoded text for the table.
    const keep = <T extends string | null>(current: T | undefined, text: T): T => (current === text ? current : intern(text));
    this.namespaces[slot] = keep(this.namespaces[slot], last.key.namespace);
    this.uids[slot] = last.uid;
    this.holders[slot] = keep(this.holders[slot], last.holderIdentity);
    this.strategies[slot] = keep(this.strategies[slot], last.strategy);
    this.preferredHolders[slot] = keep(this.preferredHolders[slot], last.preferredHolder);
    this.lastLeaders[slot] = keep(this.lastLeaders[slot], state.lastLeader);
    const skew = state.skew;
    this.skews[slot] = skew === null ? null : { holder: intern(skew.holder), lags: skew.lags, offsetMs: skew.offsetMs, reason: skew.reason, since: skew.since };
  }

  private decode(key: string, slot: number): LeaseState {
    const n = slot * Num.stride;
    const numbers = this.numbers;
    const s = slot * Small.stride;
    const flags = this.small[s + Small.flags]!;
    const namespace = this.namespaces[slot]!;
    const version = numbers[n + Num.resourceVersion]!;
    return {
      last: {
        key: { cluster: this.cluster, namespace, name: key.slice(namespace.length + 1) },
        uid: this.uids[slot]!,
        resourceVersion: Number.isNaN(version) ? this.versionTexts[slot]! : String(version),
        kind: kinds[this.small[s + Small.kind]!]!,
        holderIdentity: this.holders[slot]!,
        leaseDurationSeconds: fromNumber(numbers[n + Num.leaseDurationSeconds]!),
        acquireTime: decodeTime(numbers[n + Num.acquireMicros]!, this.acquireUnpacked[slot]!),
        renewTime: decodeTime(numbers[n + Num.renewMicros]!, this.renewUnpacked[slot]!),
        leaseTransitions: fromNumber(numbers[n + Num.leaseTransitions]!),
        strategy: this.strategies[slot]!,
        preferredHolder: this.preferredHolders[slot]!,
        labels: noLabels,
        observedAt: numbers[n + Num.observedAt]!,
        source: sources[this.small[s + Small.source]!]!,
      },
      changedAt: numbers[n + Num.changedAt]!,
      holderSince: fromNumber(numbers[n + Num.holderSince]!),
      lastLeader: this.lastLeaders[slot]!,
      lastCause: causes[this.small[s + Small.cause]!]!,
      isExpired: (flags & flagExpired) !== 0,
      isBlind: (flags & flagBlind) !== 0,
      observedSince: numbers[n + Num.observedSince]!,
      lastChangeAt: fromNumber(numbers[n + Num.lastChangeAt]!),
      deletedAt: fromNumber(numbers[n + Num.deletedAt]!),
      skew: this.skews[slot]!,
    };
  }

  // Holders come and go (every restarted pod is a new identity): keep only the strings live slots use.
  private reintern(): void {
    this.interner.clear();
    const columns = [this.namespaces, this.holders, this.strategies, this.preferredHolders, this.lastLeaders];
    for (const column of columns) for (let slot = 0; slot < this.used; slot += 1) column[slot] = this.interner.intern(column[slot]!);
    for (let slot = 0; slot < this.used; slot += 1) {
      const skew = this.skews[slot];
      if (skew) skew.holder = this.interner.intern(skew.holder);
    }
    this.internedLive = this.interner.size;
  }

  // How many distinct strings the interning table holds (for tests: it must not grow without bound).
  get internedCount(): number {
    return this.interner.size;
  }
}

function indexIn<T>(values: readonly T[], value: T): number {
  const index = values.indexOf(value);
  if (index < 0) throw new Error(`cannot keep ${String(value)} in the compact lease state`);
  return index;
}

function decodeTime(micros: number, unpacked: MicroTime | null): MicroTime | null {
  return Number.isNaN(micros) ? unpacked : unpackMicroTime(micros);
}
