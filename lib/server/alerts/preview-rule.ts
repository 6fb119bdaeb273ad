import type { Store } from '../../store/client';
import { loadFlappingHistory, loadLeaderlessHistory, loadRenewLatencyHistory, loadStaleHistory } from '../../store/alert-facts';
import { expandTransitions, flappingIntervals, renewLatencyCondition } from '../../alerts/conditions';
import { timingOf } from '../../alerts/evaluate';
import { describeRule, lookbackSeconds } from '../../alerts/params';
import { isInScope, subjectKeyOf } from '../../alerts/patterns';
import { sampledIntervals, simulateSignal, thresholdIntervals, type PreviewFiring, type SubjectSignal } from '../../alerts/preview';
import type { RuleDefinition, RuleScope } from '../../alerts/types';

export type PreviewInput = RuleDefinition & RuleScope & { forSeconds: number; quietSeconds: number; hours: number; now: Date };

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

async function signalsFor(store: Store, input: PreviewInput, from: Date, to: Date): Promise<{ signals: SubjectSignal[]; sampleStepSeconds: number | null }> {
  const db = store.prisma;
  const lookback = new Date(from.getTime() - lookbackSeconds(input) * 1_000);
  switch (input.kind) {
    case 'flapping': {
      const history = await loadFlappingHistory(db, { from: lookback, to });
      return { signals: history.map((facts) => ({ subject: facts.subject, intervals: flappingIntervals(expandTransitions(facts.transitions), input.params) })), sampleStepSeconds: null };
    }
    case 'leaderless': {
      const history = await loadLeaderlessHistory(db, { from: lookback, to });
      return { signals: history.map((entry) => ({ subject: entry.subject, intervals: thresholdIntervals(entry.periods, input.params.seconds * 1_000) })), sampleStepSeconds: null };
    }
    case 'stale_data': {
      const history = await loadStaleHistory(db, { from: lookback, to });
      return { signals: history.map((entry) => ({ subject: entry.subject, intervals: thresholdIntervals(entry.periods, input.params.seconds * 1_000) })), sampleStepSeconds: null };
    }
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
      const signals = [...bySubject.values()].map((entry) => ({ ...entry.signal, intervals: sampledIntervals(entry.points, stepSeconds * 1_000) }));
      return { signals, sampleStepSeconds: stepSeconds };
    }
  }
}

// "Would have fired N times": the rule replayed over stored history with the live lifecycle.
export async function previewRule(store: Store, input: PreviewInput): Promise<PreviewResult> {
  const to = input.now;
  const from = new Date(to.getTime() - input.hours * 60 * 60 * 1_000);
  const { signals, sampleStepSeconds } = await signalsFor(store, input, from, to);
  const timing = timingOf(input);
  const inScope = signals.filter((signal) => isInScope(input, signal.subject));
  const firings = inScope.flatMap((signal) => simulateSignal(signal, timing, { from: from.getTime(), to: to.getTime() }));
  firings.sort((a, b) => b.firingAt - a.firingAt);
  return {
    range: { from, to },
    description: describeRule(input),
    firings: firings.length,
    subjects: new Set(firings.map((firing) => subjectKeyOf(firing.subject))).size,
    alerts: firings.slice(0, maxListed),
    sampleStepSeconds,
  };
}
