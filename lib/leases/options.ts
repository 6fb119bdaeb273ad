import type { LeaseKind } from './types';

export type SkewOptions = {
  futureMarginMs: number;
  steadyThresholdMs: number;
  windowSize: number;
  changeMs: number;
};

export type DeriveOptions = {
  earlyTakeoverToleranceMs: number;
  skewMarginMs: number;
  includeNodeHeartbeats: boolean;
  skew: SkewOptions;
};

// skewMarginMs also covers a candidate's retry jitter (RetryPeriod 2 s × up to 2.2), so a normal
// failover is reported as an expiry takeover, not as "expired without successor" plus a takeover.
export const defaultDeriveOptions: Readonly<DeriveOptions> = Object.freeze({
  earlyTakeoverToleranceMs: 1_000,
  skewMarginMs: 5_000,
  includeNodeHeartbeats: false,
  skew: Object.freeze({ futureMarginMs: 1_000, steadyThresholdMs: 2_000, windowSize: 10, changeMs: 1_000 }),
});

export function isLeaseKindTracked(kind: LeaseKind, options: DeriveOptions): boolean {
  return kind !== 'node_heartbeat' || options.includeNodeHeartbeats;
}
