import { renderCsv, type CsvValue } from '../audit/csv';
import type { BurnPoint, SloStatus } from '../slo/budget';
import type { BurnReading } from '../slo/burn-rate-alerts';
import type { SloReport, SloSummary } from '../server/slo/report-slo';
import type { SloRecord } from '../store/slos';

// JSON has no Infinity: an overspent budget with a zero allowance is reported as null plus isMet false.
const finite = (value: number | null) => (value === null || !Number.isFinite(value) ? null : value);

export type SloDto = {
  id: number;
  name: string;
  clusterPattern: string;
  namespacePattern: string;
  leasePattern: string;
  labelSelector: string;
  targetPercent: number;
  windowDays: number;
  createdBy: string;
};

export type SloStatusDto = {
  from: string;
  to: string;
  sliPercent: number | null;
  observedSeconds: number;
  notObservedSeconds: number;
  leaderlessSeconds: number;
  allowedLeaderlessSeconds: number;
  budgetRemainingPercent: number | null;
  isMet: boolean | null;
};

export const toSloDto = (slo: SloRecord): SloDto => ({
  id: slo.id,
  name: slo.name,
  clusterPattern: slo.clusterPattern,
  namespacePattern: slo.namespacePattern,
  leasePattern: slo.leasePattern,
  labelSelector: slo.labelSelector,
  targetPercent: slo.targetPercent,
  windowDays: slo.windowDays,
  createdBy: slo.createdBy,
});

const seconds = (ms: number) => Math.round(ms) / 1_000;
const percent = (share: number | null) => (finite(share) === null ? null : Math.round(share! * 1e6) / 1e4);

export function toSloStatusDto(status: SloStatus, range: { from: Date; to: Date }): SloStatusDto {
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    sliPercent: percent(status.sli),
    observedSeconds: seconds(status.observedMs),
    notObservedSeconds: seconds(status.unknownMs),
    leaderlessSeconds: seconds(status.badMs),
    allowedLeaderlessSeconds: seconds(status.allowedBadMs),
    budgetRemainingPercent: percent(status.budgetRemaining),
    isMet: status.isMet,
  };
}

// warning: set when more observation gaps overlap the window than could be read, so part of the blind
// time is counted as observed — the figures are then not to be trusted, and the answer says so.
export const toSloSummaryDto = (summary: SloSummary) => ({
  slo: toSloDto(summary.slo),
  status: toSloStatusDto(summary.status, summary.range),
  warning: summary.isGapListTruncated ? 'more observation gaps in the window than Leasetrail reads at once: part of the not-observed time is counted as observed' : null,
});

const toBurnPointDto = (point: BurnPoint) => ({ at: new Date(point.at).toISOString(), budgetRemainingPercent: percent(point.budgetRemaining), burnRate: finite(point.burnRate) });

const toBurnReadingDto = (reading: BurnReading) => ({
  longWindowSeconds: reading.longSeconds,
  shortWindowSeconds: reading.shortSeconds,
  factor: reading.factor,
  longRate: finite(reading.longRate),
  shortRate: finite(reading.shortRate),
  shortObservedSeconds: seconds(reading.shortObservedMs),
  isShortJudged: reading.isShortJudged,
  isBurning: reading.isBurning,
});

export function toSloReportDto(report: SloReport) {
  return {
    ...toSloSummaryDto(report),
    leases: report.leases.map((lease) => ({
      cluster: lease.cluster,
      namespace: lease.namespace,
      name: lease.name,
      ledSeconds: seconds(lease.ledMs),
      leaderlessSeconds: seconds(lease.leaderlessMs),
      notObservedSeconds: seconds(lease.unknownMs),
      sliPercent: percent(lease.sli),
    })),
    chart: report.chart.map(toBurnPointDto),
    burn: report.burn.map(toBurnReadingDto),
  };
}

export type SloSummaryDto = ReturnType<typeof toSloSummaryDto>;
export type SloReportDto = ReturnType<typeof toSloReportDto>;

export const sloCsvColumns = [
  'name',
  'clusterPattern',
  'namespacePattern',
  'leasePattern',
  'labelSelector',
  'targetPercent',
  'windowDays',
  'from',
  'to',
  'sliPercent',
  'observedSeconds',
  'notObservedSeconds',
  'leaderlessSeconds',
  'allowedLeaderlessSeconds',
  'budgetRemainingPercent',
  'isMet',
] as const;

export function toSlosCsv(summaries: readonly SloSummaryDto[]): string {
  return renderCsv(
    sloCsvColumns,
    summaries.map(({ slo, status }): Record<(typeof sloCsvColumns)[number], CsvValue> => ({
      name: slo.name,
      clusterPattern: slo.clusterPattern,
      namespacePattern: slo.namespacePattern,
      leasePattern: slo.leasePattern,
      labelSelector: slo.labelSelector,
      targetPercent: slo.targetPercent,
      windowDays: slo.windowDays,
      ...status,
    })),
  );
}
