import { buildBurnChart, evaluateSlo, sumLeadershipTime, type BurnPoint, type LeadershipTime, type SloStatus } from '../../slo/budget';
import { readBurnWindows, workbookWindows, type BurnReading } from '../../slo/burn-rate-alerts';
import { isLeaseInSlo } from '../../slo/scope';
import type { Store } from '../../store/client';
import { summarizeLeaseWindows, type LeaseWindowRecord } from '../../store/failovers';
import { listGaps } from '../../store/gaps';
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
// timeline rollups the audit reads (so the SLO and the audit never disagree).
export async function readLeadershipTime(store: Store, scope: SloScope, from: number, to: number): Promise<LeaseWindowRecord[]> {
  const range = { from: new Date(from), to: new Date(to) };
  const { gaps } = await listGaps(store, { range, limit: gapLimit });
  const leases = await summarizeLeaseWindows(store, { range, gaps, until: range.to });
  return leases.filter((lease) => isLeaseInSlo(scope, lease));
}

const toTime = (lease: LeadershipTime): LeadershipTime => ({ ledMs: lease.ledMs, leaderlessMs: lease.leaderlessMs, unknownMs: lease.unknownMs });

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

  const windows = new Map<number, LeadershipTime>();
  for (const seconds of new Set(workbookWindows.flatMap((w) => [w.longSeconds, w.shortSeconds]))) {
    windows.set(seconds, sumLeadershipTime((await readLeadershipTime(store, slo, to - seconds * 1_000, to)).map(toTime)));
  }
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
