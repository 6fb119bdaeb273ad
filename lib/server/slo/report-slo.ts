import { buildBurnChart, evaluateSlo, sumLeadershipTime, type BurnPoint, type LeadershipTime, type SloStatus } from '../../slo/budget';
import { readBurnWindows, windowSecondsOf, workbookWindows, type BurnReading } from '../../slo/burn-rate-alerts';
import type { PgStore } from '../../store/pg-store';
import { summarizeLeaseWindows, type LeaseWindowRecord } from '../../store/failovers';
import { listGaps, type GapRecord } from '../../store/gaps';
import type { SloRecord } from '../../store/slos';

const DAY_MS = 24 * 60 * 60 * 1_000;
export const gapLimit = 10_000;
// The burn chart's resolution: one point per bucket, at most this many per window.
const maxChartPoints = 30;

export type SloScope = Pick<SloRecord, 'clusterPattern' | 'namespacePattern' | 'leasePattern' | 'labelSelector'>;

export type SloLeaseFigure = { cluster: string; namespace: string; name: string } & LeadershipTime & { sli: number | null };

export type SloReport = {
  slo: SloRecord;
  range: { from: Date; to: Date };
  status: SloStatus;
  isGapListTruncated: boolean;
  leases: SloLeaseFigure[];
  chart: BurnPoint[];
  burn: BurnReading[];
};

// Led, leaderless and not-observed time of every elected lease in scope over [from, to), from the
// timeline rollups the audit reads (so the SLO and the audit never disagree). The scope is matched in SQL.
// isGapListTruncated: more observation gaps than gapLimit overlap the range, so some blind time would
// count as observed — never silently: callers say so next to their figures.
export type ScopeTime = { leases: LeaseWindowRecord[]; isGapListTruncated: boolean };

type KnownGaps = { gaps: GapRecord[]; hasMore: boolean };

export async function readLeadershipTime(store: PgStore, scope: SloScope, from: number, to: number, known?: KnownGaps): Promise<ScopeTime> {
  const range = { from: new Date(from), to: new Date(to) };
  const { gaps, hasMore } = known ?? (await listGaps(store, { range, limit: gapLimit }));
  return { leases: await summarizeLeaseWindows(store, { range, gaps, until: range.to, scope }), isGapListTruncated: hasMore };
}

export type BurnWindowTimes = { windows: Map<number, LeadershipTime>; isGapListTruncated: boolean };

// The SLO's own time (summed over its scope) over each burn window ending at `now`: what the SLO page
// shows and what an slo_burn rule judges, so the two never disagree. One read of the gaps serves all windows.
export async function readBurnWindowTimes(store: PgStore, scope: SloScope, now: number): Promise<BurnWindowTimes> {
  const seconds = windowSecondsOf(workbookWindows);
  const longest = Math.max(...seconds) * 1_000;
  const known = await listGaps(store, { range: { from: new Date(now - longest), to: new Date(now) }, limit: gapLimit });
  const windows = new Map<number, LeadershipTime>();
  for (const window of seconds) windows.set(window, sumLeadershipTime((await readLeadershipTime(store, scope, now - window * 1_000, now, known)).leases.map(toTime)));
  return { windows, isGapListTruncated: known.hasMore };
}

function toTime(lease: LeadershipTime): LeadershipTime {
  return { ledMs: lease.ledMs, leaderlessMs: lease.leaderlessMs, unknownMs: lease.unknownMs };
}

export async function reportSlo(store: PgStore, slo: SloRecord, now: Date): Promise<SloReport> {
  const target = slo.targetPercent / 100;
  const to = now.getTime();
  const from = to - slo.windowDays * DAY_MS;
  const { leases, isGapListTruncated } = await readLeadershipTime(store, slo, from, to);
  const status = evaluateSlo(sumLeadershipTime(leases.map(toTime)), target);

  const bucketMs = Math.ceil((to - from) / Math.min(maxChartPoints, slo.windowDays));
  const buckets: Array<LeadershipTime & { end: number }> = [];
  let isAnyTruncated = isGapListTruncated;
  for (let start = from; start < to; start += bucketMs) {
    const end = Math.min(to, start + bucketMs);
    const bucket = await readLeadershipTime(store, slo, start, end);
    isAnyTruncated ||= bucket.isGapListTruncated;
    buckets.push({ end, ...sumLeadershipTime(bucket.leases.map(toTime)) });
  }

  const windows = await readBurnWindowTimes(store, slo, to);
  const burn = readBurnWindows(workbookWindows, target, (seconds) => windows.windows.get(seconds)!);

  return {
    slo,
    range: { from: new Date(from), to: now },
    status,
    isGapListTruncated: isAnyTruncated || windows.isGapListTruncated,
    leases: leases.map((lease) => ({ cluster: lease.cluster, namespace: lease.namespace, name: lease.name, ...toTime(lease), sli: evaluateSlo(toTime(lease), target).sli })),
    chart: buildBurnChart(buckets, target),
    burn,
  };
}

export type SloSummary = { slo: SloRecord; range: { from: Date; to: Date }; status: SloStatus; isGapListTruncated: boolean };

// The list view: the window's figure only, one read per SLO.
export async function summarizeSlo(store: PgStore, slo: SloRecord, now: Date): Promise<SloSummary> {
  const to = now.getTime();
  const from = to - slo.windowDays * DAY_MS;
  const { leases, isGapListTruncated } = await readLeadershipTime(store, slo, from, to);
  return { slo, range: { from: new Date(from), to: now }, status: evaluateSlo(sumLeadershipTime(leases.map(toTime)), slo.targetPercent / 100), isGapListTruncated };
}
