import { describe, expect, it } from 'vitest';
import {
  type ClusterModel,
  type LeaseState,
  type Observation,
  type ReconcileResult,
  type SourceEvent,
  defaultDeriveOptions,
  emptyStream,
  getExpiryDueAt,
  leaseKeyString,
  reconcile,
} from '@/lib/leases';
import { T0, leaseKey, observe, release, renewals } from './factory';

const options = { ...defaultDeriveOptions, isWanted: () => true };
const key = leaseKeyString(leaseKey);

// A controller in miniature: applies each batch's result the way ClusterController commits it.
class Harness {
  model: ClusterModel = { leases: new Map<string, LeaseState>(), stream: emptyStream() };
  results: ReconcileResult[] = [];

  run(events: SourceEvent[], now: number): ReconcileResult {
    const result = reconcile(this.model, events, now, options);
    const leases = new Map(this.model.leases);
    for (const [k, state] of result.changed) leases.set(k, state);
    this.model = { leases, stream: result.stream };
    this.results.push(result);
    return result;
  }

  watch(observations: Observation[]): void {
    for (const observation of observations) this.run([{ type: 'upsert', parsed: { ok: true, observation }, at: observation.observedAt }], observation.observedAt);
  }

  get state(): LeaseState {
    return this.model.leases.get(key)!;
  }

  get transitions() {
    return this.results.flatMap((result) => result.writes.transitions.map((entry) => entry.event));
  }

  get gaps() {
    return this.results.flatMap((result) => result.writes.gaps);
  }
}

const upsert = (observation: Observation): SourceEvent => ({ type: 'upsert', parsed: { ok: true, observation }, at: observation.observedAt });
const listed = (observations: Observation[], at: number): SourceEvent => ({
  type: 'listed',
  items: observations.map((observation) => ({ ok: true, observation: { ...observation, observedAt: at, source: 'list' } })),
  resourceVersion: `list-${at}`,
  at,
  blindSince: null,
  gapReason: null,
});
const read = (observations: Observation[], at: number): SourceEvent => ({
  type: 'read',
  requested: [key],
  items: observations.map((observation) => ({ ok: true, observation: { ...observation, observedAt: at, source: 'read' } })),
  at,
});

// host-a_1 leads and renews every 2 s until 10 s (15 s lease: expiry at 10.05 + 15 s, due 5 s later).
function leading(): Harness {
  const harness = new Harness();
  harness.run([listed([observe({ renew: 0 })], T0 + 50)], T0 + 50);
  harness.watch(renewals('host-a_1', 0, 10_000, 0));
  return harness;
}

describe('reconcile: an expiry is recorded only once a read confirms it', () => {
  it('asks for a read when an expiry falls due, and records nothing yet', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    expect(dueAt).toBe(T0 + 10_050 + 15_000 + 5_000);
    const result = harness.run([{ type: 'tick', at: dueAt }], dueAt);
    expect(result.reads).toEqual([key]);
    expect(result.writes.transitions).toEqual([]);
    expect(harness.model.stream.pending.has(key)).toBe(true);
    expect(result.nextDueAt).toBeNull();
  });

  it('records the expiry at its moment when the read shows the same record', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    const last = harness.state.last;
    harness.run([read([last], dueAt + 30)], dueAt + 30);
    expect(harness.transitions.filter((t) => t.type === 'transition' && t.kind === 'expired')).toMatchObject([{ kind: 'expired', at: T0 + 25_050, observedAt: dueAt + 30, fromHolder: 'host-a_1' }]);
    expect(harness.model.stream.pending.size).toBe(0);
  });

  it('records a renewal, not an expiry, when the read shows the holder renewed (a watch that fell silent)', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    const result = harness.run([read([observe({ renew: 30_000 })], dueAt + 30)], dueAt + 30);
    expect(result.writes.transitions).toEqual([]);
    expect(result.writes.renewals).toHaveLength(1);
    expect(harness.state.isExpired).toBe(false);
  });

  it('drops the pending read when the watch delivers a change first', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    harness.watch([observe({ holder: 'host-b_1', acquire: 27_000, transitions: 1, at: dueAt + 10 })]);
    expect(harness.model.stream.pending.size).toBe(0);
    const late = harness.run([{ type: 'unreadable', requested: [key], at: dueAt + 10_000, reason: 'timeout' }], dueAt + 10_000);
    expect(late.relist).toBe(false);
    expect(late.writes.gaps).toEqual([]);
  });

  it('reads again, without a gap, when the read failed but the stream spoke since it was asked', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    harness.run([{ type: 'bookmark', resourceVersion: '77', at: dueAt + 100 }], dueAt + 100);
    const result = harness.run([{ type: 'unreadable', requested: [key], at: dueAt + 200, reason: 'timeout' }], dueAt + 200);
    expect(result.reads).toEqual([key]);
    expect(result.relist).toBe(false);
    expect(harness.model.stream.blind).toBeNull();
  });

  it('removes a lease the read no longer finds', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    harness.run([read([], dueAt + 30)], dueAt + 30);
    expect(harness.transitions.at(-1)).toMatchObject({ kind: 'deleted', at: dueAt + 30 });
  });
});

describe('reconcile: a blind spot is a gap, never a leaderless period', () => {
  it('opens a gap from the last contact when the cluster cannot be read, and asks for a relist', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    const result = harness.run([{ type: 'unreadable', requested: [key], at: dueAt + 50, reason: 'connect ECONNREFUSED' }], dueAt + 50);
    expect(result.relist).toBe(true);
    expect(harness.model.stream.blind).toMatchObject({ since: T0 + 10_050, reason: 'watch_lost' });
    expect(harness.state.isBlind).toBe(true);
    expect(harness.run([{ type: 'tick', at: dueAt + 60_000 }], dueAt + 60_000).reads).toEqual([]);
  });

  it('keeps a healthy leader leading across the blind spot: no expiry, no resumption', () => {
    const harness = leading();
    const dueAt = getExpiryDueAt(harness.state, options)!;
    harness.run([{ type: 'tick', at: dueAt }], dueAt);
    harness.run([{ type: 'unreadable', requested: [key], at: dueAt + 50, reason: 'refused' }], dueAt + 50);
    harness.run([listed([observe({ renew: 40_000 })], T0 + 40_100)], T0 + 40_100);
    expect(harness.transitions.filter((t) => t.type !== 'transition' || t.kind !== 'acquired')).toEqual([]);
    expect(harness.gaps).toEqual([{ startedAt: T0 + 10_050, endedAt: T0 + 40_100, reason: 'watch_lost', detail: expect.stringContaining('refused') }]);
    expect(harness.state).toMatchObject({ isBlind: false, isExpired: false, observedSince: T0 + 40_100 });
  });

  it('records one acquisition from the last known holder, with the missed count, when two changes happened meanwhile', () => {
    const harness = leading();
    harness.run([{ type: 'blind', blindness: { since: T0 + 10_100, reason: 'store_overflow', detail: null } }], T0 + 10_100);
    harness.run([listed([observe({ holder: 'host-c_1', acquire: 31_000, renew: 40_000, transitions: 2 })], T0 + 40_100)], T0 + 40_100);
    const acquisitions = harness.transitions.filter((t) => t.type === 'transition' && t.kind === 'acquired');
    expect(acquisitions.at(-1)).toMatchObject({ cause: 'unknown', fromHolder: 'host-a_1', toHolder: 'host-c_1', missedCount: 1, leaseTransitions: 2 });
    expect(harness.transitions.some((t) => t.type === 'transition' && t.kind === 'expired')).toBe(false);
  });

  it('dates an expiry that the relist confirms no earlier than the end of the gap', () => {
    const harness = leading();
    harness.run([{ type: 'blind', blindness: { since: T0 + 12_000, reason: 'watch_lost', detail: null } }], T0 + 12_000);
    const last = harness.state.last;
    harness.run([listed([last], T0 + 90_000)], T0 + 90_000);
    expect(harness.transitions.at(-1)).toMatchObject({ kind: 'expired', at: T0 + 90_000, fromHolder: 'host-a_1' });
    expect(harness.gaps).toMatchObject([{ startedAt: T0 + 12_000, endedAt: T0 + 90_000 }]);
  });

  it('closes a gap the source reports (410) with the relist', () => {
    const harness = leading();
    harness.run([{ ...listed([observe({ renew: 20_000 })], T0 + 20_100), blindSince: T0 + 11_000, gapReason: 'history_expired' } as SourceEvent], T0 + 20_100);
    expect(harness.gaps).toMatchObject([{ startedAt: T0 + 11_000, endedAt: T0 + 20_100, reason: 'history_expired' }]);
  });
});

describe('reconcile: holder clocks are bounded by our observation', () => {
  it('measures the leaderless gap of a +5 s holder acquiring 2.5 s after a release by our clock, and raises skew at once', () => {
    const harness = leading();
    harness.watch([release(11_000, 0)]);
    // Written 13.5 s into the story by a clock 5 s ahead: acquireTime says 18.5 s.
    harness.watch([observe({ holder: 'host-b_1', acquire: 18_500, renew: 18_500, transitions: 1, at: 13_550 })]);
    const acquired = harness.transitions.at(-1)!;
    expect(acquired).toMatchObject({ kind: 'acquired', cause: 'release', at: T0 + 13_550, fromHolder: 'host-a_1' });
    expect(acquired.type === 'transition' && acquired.leaderlessMs).toBe(2550);
    expect(harness.state.holderSince).toBe(T0 + 13_550);
    const skews = harness.results.flatMap((result) => result.writes.skews.map((entry) => entry.event));
    expect(skews).toMatchObject([{ type: 'skew', holder: 'host-b_1', offsetMs: 4950, reason: 'future-renew', startedAt: T0 + 13_550 }]);
  });

  it('records no expiry and no resumption when a holder running ahead has its clock corrected', () => {
    const harness = new Harness();
    const ahead = Array.from({ length: 6 }, (_, index) => observe({ renew: 5000 + index * 2000, at: index * 2000 + 40 }));
    const corrected = Array.from({ length: 15 }, (_, index) => observe({ renew: 12_000 + index * 2000, at: 12_040 + index * 2000 }));
    harness.watch([...ahead, ...corrected]);
    const now = T0 + 12_040 + 14 * 2000;
    expect(harness.run([{ type: 'tick', at: now }], now).reads).toEqual([]);
    expect(harness.transitions.map((t) => (t.type === 'transition' ? t.kind : t.type))).toEqual(['acquired']);
    const skews = harness.results.flatMap((result) => result.writes.skews.map((entry) => entry.event.type));
    expect(skews).toEqual(['skew', 'skew-cleared']);
  });

  it('clamps a 30-day offset to its column, says so, and goes on', () => {
    const harness = leading();
    const month = 30 * 24 * 3600_000;
    harness.watch([observe({ renew: 12_000 + month, at: 12_040 })]);
    const last = harness.results.at(-1)!;
    expect(last.clamped.get(key)).toEqual(expect.arrayContaining([expect.stringMatching(/^lagMs=/)]));
    expect(last.writes.leases[0]?.stored.skewSuspectedMs).toBe(2_147_483_647);
    expect(last.writes.leases[0]?.malformed).toBeGreaterThan(0);
    harness.watch([observe({ renew: 14_000, at: 14_040 })]);
    expect(harness.results.at(-1)!.writes.renewals).toHaveLength(1);
  });
});

describe('reconcile: records that go backwards', () => {
  it('records a reset when a relist shows fewer leaseTransitions with the same uid', () => {
    const harness = leading();
    harness.watch([observe({ holder: 'host-b_1', acquire: 12_000, transitions: 1 }), observe({ holder: 'host-c_1', acquire: 40_000, transitions: 2 })]);
    harness.run([listed([observe({ holder: 'host-x_9', acquire: 60_000, transitions: 0 })], T0 + 60_500)], T0 + 60_500);
    expect(harness.transitions.at(-1)).toMatchObject({ kind: 'reset', fromHolder: 'host-c_1', toHolder: 'host-x_9', at: T0 + 60_500 });
    expect(harness.state.last.holderIdentity).toBe('host-x_9');
  });
});

describe('reconcile: what is wanted and what is malformed', () => {
  it('ignores leases the watch config leaves out', () => {
    const result = reconcile({ leases: new Map(), stream: emptyStream() }, [upsert(observe())], T0, { ...options, isWanted: () => false });
    expect(result.changed.size).toBe(0);
    expect(result.writes.transitions).toEqual([]);
  });

  it('counts a malformed object on its lease row and goes on', () => {
    const harness = leading();
    const result = harness.run([{ type: 'upsert', parsed: { ok: false, reason: 'spec: is missing', key: leaseKey }, at: T0 + 11_000 }, upsert(observe({ renew: 12_000 }))], T0 + 12_100);
    expect(result.malformed).toBe(1);
    expect(result.writes.leases).toMatchObject([{ malformed: 1 }]);
    expect(result.writes.renewals).toHaveLength(1);
  });
});
