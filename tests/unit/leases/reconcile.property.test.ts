import { describe, expect, it } from 'vitest';
import {
  type ClusterModel,
  type GapWrite,
  type LeaseState,
  type ReconcileResult,
  type SourceEvent,
  type TransitionEvent,
  type TransitionRow,
  defaultDeriveOptions,
  emptyStream,
  parseLease,
  reconcile,
} from '@/lib/leases';
import { CompactLeaseStates } from '@/lib/leases/compact-state';
import { type LeaseWrite, createRandom, leaseDurationMs, simulateClientGoHistory } from './client-go-history';

// Seeded client-go histories watched through every kind of blind spot the controller meets, with
// holders whose clocks run ahead, behind or get corrected, records that go backwards, and absurd
// values. Whatever happens, the stored history must never invent what it did not see.

const options = { ...defaultDeriveOptions, isWanted: () => true };
const seeds = Array.from({ length: 40 }, (_, index) => 5000 + index);
const readDelayMs = 30;

type BlindKind = 'drop' | 'stall' | 'compaction' | 'controller_down';
type Window = { kind: BlindKind; from: number; to: number };
type Scenario = { writes: LeaseWrite[]; windows: Window[]; endAt: number; correctedHost: string | null; midway: number; resets: number };

const spec = (write: LeaseWrite) => write.object.spec as { holderIdentity: string; acquireTime: string; renewTime: string; leaseTransitions: number };
const withTimes = (write: LeaseWrite, changes: Partial<ReturnType<typeof spec>>, rv?: string): LeaseWrite => ({
  ...write,
  object: { ...write.object, metadata: { ...(write.object.metadata as object), ...(rv ? { resourceVersion: rv } : {}) }, spec: { ...spec(write), ...changes } },
});
const shiftIso = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString().replace('Z', '000Z');

function buildScenario(seed: number): Scenario {
  const random = createRandom(seed * 31);
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));
  const history = simulateClientGoHistory(seed, { durationMs: 15 * 60_000, hasAheadHost: seed % 2 === 0, earlyMarginMs: 3_000 });
  let writes = history.writes;
  const start = writes[0]!.writtenAt;
  // A host behind by 3 s on odd seeds; on even seeds, the host running ahead corrects its clock midway.
  const midway = start + 7 * 60_000;
  const correctedHost = history.aheadHost;
  writes = writes.map((write) => {
    const holder = spec(write).holderIdentity;
    if (seed % 2 === 1 && holder.startsWith('cp-1_')) return withTimes(write, { renewTime: shiftIso(spec(write).renewTime, -3_000), acquireTime: shiftIso(spec(write).acquireTime, -3_000) });
    if (correctedHost && holder.startsWith(`${correctedHost}_`) && write.writtenAt > midway) {
      const now = shiftIso(new Date(write.writtenAt).toISOString(), 0);
      return withTimes(write, spec(write).acquireTime === spec(write).renewTime ? { renewTime: now, acquireTime: now } : { renewTime: now });
    }
    return write;
  });
  // One absurd value: a renewal 30 days ahead.
  const absurd = between(10, writes.length - 10);
  writes[absurd] = withTimes(writes[absurd]!, { renewTime: shiftIso(spec(writes[absurd]!).renewTime, 30 * 24 * 3600_000) });
  // An etcd restore on a third of the seeds: an older record comes back, then the electors go on.
  let resets = 0;
  if (seed % 3 === 0) {
    const at = between(Math.floor(writes.length / 2), writes.length - 20);
    const old = writes.findLast((write) => write.writtenAt < writes[at]!.writtenAt - 120_000 && spec(write).leaseTransitions < spec(writes[at]!).leaseTransitions);
    if (old) {
      const restoredAt = writes[at]!.writtenAt + 1;
      writes.splice(at + 1, 0, { ...withTimes(old, {}, `restored-${seed}`), writtenAt: restoredAt, deliveredAt: restoredAt + 20 });
      resets = 1;
    }
  }
  const windows: Window[] = [];
  const kinds: BlindKind[] = ['drop', 'stall', 'compaction', 'controller_down'];
  for (let from = start + between(30_000, 90_000); from < history.endAt - 60_000; from += between(60_000, 180_000)) {
    const kind = kinds[between(0, 3)]!;
    windows.push({ kind, from, to: from + between(3_000, 45_000) });
  }
  return { writes, windows, endAt: history.endAt, correctedHost, midway, resets };
}

type Action = { at: number; order: number; run: () => SourceEvent[] };

type Run = {
  transitions: TransitionRow[];
  gaps: GapWrite[];
  resetDrops: number;
  skewHolders: Array<{ type: string; holder: string }>;
  firstTransitions: number | null;
  lastTransitions: number | null;
  // What every batch decided: its writes, reads, relist and next due moment.
  batches: unknown[];
};

// `compact`: the model keeps its states as the controller does (CompactLeaseStates, committed in place).
function simulate(scenario: Scenario, compact = false): Run {
  const { writes, windows } = scenario;
  const windowAt = (at: number) => windows.find((window) => at >= window.from && at < window.to);
  const truthAt = (at: number) => writes.findLast((write) => write.writtenAt <= at);
  const parse = (write: LeaseWrite, at: number, source: 'watch' | 'list' | 'read') => parseLease(write.object, { cluster: 'prop', observedAt: at, source });

  const actions: Action[] = [];
  let order = 0;
  const schedule = (at: number, run: () => SourceEvent[]) => actions.push({ at, order: order++, run });
  for (const write of writes) {
    const window = windowAt(write.deliveredAt);
    if (!window) schedule(write.deliveredAt, () => [{ type: 'upsert', parsed: parse(write, write.deliveredAt, 'watch'), at: write.deliveredAt }]);
    // A resumed watch replays what it held back, unless a relist meanwhile already showed newer state.
    // A relist requested meanwhile replaces the resumed watch: what it held back is never delivered.
    else if (window.kind === 'drop' || window.kind === 'stall')
      schedule(window.to, () => (lastListAt >= write.writtenAt || relistsAt.some((at) => at >= window.from && at <= window.to) ? [] : [{ type: 'upsert', parsed: parse(write, window.to, 'watch'), at: window.to }]));
  }
  for (const window of windows) {
    const list = (): SourceEvent => {
      const truth = truthAt(window.to);
      return { type: 'listed', items: truth ? [parse(truth, window.to, 'list')] : [], resourceVersion: `rv-${window.to}`, at: window.to, blindSince: window.kind === 'compaction' ? window.from : null, gapReason: window.kind === 'compaction' ? 'history_expired' : null };
    };
    if (window.kind === 'compaction') schedule(window.to, () => [list()]);
    if (window.kind === 'controller_down') schedule(window.to, () => [{ type: 'blind', blindness: { since: window.from, reason: 'controller_down', detail: null } }, list()]);
  }

  let lastListAt = -Infinity;
  const relistsAt: number[] = [];
  let model: ClusterModel = { leases: compact ? new CompactLeaseStates('prop') : new Map<string, LeaseState>(), stream: emptyStream() };
  let tickAt: number | null = null;
  const run: Run = { transitions: [], gaps: [], resetDrops: 0, skewHolders: [], firstTransitions: null, lastTransitions: null, batches: [] };
  const apply = (events: SourceEvent[], now: number) => {
    const before = [...model.leases.values()][0];
    for (const event of events) if (event.type === 'listed') lastListAt = event.at;
    const result: ReconcileResult = reconcile(model, events, now, options);
    run.batches.push({ writes: result.writes, reads: result.reads, relist: result.relist, nextDueAt: result.nextDueAt, clamped: [...result.clamped], malformed: result.malformed });
    if (model.leases instanceof CompactLeaseStates) {
      for (const [key, state] of result.changed) model.leases.set(key, state);
      model = { leases: model.leases, stream: result.stream };
    } else {
      const leases = new Map(model.leases);
      for (const [key, state] of result.changed) leases.set(key, state);
      model = { leases, stream: result.stream };
    }
    for (const { event } of result.writes.transitions) {
      run.transitions.push(event);
      if (event.type === 'transition' && event.kind === 'reset') run.resetDrops += (before?.last.leaseTransitions ?? 0) - (event.leaseTransitions ?? 0);
    }
    // Gaps are upserted by start: an open gap is written when it opens, and closed by the relist.
    for (const gap of result.writes.gaps) {
      const index = run.gaps.findIndex((stored) => stored.startedAt === gap.startedAt);
      if (index < 0) run.gaps.push(gap);
      else run.gaps[index] = { ...run.gaps[index]!, endedAt: gap.endedAt ?? run.gaps[index]!.endedAt };
    }
    run.skewHolders.push(...result.writes.skews.map(({ event }) => ({ type: event.type, holder: event.holder })));
    const state = [...model.leases.values()][0];
    if (state) {
      run.firstTransitions ??= state.last.leaseTransitions;
      run.lastTransitions = state.last.leaseTransitions;
    }
    tickAt = result.isFullScan ? result.nextDueAt : tickAt === null ? result.nextDueAt : result.nextDueAt === null ? tickAt : Math.min(tickAt, result.nextDueAt);
    for (const key of result.reads) {
      const askedAt = result.stream.pending.get(key) ?? now;
      schedule(now + readDelayMs, () => {
        const at = now + readDelayMs;
        const window = windowAt(at);
        if (window?.kind === 'controller_down') return [];
        if (window && window.kind !== 'stall') return [{ type: 'unreadable', requested: [key], askedAt, at, reason: 'partitioned' }];
        const truth = truthAt(at);
        return [{ type: 'read', requested: [key], items: truth ? [parse(truth, at, 'read')] : [], askedAt, at }];
      });
    }
    if (result.relist) {
      relistsAt.push(now);
      const window = windowAt(now);
      const at = window && window.kind !== 'stall' ? window.to : now + readDelayMs;
      schedule(at, () => {
        const truth = truthAt(at);
        return [{ type: 'listed', items: truth ? [parse(truth, at, 'list')] : [], resourceVersion: `relist-${at}`, at, blindSince: null, gapReason: null }];
      });
    }
  };

  for (;;) {
    actions.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = actions[0];
    const tick = tickAt;
    if (tick !== null && (next === undefined || tick < next.at)) {
      tickAt = null;
      if (windowAt(tick)?.kind !== 'controller_down') apply([{ type: 'tick', at: tick }], tick);
      continue;
    }
    if (next === undefined || next.at > scenario.endAt) break;
    actions.shift();
    const events = next.run();
    if (events.length > 0) apply(events, next.at);
  }
  return run;
}

const isStateSetting = (event: TransitionRow): event is TransitionEvent => event.type === 'transition';

describe.each(seeds)('a client-go history seen through blind spots, skew, resets and absurd values (seed %i)', (seed) => {
  const scenario = buildScenario(seed);
  const run = simulate(scenario);
  const truthAt = (at: number) => scenario.writes.findLast((write) => write.writtenAt <= at);

  it('decides batch by batch exactly the same with the compact state the controller keeps', () => {
    expect(simulate(scenario, true)).toEqual(run);
  });

  it('records an expiry only where the record really ran out, never inside a gap', () => {
    for (const event of run.transitions.filter((t): t is TransitionEvent => t.type === 'transition' && t.kind === 'expired')) {
      const truth = truthAt(event.observedAt)!;
      expect(spec(truth).holderIdentity).toBe(event.fromHolder);
      expect(truth.writtenAt + leaseDurationMs).toBeLessThanOrEqual(event.observedAt);
      for (const gap of run.gaps) expect(event.at >= gap.startedAt && event.at < (gap.endedAt ?? Infinity)).toBe(false);
    }
  });

  it('dates every change of state no earlier than the one before it, so spans never overlap', () => {
    const changes = run.transitions.filter(isStateSetting).filter((t) => t.kind !== 'deleted');
    for (let index = 1; index < changes.length; index += 1) {
      expect(changes[index]!.at).toBeGreaterThanOrEqual(changes[index - 1]!.at);
    }
  });

  it('stores gaps that never overlap one another', () => {
    const gaps = [...run.gaps].sort((a, b) => a.startedAt - b.startedAt);
    for (let index = 1; index < gaps.length; index += 1) expect(gaps[index]!.startedAt).toBeGreaterThanOrEqual(gaps[index - 1]!.endedAt ?? Infinity);
  });

  it('accounts for every leaseTransitions increment as an acquisition or a missed change (resets aside)', () => {
    const acquired = run.transitions.filter((t) => t.type === 'transition' && t.kind === 'acquired' && t.cause !== 'first').length;
    const missed = run.transitions.reduce((sum, t) => sum + (t.type === 'missed' ? t.count : t.type === 'transition' ? t.missedCount : 0), 0);
    expect(acquired + missed).toBe((run.lastTransitions ?? 0) - (run.firstTransitions ?? 0) + run.resetDrops);
  });

  it('records a reset only where the scenario restored an older record (one a blind spot hid is not seen)', () => {
    expect(run.transitions.filter((t) => t.type === 'transition' && t.kind === 'reset').length).toBeLessThanOrEqual(scenario.resets);
  });

  it('closes the skew episode of a holder that led across the correction of its clock', () => {
    const { correctedHost, midway } = scenario;
    if (!correctedHost) return;
    const renewalsOf = (holder: string) => scenario.writes.filter((write) => spec(write).holderIdentity === holder);
    const across = new Set(run.skewHolders.map((s) => s.holder).filter((holder) => holder.startsWith(`${correctedHost}_`) && renewalsOf(holder).some((w) => w.writtenAt < midway) && renewalsOf(holder).filter((w) => w.writtenAt > midway).length > defaultDeriveOptions.skew.windowSize + 2));
    for (const holder of across) expect(run.skewHolders.filter((s) => s.holder === holder).at(-1)?.type).toBe('skew-cleared');
  });
});

describe('the blind spots of the property test', () => {
  it('cover every kind and actually hide renewals and expiries', () => {
    const scenarios = seeds.map(buildScenario);
    const kinds = new Set(scenarios.flatMap((scenario) => scenario.windows.map((window) => window.kind)));
    expect([...kinds].sort()).toEqual(['compaction', 'controller_down', 'drop', 'stall']);
    const runs = seeds.map((seed, index) => simulate(scenarios[index]!));
    expect(runs.filter((run) => run.gaps.some((gap) => gap.reason === 'watch_lost')).length).toBeGreaterThan(0);
    expect(runs.filter((run) => run.transitions.some((t) => t.type === 'transition' && t.kind === 'expired')).length).toBeGreaterThan(0);
    expect(runs.filter((run) => run.transitions.some((t) => t.type === 'transition' && t.kind === 'reset')).length).toBeGreaterThan(5);
  });
});
