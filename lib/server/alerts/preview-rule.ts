import { ClientGoneError, ValidationError } from '../../errors';
import type { PgStore } from '../../store/pg-store';
import { loadHeartbeatGapHistory, loadLeaderlessHistory, loadRenewLatencyHistory, loadStaleHistory } from '../../store/alert-facts';
import { readFlappingHistory } from '../../store/alert-facts';
import { clusterShareIntervals, expandTransitions, flappingIntervals, neededNodes, renewLatencyCondition } from '../../alerts/conditions';
import { timingOf } from '../../alerts/evaluate';
import { describeRule, lookbackSeconds } from '../../alerts/params';
import { isInScope, subjectKeyOf } from '../../alerts/patterns';
import { sampledIntervals, simulateSignal, thresholdIntervals, type ActiveInterval, type PreviewFiring, type SubjectSignal } from '../../alerts/preview';
import type { RuleDefinition, RuleScope } from '../../alerts/types';

export type PreviewInput = RuleDefinition & RuleScope & { forSeconds: number; quietSeconds: number; hours: number; now: Date };

// A preview over a month of a flapping fleet takes seconds of CPU: the web tier runs it in a worker thread
// (preview-pool.ts), and here it works in slices and stops at a budget.
// maxFacts: how many changes of leader a preview may load at most (a row cap before the time budget).
// isCancelled: the client went away; checked where the budget is.
export type PreviewBudget = { budgetMs: number; clock: () => number; maxFacts?: number; isCancelled?: () => boolean };

export const defaultPreviewBudget: PreviewBudget = { budgetMs: 5_000, clock: () => performance.now() };
const subjectsPerSlice = 20;
const flappingBatchRows = 10_000;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type PreviewResult = {
  range: { from: Date; to: Date };
  description: string;
  firings: number;
  subjects: number;
  alerts: PreviewFiring[];
  // Renew latency is replayed at sample points (p95 over the window before each), not continuously.
  sampleStepSeconds: number | null;
};

const maxListed = 100;
// A month of 500 leases each changing leader every 10 minutes is about 2 million changes; past this the
// preview refuses with a 400 rather than holding that history in memory.
export const MAX_PREVIEW_FACTS = 2_000_000;

// Intervals are worked out only for subjects in scope, one slice at a time.
type LazySignal = { subject: SubjectSignal['subject']; intervals: () => SubjectSignal['intervals'] };

async function signalsFor(store: PgStore, input: PreviewInput, from: Date, to: Date): Promise<{ signals: LazySignal[]; sampleStepSeconds: number | null }> {
  const db = store.pool;
  const lookback = new Date(from.getTime() - lookbackSeconds(input) * 1_000);
  switch (input.kind) {
    case 'flapping':
      throw new Error('a flapping preview streams its history: see replayFlapping');
    case 'leaderless': {
      const history = await loadLeaderlessHistory(db, { from: lookback, to });
      return { signals: history.map((entry) => ({ subject: entry.subject, intervals: () => thresholdIntervals(entry.periods, input.params.seconds * 1_000) })), sampleStepSeconds: null };
    }
    case 'stale_data': {
      const history = await loadStaleHistory(db, { from: lookback, to });
      return { signals: history.map((entry) => ({ subject: entry.subject, intervals: () => thresholdIntervals(entry.periods, input.params.seconds * 1_000) })), sampleStepSeconds: null };
    }
    case 'heartbeat_gap': {
      const history = await loadHeartbeatGapHistory(db, { from, to }, input.params.gapSeconds * 1_000);
      const windowMs = input.params.windowSeconds * 1_000;
      if (input.params.scope === 'node') return { signals: history.map((entry) => ({ subject: entry.subject, intervals: () => extendByWindow(entry.periods, windowMs) })), sampleStepSeconds: null };
      const byCluster = new Map<string, typeof history>();
      for (const entry of history) byCluster.set(entry.subject.cluster, [...(byCluster.get(entry.subject.cluster) ?? []), entry]);
      const signals = [...byCluster].map(([cluster, entries]) => ({
        subject: { cluster, namespace: null, name: null },
        intervals: () => extendByWindow(clusterShareIntervals(entries.map((entry) => entry.periods), neededNodes(entries[0]?.nodesInCluster ?? 1, input.params.clusterSharePercent)), windowMs),
      }));
      return { signals, sampleStepSeconds: null };
    }
    case 'slo_burn':
      throw new ValidationError('invalid kind: an slo_burn rule has no preview; its SLO page shows the burn rates and the budget chart', [
        { path: 'kind', message: 'no preview for slo_burn' },
      ]);
    case 'renew_latency': {
      const stepSeconds = Math.max(60, Math.ceil((to.getTime() - from.getTime()) / 1_000 / 288));
      const points = await loadRenewLatencyHistory(db, { from, to }, input.params.windowSeconds, stepSeconds);
      const bySubject = new Map<string, { signal: SubjectSignal; points: Array<{ at: number; isActive: boolean }> }>();
      for (const point of points) {
        const key = subjectKeyOf(point.subject);
        const entry = bySubject.get(key) ?? { signal: { subject: point.subject, intervals: [] }, points: [] };
        entry.points.push({ at: point.at, isActive: renewLatencyCondition(point, input.params).isActive });
        bySubject.set(key, entry);
      }
      const signals = [...bySubject.values()].map((entry) => ({ subject: entry.signal.subject, intervals: () => sampledIntervals(entry.points, stepSeconds * 1_000) }));
      return { signals, sampleStepSeconds: stepSeconds };
    }
  }
}

// A gap counts for the window after it (the engine's "within windowSeconds"): each interval runs on that long.
function extendByWindow(intervals: readonly ActiveInterval[], windowMs: number): ActiveInterval[] {
  const merged: ActiveInterval[] = [];
  for (const interval of [...intervals].sort((a, b) => a.start - b.start)) {
    const end = interval.end === null ? null : interval.end + windowMs;
    const last = merged.at(-1);
    if (last && (last.end === null || last.end >= interval.start)) last.end = last.end === null || end === null ? null : Math.max(last.end, end);
    else merged.push({ start: interval.start, end });
  }
  return merged;
}

// Firings kept as the answer needs them: the count, the subjects, the latest `maxListed`, whatever the history.
function createFiringTally() {
  let count = 0;
  const subjects = new Set<string>();
  let latest: PreviewFiring[] = [];
  // Latest first; between subjects firing at the same moment, in subject order.
  const order = (a: PreviewFiring, b: PreviewFiring) => b.firingAt - a.firingAt || (subjectKeyOf(a.subject) < subjectKeyOf(b.subject) ? -1 : subjectKeyOf(a.subject) > subjectKeyOf(b.subject) ? 1 : 0);
  return {
    add(firings: PreviewFiring[]) {
      if (firings.length === 0) return;
      count += firings.length;
      for (const firing of firings) subjects.add(subjectKeyOf(firing.subject));
      latest = [...latest, ...[...firings].sort(order).slice(0, maxListed)].sort(order).slice(0, maxListed);
    },
    result: () => ({ firings: count, subjects: subjects.size, alerts: latest }),
  };
}

// "Would have fired N times": the rule replayed over stored history with the live lifecycle.
export async function previewRule(store: PgStore, input: PreviewInput, budget: PreviewBudget = defaultPreviewBudget): Promise<PreviewResult> {
  const deadline = budget.clock() + budget.budgetMs;
  const to = input.now;
  const from = new Date(to.getTime() - input.hours * 60 * 60 * 1_000);
  const timing = timingOf(input);
  const tally = createFiringTally();
  const checkpoint = () => {
    if (budget.isCancelled?.()) throw new ClientGoneError('the preview was cancelled: its client went away');
    if (budget.clock() > deadline) {
      throw new ValidationError(`invalid hours: replaying ${input.hours} h took longer than the ${budget.budgetMs / 1_000} s budget; choose fewer hours or narrower patterns`, [{ path: 'hours', message: 'over the time budget' }]);
    }
  };
  const replay = (signal: SubjectSignal) => tally.add(simulateSignal(signal, timing, { from: from.getTime(), to: to.getTime() }));
  let sampleStepSeconds: number | null = null;
  if (input.kind === 'flapping') {
    await replayFlapping(store, input, { from, to }, budget.maxFacts ?? MAX_PREVIEW_FACTS, budget.budgetMs, checkpoint, replay);
  } else {
    const loaded = await signalsFor(store, input, from, to);
    sampleStepSeconds = loaded.sampleStepSeconds;
    const inScope = loaded.signals.filter((signal) => isInScope(input, signal.subject));
    for (const [index, lazy] of inScope.entries()) {
      if (index % subjectsPerSlice === 0) {
        if (index > 0) await yieldToEventLoop();
        checkpoint();
      }
      replay({ subject: lazy.subject, intervals: lazy.intervals() });
    }
  }
  return { range: { from, to }, description: describeRule(input), ...tally.result(), sampleStepSeconds };
}

// The flapping history is read a lease at a time (a month of a flapping fleet is ~1 M changes) and each
// lease replayed as it arrives, so only one lease's changes are held at once.
async function replayFlapping(
  store: PgStore,
  input: PreviewInput & { kind: 'flapping' },
  range: { from: Date; to: Date },
  maxFacts: number,
  statementTimeoutMs: number,
  checkpoint: () => void,
  replay: (signal: SubjectSignal) => void,
): Promise<void> {
  const lookback = new Date(range.from.getTime() - lookbackSeconds(input) * 1_000);
  let index = 0;
  const { isTruncated } = await readFlappingHistory(
    store.pool,
    { from: lookback, to: range.to },
    { maxRows: maxFacts, batchRows: flappingBatchRows, statementTimeoutMs, include: (subject) => isInScope(input, subject), checkpoint },
    (facts) => {
      if (index % subjectsPerSlice === 0) checkpoint();
      index += 1;
      replay({ subject: facts.subject, intervals: flappingIntervals(expandTransitions(facts.transitions, input.params.transitions), input.params) });
    },
  );
  if (isTruncated) {
    throw new ValidationError(`invalid hours: more than ${maxFacts.toLocaleString('en')} changes of leader in ${input.hours} h of history; choose fewer hours`, [
      { path: 'hours', message: 'too much history to replay' },
    ]);
  }
}
