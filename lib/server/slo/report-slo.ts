import { buildBurnChart, evaluateSlo, sumLeadershipTime, type BurnPoint, type LeadershipTime, type SloStatus } from '../../slo/budget';
import { readBurnWindows, windowSecondsOf, workbookWindows, type BurnReading } from '../../slo/burn-rate-alerts';
import type { Store } from '../../store/client';
import { summarizeLeaseWindows, type LeaseWindowRecord } from '../../store/failovers';
import { listGaps, type GapRecord } from '../../store/gaps';
import type { SloRecord } from '../../store/slos';

const DAY_MS = 24 * 60 * 60 * 1_000;
const gapLimit = 10_000;
// The burn chart's resolution: one point per bucket, at most this many per window.
const maxChartPoints = 30;

export type SloScope = Pick<SloRecord, 'clusterPattern' | 'namespacePattern' | 'leasePattern'>;

export type SloLeaseFigure = { cluster: string; namespace: string; name: string } & LeadershipTime & { sli: number | null };

export type SloReport = {
  slo: SloRecord;
  range: { from: Date; to: Date };
  status: SloStatus;
  leases: SloLeaseFigure[];
  chart: BurnPoint[];
  burn: BurnReading[];
};

// Led, leaderless and not-observed time of every elected lease in scope over [from, to), from the
// timeline rollups the audit reads (so the SLO and the audit never disagree). The scope is matched in SQL.
export async function readLeadershipTime(store: Store, scope: SloScope, from: number, to: number, known?: GapRecord[]): Promise<LeaseWindowRecord[]> {
  const range = { from: new Date(from), to: new Date(to) };
  const gaps = known ?? (await listGaps(store, { range, limit: gapLimit })).gaps;
  return summarizeLeaseWindows(store, { range, gaps, until: range.to, scope });
}

// The SLO's own time (summed over its scope) over each burn window ending at `now`: what the SLO page
// shows and what an slo_burn rule judges, so the two never disagree. One read of the gaps serves all windows.
export async function readBurnWindowTimes(store: Store, scope: SloScope, now: number): Promise<Map<number, LeadershipTime>> {
  const seconds = windowSecondsOf(workbookWindows);
  const longest = Math.max(...seconds) * 1_000;
  const { gaps } = await listGaps(store, { range: { from: new Date(now - longest), to: new Date(now) }, limit: gapLimit });
  const windows = new Map<number, LeadershipTime>();
  for (const window of seconds) windows.set(window, sumLeadershipTime((await readLeadershipTime(store, scope, now - window * 1_000, now, gaps)).map(toTime)));
  return windows;
}

function toTime(lease: LeadershipTime): LeadershipTime {
  return { ledMs: lease.ledMs, leaderlessMs: lease.leaderlessMs, unknownMs: lease.unknownMs };
}

export async function reportSlo(store: Store, slo: SloRecord, now: Date): Promise<SloReport> {
  const target = slo.targetPercent / 100;
  const to = now.getTime();
  const from = to - slo.windowDays * DAY_MS;
  const leases = await readLeadershipTime(store, slo, from, to);
  const status = evaluateSlo(sumLeadershipTime(leases.map(toTime)), target);

  const bucketMs = Math.ceil((to - from) / Math.min(maxChartPoints, slo.windowDays));
  const buckets: Array<LeadershipTime & { end: number }> = [];
  for (let start = from; start < to; start += bucketMs) {
    const end = Math.min(to, start + bucketMs);
    buckets.push({ end, ...sumLeadershipTime((await readLeadershipTime(store, slo, start, end)).map(toTime)) });
  }

  const windows = await readBurnWindowTimes(store, slo, to);
  const burn = readBurnWindows(workbookWindows, target, (seconds) => windows.get(seconds)!);

  return {
    slo,
    range: { from: new Date(from), to: now },
    status,
    leases: leases.map((lease) => ({ cluster: lease.cluster, namespace: lease.namespace, name: lease.name, ...toTime(lease), sli: evaluateSlo(toTime(lease), target).sli })),
    chart: buildBurnChart(buckets, target),
    burn,
  };
}

export type SloSummary = { slo: SloRecord; range: { from: Date; to: Date }; status: SloStatus };

// The list view: the window's figure only, one read per SLO.
export async function summarizeSlo(store: Store, slo: SloRecord, now: Date): Promise<SloSummary> {
  const to = now.getTime();
  const from = to - slo.windowDays * DAY_MS;
  const leases = await readLeadershipTime(store, slo, from, to);
  return { slo, range: { from: new Date(from), to: now }, status: evaluateSlo(sumLeadershipTime(leases.map(toTime)), slo.targetPercent / 100) };
}
