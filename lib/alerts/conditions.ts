import { formatMs } from './lifecycle';
import type { Condition, FlappingParams, HeartbeatGapParams, LeaderlessParams, RenewLatencyParams, StaleDataParams, Subject } from './types';

// One change of leader (weight 1), or a row standing for changes we never saw (weight = missed count).
export type CountedTransition = { at: number; weight: number };

export type FlappingFacts = { subject: Subject; transitions: CountedTransition[] };

// leaderlessSince: when the lease last lost its holder (release, expiry), null while someone holds it.
// heldSince/lastLeaderlessMs: the acquisition that ended the last leaderless period, and how long it was.
export type LeaderlessFacts = { subject: Subject; leaderlessSince: number | null; heldSince: number | null; lastLeaderlessMs: number | null };

export type RenewLatencyFacts = { subject: Subject; p95Ms: number | null; samples: number; leaseDurationSeconds: number | null };

// lastSeenAt: the last batch stored for the cluster; addedAt stands in while it was never observed.
export type StaleFacts = { subject: Subject; lastSeenAt: number | null; addedAt: number };

const inactive = (subject: Subject, value: number | null, summary: string, changes: Partial<Pick<Condition, 'changesAt' | 'endedAt'>> = {}): Condition => ({
  subject,
  isActive: false,
  value,
  summary,
  changesAt: changes.changesAt ?? null,
  endedAt: changes.endedAt ?? null,
});

export function expandTransitions(transitions: readonly CountedTransition[]): number[] {
  const times: number[] = [];
  for (const transition of transitions) for (let i = 0; i < transition.weight; i++) times.push(transition.at);
  return times.sort((a, b) => a - b);
}

// Active over [t_i, t_(i-N+1) + W): from the N-th change inside a window until the oldest of those N leaves it.
export function flappingIntervals(times: readonly number[], params: FlappingParams): Array<{ start: number; end: number }> {
  const windowMs = params.windowSeconds * 1_000;
  const intervals: Array<{ start: number; end: number }> = [];
  for (let i = params.transitions - 1; i < times.length; i++) {
    const start = times[i]!;
    const end = times[i - params.transitions + 1]! + windowMs;
    if (end > start) intervals.push({ start, end });
  }
  return intervals;
}

export function flappingCondition(facts: FlappingFacts, params: FlappingParams, now: number): Condition {
  const windowMs = params.windowSeconds * 1_000;
  const times = expandTransitions(facts.transitions);
  const inWindow = times.filter((at) => at > now - windowMs);
  const count = inWindow.length;
  const summary = `${count} change${count === 1 ? '' : 's'} of leader in the last ${formatMs(windowMs)} (threshold ${params.transitions})`;
  if (count >= params.transitions) {
    const oldestCounted = inWindow[count - params.transitions]!;
    return { subject: facts.subject, isActive: true, value: count, summary, changesAt: oldestCounted + windowMs, endedAt: null };
  }
  const ended = flappingIntervals(times, params)
    .map((interval) => interval.end)
    .filter((end) => end <= now);
  return inactive(facts.subject, count, summary, { endedAt: ended.length > 0 ? Math.max(...ended) : null });
}

export function leaderlessCondition(facts: LeaderlessFacts, params: LeaderlessParams, now: number): Condition {
  const thresholdMs = params.seconds * 1_000;
  if (facts.leaderlessSince === null) {
    const didLastPeriodCount = facts.lastLeaderlessMs !== null && facts.lastLeaderlessMs >= thresholdMs;
    return inactive(facts.subject, 0, 'a holder renews the lease', { endedAt: didLastPeriodCount ? facts.heldSince : null });
  }
  const leaderlessMs = Math.max(0, now - facts.leaderlessSince);
  const summary = `no valid holder for ${formatMs(leaderlessMs)} (since ${new Date(facts.leaderlessSince).toISOString()}, threshold ${formatMs(thresholdMs)})`;
  if (leaderlessMs >= thresholdMs) return { subject: facts.subject, isActive: true, value: Math.round(leaderlessMs / 1_000), summary, changesAt: null, endedAt: null };
  return inactive(facts.subject, Math.round(leaderlessMs / 1_000), summary, { changesAt: facts.leaderlessSince + thresholdMs });
}

export function renewLatencyCondition(facts: RenewLatencyFacts, params: RenewLatencyParams): Condition {
  const windowText = formatMs(params.windowSeconds * 1_000);
  if (facts.leaseDurationSeconds === null || facts.leaseDurationSeconds <= 0 || facts.p95Ms === null) {
    return inactive(facts.subject, null, `no renewal interval measured over ${windowText}`);
  }
  const percent = Math.round((facts.p95Ms / (facts.leaseDurationSeconds * 1_000)) * 1_000) / 10;
  const summary = `renew interval p95 ${formatMs(facts.p95Ms)} is ${percent} % of the ${facts.leaseDurationSeconds} s lease duration over ${windowText} (threshold ${params.percentOfLeaseDuration} %, ${facts.samples} samples)`;
  if (facts.samples < params.minSamples) return inactive(facts.subject, percent, `${summary}; too few samples to judge (minimum ${params.minSamples})`);
  if (percent > params.percentOfLeaseDuration) return { subject: facts.subject, isActive: true, value: percent, summary, changesAt: null, endedAt: null };
  return inactive(facts.subject, percent, summary);
}

export function staleCondition(facts: StaleFacts, params: StaleDataParams, now: number): Condition {
  const thresholdMs = params.seconds * 1_000;
  const since = facts.lastSeenAt ?? facts.addedAt;
  const ageMs = Math.max(0, now - since);
  const summary =
    facts.lastSeenAt === null
      ? `never observed since it was added ${formatMs(ageMs)} ago (threshold ${formatMs(thresholdMs)})`
      : `not observed for ${formatMs(ageMs)} (last seen ${new Date(facts.lastSeenAt).toISOString()}, threshold ${formatMs(thresholdMs)})`;
  const value = Math.round(ageMs / 1_000);
  if (ageMs >= thresholdMs) return { subject: facts.subject, isActive: true, value, summary, changesAt: null, endedAt: null };
  return inactive(facts.subject, value, summary, { changesAt: since + thresholdMs });
}

// One node lease: the longest renew gap that ended inside the window, and its last renewal (a gap still open).
export type HeartbeatFacts = { subject: Subject; worstGapMs: number | null; lastRenewAt: number | null };

function currentGap(fact: HeartbeatFacts, now: number): number {
  return Math.max(fact.worstGapMs ?? 0, fact.lastRenewAt === null ? 0 : now - fact.lastRenewAt);
}

// Node scope: each node whose gap reached the threshold; cluster scope: each cluster where enough nodes did at once.
export function heartbeatGapConditions(facts: readonly HeartbeatFacts[], params: HeartbeatGapParams, now: number): Condition[] {
  const thresholdMs = params.gapSeconds * 1_000;
  if (params.scope === 'node') {
    return facts.map((fact) => {
      const gapMs = currentGap(fact, now);
      const summary = `heartbeat gap ${formatMs(gapMs)} (threshold ${formatMs(thresholdMs)})`;
      if (gapMs >= thresholdMs) return { subject: fact.subject, isActive: true, value: Math.round(gapMs / 1_000), summary, changesAt: null, endedAt: null };
      return inactive(fact.subject, Math.round(gapMs / 1_000), summary, { changesAt: fact.lastRenewAt === null ? null : fact.lastRenewAt + thresholdMs });
    });
  }
  const byCluster = new Map<string, { total: number; over: number; nextAt: number | null }>();
  for (const fact of facts) {
    const entry = byCluster.get(fact.subject.cluster) ?? { total: 0, over: 0, nextAt: null };
    entry.total += 1;
    if (currentGap(fact, now) >= thresholdMs) entry.over += 1;
    else if (fact.lastRenewAt !== null) entry.nextAt = entry.nextAt === null ? fact.lastRenewAt + thresholdMs : Math.min(entry.nextAt, fact.lastRenewAt + thresholdMs);
    byCluster.set(fact.subject.cluster, entry);
  }
  return [...byCluster].map(([cluster, entry]) => {
    const subject: Subject = { cluster, namespace: null, name: null };
    const percent = Math.round((entry.over / entry.total) * 1_000) / 10;
    const summary = `${entry.over} of ${entry.total} nodes with a heartbeat gap of ${formatMs(thresholdMs)} or more within ${formatMs(params.windowSeconds * 1_000)} (${percent} %, threshold ${params.clusterSharePercent} %)`;
    if (percent >= params.clusterSharePercent) return { subject, isActive: true, value: percent, summary, changesAt: null, endedAt: null };
    return inactive(subject, percent, summary, { changesAt: entry.nextAt });
  });
}
