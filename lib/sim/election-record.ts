import { V1MicroTime, type V1LeaseSpec } from '@kubernetes/client-node';
import { formatMicroTime, formatTime, parseMicroTime } from './micro-time';

/** client-go's resourcelock.LeaderElectionRecord; times are epoch ms with a microsecond fraction. */
export type LeaderElectionRecord = {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: number;
  renewTime?: number;
  leaderTransitions: number;
  strategy?: string;
  preferredHolder?: string;
};

export type ElectionTimings = { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };

export const jitterFactor = 1.2;

/** wait.Jitter: duration + random × maxFactor × duration. */
export function jitterDuration(durationMs: number, maxFactor: number, random: () => number): number {
  const factor = maxFactor <= 0 ? 1 : maxFactor;
  return durationMs + random() * factor * durationMs;
}

/** NewLeaderElector's checks, plus whole seconds: the Lease stores leaseDurationSeconds as an integer > 0. */
export function validateElectionTimings(timings: ElectionTimings): void {
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = timings;
  if (leaseDurationMs <= renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
  if (renewDeadlineMs <= jitterFactor * retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
  if (leaseDurationMs < 1000) throw new Error('leaseDuration must be at least one second: leaseDurationSeconds is a whole number greater than zero');
  if (renewDeadlineMs < 1 || retryPeriodMs < 1) throw new Error('renewDeadline and retryPeriod must be greater than zero');
}

function readTime(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') return parseMicroTime(value);
  return undefined;
}

/** LeaseSpecToLeaderElectionRecord. client-node hands MicroTime back as the raw string, which keeps the microseconds. */
export function recordFromSpec(spec: V1LeaseSpec | undefined): LeaderElectionRecord {
  const record: LeaderElectionRecord = {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
  const acquireTime = readTime(spec?.acquireTime);
  const renewTime = readTime(spec?.renewTime);
  if (acquireTime !== undefined) record.acquireTime = acquireTime;
  if (renewTime !== undefined) record.renewTime = renewTime;
  if (spec?.strategy) record.strategy = spec.strategy;
  if (spec?.preferredHolder) record.preferredHolder = spec.preferredHolder;
  return record;
}

/** A MicroTime that serializes with all six fraction digits (client-node's own pads milliseconds with zeros). */
export class PreciseMicroTime extends V1MicroTime {
  constructor(readonly epochMs: number) {
    super(Math.floor(epochMs));
  }

  override toISOString(): string {
    return formatMicroTime(this.epochMs);
  }
}

/** LeaderElectionRecordToLeaseSpec: holderIdentity is always written, even when empty. */
export function specFromRecord(record: LeaderElectionRecord): V1LeaseSpec {
  const spec: V1LeaseSpec = {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    leaseTransitions: record.leaderTransitions,
  };
  if (record.acquireTime !== undefined) spec.acquireTime = new PreciseMicroTime(record.acquireTime);
  if (record.renewTime !== undefined) spec.renewTime = new PreciseMicroTime(record.renewTime);
  if (record.strategy) spec.strategy = record.strategy;
  if (record.preferredHolder) spec.preferredHolder = record.preferredHolder;
  return spec;
}

/**
 * json.Marshal of the record, which client-go compares to notice a change. Its times are metav1.Time,
 * marshalled to whole seconds: renewals within one second look identical to a candidate.
 */
export function serializeRecord(record: LeaderElectionRecord): string {
  return JSON.stringify({
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: record.acquireTime === undefined ? null : formatTime(record.acquireTime),
    renewTime: record.renewTime === undefined ? null : formatTime(record.renewTime),
    leaderTransitions: record.leaderTransitions,
    strategy: record.strategy ?? '',
    preferredHolder: record.preferredHolder ?? '',
  });
}

/** observedTime + leaseDurationSeconds is still ahead of now (both on the elector's monotonic clock). */
export function isLeaseValid(observedTimeMs: number, leaseDurationSeconds: number, nowMs: number): boolean {
  return observedTimeMs + leaseDurationSeconds * 1000 > nowMs;
}

export type TickerState = { startMs: number; consumedTicks: number };

/** time.Ticker as wait.PollUntilContextTimeout uses it: ticks on a fixed grid, a missed tick fires at once, the rest are dropped. */
export function nextPollDelay(ticker: TickerState, nowMs: number, periodMs: number): number {
  const due = Math.floor((nowMs - ticker.startMs) / periodMs);
  if (due > ticker.consumedTicks) {
    ticker.consumedTicks = due;
    return 0;
  }
  ticker.consumedTicks += 1;
  return ticker.startMs + ticker.consumedTicks * periodMs - nowMs;
}
