import { formatExactMs, formatMs } from './lifecycle';
import { MIN_SHORT_OBSERVED_SHARE, readBurnWindows, workbookWindows } from '../slo/burn-rate-alerts';
import type { LeadershipTime } from '../slo/budget';
import type { Condition, FlappingParams, HeartbeatGapParams, LeaderlessParams, RenewLatencyParams, StaleDataParams, Subject } from './types';

// One change of leader (weight 1), or a row standing for changes we never saw (weight = missed count).
export type CountedTransition = { at: number; weight: number };

export type FlappingFacts = { subject: Subject; transitions: CountedTransition[] };

// leaderlessSince: when the lease last lost its holder (release, expiry), null while someone holds it.
// heldSince/lastLeaderlessMs: the acquisition that ended the last leaderless period, and how long it was.
export type LeaderlessFacts = { subject: Subject; leaderlessSince: number | null; heldSince: number | null; lastLeaderlessMs: number | null; heldBy?: string | null };

export type RenewLatencyFacts = { subject: Subject; p95Ms: number | null; samples: number; leaseDurationSeconds: number | null };

// An SLO's led, leaderless and not-observed time (summed over its scope) over each burn window (seconds).
// isGapListTruncated: too many observation gaps to read, so blind time partly counts as observed.
export type SloBurnFacts = { subject: Subject; sloName: string; target: number; windows: ReadonlyMap<number, LeadershipTime>; isGapListTruncated?: boolean };

// An slo_burn alert's subject is the SLO's scope itself (its globs): one alert per SLO, not per lease.
export function sloSubjectOf(slo: { clusterPattern: string; namespacePattern: string; leasePattern: string }): Subject {
  return { cluster: slo.clusterPattern, namespace: slo.namespacePattern, name: slo.leasePattern };
}

// lastSeenAt: the last batch stored for the cluster; addedAt stands in while it was never observed.
export type StaleFacts = { subject: Subject; lastSeenAt: number | null; addedAt: number };

const inactive = (subject: Subject, value: number | null, summary: string, changes: Partial<Pick<Condition, 'changesAt' | 'endedAt' | 'endedBy'>> = {}): Condition => ({
  subject,
  isActive: false,
  value,
  summary,
  changesAt: changes.changesAt ?? null,
  endedAt: changes.endedAt ?? null,
  since: null,
  endedBy: changes.endedBy ?? null,
});

const activeCondition = (subject: Subject, value: number | null, summary: string, since: number | null, changesAt: number | null = null): Condition => ({
  subject,
  isActive: true,
  value,
  summary,
  changesAt,
  endedAt: null,
  since,
  endedBy: null,
});

// A missed count is a Lease field anyone can write (~2^31): copies past `cap` (the rule's N) change no
// interval — the N newest changes up to any moment hold at most N copies of one row — so memory stays
// bounded by rows × N whatever the weight.
export function expandTransitions(transitions: readonly CountedTransition[], cap: number): number[] {
  const times: number[] = [];
  for (const transition of transitions) {
    const copies = Math.min(transition.weight, cap);
    for (let i = 0; i < copies; i++) times.push(transition.at);
  }
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
  const times = expandTransitions(facts.transitions, params.transitions);
  const inWindow = times.filter((at) => at > now - windowMs);
  const count = facts.transitions.reduce((sum, transition) => (transition.at > now - windowMs ? sum + Math.max(0, transition.weight) : sum), 0);
  const summary = `${count} change${count === 1 ? '' : 's'} of leader in the last ${formatMs(windowMs)} (threshold ${params.transitions})`;
  if (count >= params.transitions) {
    const oldestCounted = inWindow[inWindow.length - params.transitions]!;
    // The change that made the count reach the threshold in the window it still holds in.
    const crossedAt = inWindow[params.transitions - 1]!;
    return activeCondition(facts.subject, count, summary, crossedAt, oldestCounted + windowMs);
  }
  let endedAt: number | null = null;
  for (const interval of flappingIntervals(times, params)) if (interval.end <= now && (endedAt === null || interval.end > endedAt)) endedAt = interval.end;
  const endedBy = endedAt === null ? null : `no change of leader for long enough: fewer than ${params.transitions} in ${formatMs(windowMs)}`;
  return inactive(facts.subject, count, summary, { endedAt, endedBy });
}

export function leaderlessCondition(facts: LeaderlessFacts, params: LeaderlessParams, now: number): Condition {
  const thresholdMs = params.seconds * 1_000;
  if (facts.leaderlessSince === null) {
    // An acquisition whose leaderless time is unknown (the first holder of a lease seen empty, a holder
    // renewing again) still ends the period exactly then: its time, not the tick that noticed it.
    const didLastPeriodCount = facts.lastLeaderlessMs === null ? facts.heldSince !== null : facts.lastLeaderlessMs >= thresholdMs;
    const afterText = facts.lastLeaderlessMs === null ? '' : ` after ${formatExactMs(facts.lastLeaderlessMs)} without a holder`;
    const endedBy = facts.heldBy ? `${facts.heldBy} acquired the lease${afterText}` : 'a holder acquired the lease';
    return inactive(facts.subject, 0, 'a holder renews the lease', didLastPeriodCount ? { endedAt: facts.heldSince, endedBy } : {});
  }
  const leaderlessMs = Math.max(0, now - facts.leaderlessSince);
  const summary = `no valid holder for ${formatExactMs(leaderlessMs)} (threshold ${formatExactMs(thresholdMs)})`;
  if (leaderlessMs >= thresholdMs) return activeCondition(facts.subject, Math.round(leaderlessMs / 1_000), summary, facts.leaderlessSince);
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
  if (percent > params.percentOfLeaseDuration) return activeCondition(facts.subject, percent, summary, null);
  return inactive(facts.subject, percent, summary, { endedBy: `renew interval p95 back to ${percent} % of the lease duration` });
}

export function staleCondition(facts: StaleFacts, params: StaleDataParams, now: number): Condition {
  const thresholdMs = params.seconds * 1_000;
  const since = facts.lastSeenAt ?? facts.addedAt;
  const ageMs = Math.max(0, now - since);
  const summary =
    facts.lastSeenAt === null
      ? `never observed since it was added ${formatExactMs(ageMs)} ago (threshold ${formatExactMs(thresholdMs)})`
      : `not observed for ${formatExactMs(ageMs)} (threshold ${formatExactMs(thresholdMs)})`;
  const value = Math.round(ageMs / 1_000);
  if (ageMs >= thresholdMs) return activeCondition(facts.subject, value, summary, since);
  return inactive(facts.subject, value, summary, { changesAt: since + thresholdMs, endedBy: 'the cluster is observed again' });
}

const rateText = (rate: number | null) => (rate === null ? 'not observed' : `${Math.round(rate * 10) / 10}×`);

// Multi-window, multi-burn-rate (SRE workbook): active while any pair burns over both its windows.
export function sloBurnCondition(facts: SloBurnFacts): Condition {
  const none: LeadershipTime = { ledMs: 0, leaderlessMs: 0, unknownMs: 0 };
  const readings = readBurnWindows(workbookWindows, facts.target, (seconds) => facts.windows.get(seconds) ?? none);
  const describe = (reading: (typeof readings)[number]) => {
    const long = `${rateText(reading.longRate)} over ${formatExactMs(reading.longSeconds * 1_000)}`;
    const short = formatExactMs(reading.shortSeconds * 1_000);
    if (reading.isShortJudged) return `${long} and ${rateText(reading.shortRate)} over ${short} (threshold ${reading.factor}×)`;
    const observed = `only ${formatExactMs(reading.shortObservedMs)} of the last ${short} observed, under the ${Math.round(MIN_SHORT_OBSERVED_SHARE * 100)} % needed to count`;
    return `${long} (threshold ${reading.factor}×; ${observed}: judged on the ${formatExactMs(reading.longSeconds * 1_000)} window alone)`;
  };
  const burning = readings.filter((reading) => reading.isBurning);
  const worst = Math.max(0, ...readings.map((reading) => reading.shortRate ?? 0));
  const target = `${Math.round(facts.target * 1e5) / 1e3} %`;
  const caveat = facts.isGapListTruncated ? ' (too many observation gaps to read: part of the blind time counted as observed)' : '';
  if (burning.length > 0) {
    return activeCondition(facts.subject, Math.round(worst * 10) / 10, `error budget of SLO "${facts.sloName}" (${target}) burning ${burning.map(describe).join('; ')}${caveat}`, null);
  }
  return inactive(facts.subject, Math.round(worst * 10) / 10, `error budget of SLO "${facts.sloName}" (${target}): ${readings.map(describe).join('; ')}${caveat}`, {
    endedBy: 'burn rates back under their thresholds in the short windows',
  });
}

// One node lease: its renew gaps that ended inside the window (`endedAt`, length), its last renewal, and
// since when Leasetrail has been blind on its cluster (an open observation gap), null while it sees it.
export type HeartbeatFacts = { subject: Subject; gaps: ReadonlyArray<{ endedAt: number; gapMs: number }>; lastRenewAt: number | null; blindSince: number | null };

type Period = { start: number; end: number | null };

// When a node was over the threshold: from (renewal − gap + threshold) until that renewal; a gap still open
// runs on, but only as far as Leasetrail could see: while blind, silence is not the node's.
export function heartbeatGapPeriods(fact: HeartbeatFacts, thresholdMs: number): Period[] {
  const periods: Period[] = fact.gaps.filter((gap) => gap.gapMs >= thresholdMs).map((gap) => ({ start: gap.endedAt - gap.gapMs + thresholdMs, end: gap.endedAt }));
  if (fact.lastRenewAt === null) return periods;
  const start = fact.lastRenewAt + thresholdMs;
  if (fact.blindSince === null) periods.push({ start, end: null });
  else if (fact.blindSince > start) periods.push({ start, end: fact.blindSince });
  return periods;
}

// The periods in which at least `needed` nodes were over the threshold at the same moment: a sweep over their starts and ends.
export function clusterShareIntervals(perNode: ReadonlyArray<readonly Period[]>, needed: number): Period[] {
  const edges = perNode.flatMap((periods) => periods.flatMap((period) => [{ at: period.start, step: 1 }, ...(period.end === null ? [] : [{ at: period.end, step: -1 }])]));
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  const intervals: Period[] = [];
  let active = 0;
  for (const edge of edges) {
    const before = active;
    active += edge.step;
    if (before < needed && active >= needed) intervals.push({ start: edge.at, end: null });
    else if (before >= needed && active < needed) intervals.at(-1)!.end = edge.at;
  }
  return intervals;
}

// The most nodes over the threshold at one moment between `from` and `to` (the same sweep, clipped to the window).
function maxConcurrent(perNode: ReadonlyArray<readonly Period[]>, from: number, to: number): number {
  const clipped = perNode.map((periods) => periods.filter((period) => period.start <= to && (period.end ?? Infinity) >= from).map((period) => ({ start: Math.max(period.start, from), end: period.end })));
  const edges = clipped.flatMap((periods) => periods.flatMap((period) => [{ at: period.start, step: 1 }, ...(period.end === null ? [] : [{ at: period.end, step: -1 }])]));
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let active = 0;
  let most = 0;
  for (const edge of edges) {
    active += edge.step;
    most = Math.max(most, active);
  }
  return most;
}

export function neededNodes(total: number, sharePercent: number): number {
  return Math.max(1, Math.ceil((total * sharePercent) / 100 - 1e-9));
}

// Node scope: each node whose gap reached the threshold within the window; cluster scope: each cluster where
// enough nodes were over it at the same moment (as the preview replays it). A gap is never measured while
// Leasetrail is blind on the cluster.
export function heartbeatGapConditions(facts: readonly HeartbeatFacts[], params: HeartbeatGapParams, now: number): Condition[] {
  const thresholdMs = params.gapSeconds * 1_000;
  const from = now - params.windowSeconds * 1_000;
  const isInWindow = (period: Period) => period.start <= now && (period.end ?? Infinity) >= from;
  if (params.scope === 'node') {
    return facts.map((fact) => {
      const seenUntil = fact.blindSince ?? now;
      const openMs = fact.lastRenewAt === null ? 0 : Math.max(0, seenUntil - fact.lastRenewAt);
      const gapMs = Math.max(openMs, ...fact.gaps.map((gap) => gap.gapMs));
      const summary = `heartbeat gap ${formatMs(gapMs)} (threshold ${formatMs(thresholdMs)})${fact.blindSince === null ? '' : '; Leasetrail cannot see the cluster, so the gap is not measured further'}`;
      const active = heartbeatGapPeriods(fact, thresholdMs).filter(isInWindow);
      if (active.length > 0) return activeCondition(fact.subject, Math.round(gapMs / 1_000), summary, Math.min(...active.map((period) => period.start)));
      return inactive(fact.subject, Math.round(gapMs / 1_000), summary, { changesAt: fact.lastRenewAt === null || fact.blindSince !== null ? null : fact.lastRenewAt + thresholdMs });
    });
  }
  const byCluster = new Map<string, HeartbeatFacts[]>();
  for (const fact of facts) byCluster.set(fact.subject.cluster, [...(byCluster.get(fact.subject.cluster) ?? []), fact]);
  return [...byCluster].map(([cluster, nodes]) => {
    const subject: Subject = { cluster, namespace: null, name: null };
    const perNode = nodes.map((fact) => heartbeatGapPeriods(fact, thresholdMs));
    const over = maxConcurrent(perNode, from, now);
    const percent = Math.round((over / nodes.length) * 1_000) / 10;
    const summary = `${over} of ${nodes.length} nodes with a heartbeat gap of ${formatMs(thresholdMs)} or more at once within ${formatMs(params.windowSeconds * 1_000)} (${percent} %, threshold ${params.clusterSharePercent} %)`;
    const needed = neededNodes(nodes.length, params.clusterSharePercent);
    if (over >= needed) return activeCondition(subject, percent, summary, clusterShareIntervals(perNode, needed).find(isInWindow)?.start ?? null);
    const blind = nodes.some((fact) => fact.blindSince !== null);
    const nextAt = blind ? null : Math.min(...nodes.flatMap((fact) => (fact.lastRenewAt === null ? [] : [fact.lastRenewAt + thresholdMs])).filter((at) => at > now));
    return inactive(subject, percent, summary, { changesAt: nextAt === null || !Number.isFinite(nextAt) ? null : nextAt });
  });
}
