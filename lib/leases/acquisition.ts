import { getTenureStart } from './lease-record';
import type { DeriveOptions } from './options';
import type { AcquireCause, LeaseState, Observation } from './types';

export type AcquisitionJudgement = { cause: AcquireCause; leaderlessMs: number | null; overlapMs: number | null };

export const unknownJudgement: AcquisitionJudgement = Object.freeze({ cause: 'unknown', leaderlessMs: null, overlapMs: null });

// Only for a change we saw directly (not blind, nothing missed): `prev.last` is the record just before it.
export function judgeAcquisition(prev: LeaseState, observation: Observation, options: DeriveOptions): AcquisitionJudgement {
  const before = prev.last;
  const start = getTenureStart(observation);
  if (before.holderIdentity === null) {
    if (before.renewTime === null && prev.lastLeader === null) return { cause: 'first', leaderlessMs: null, overlapMs: null };
    const gap = start !== null && before.renewTime !== null ? Math.max(0, start.ms - before.renewTime.ms) : null;
    return { cause: 'release', leaderlessMs: gap, overlapMs: null };
  }
  if (before.renewTime === null || before.leaseDurationSeconds === null || start === null) return unknownJudgement;
  const durationMs = before.leaseDurationSeconds * 1000;
  // This compares two holders' clocks: the old holder's renewTime with the new holder's acquireTime,
  // each corrected when seen writing times in our future (skew would otherwise fake or hide overlap).
  const holderGap = start.ms - getAheadMs(observation, options) - (before.renewTime.ms - getPreviousAheadMs(prev) + durationMs);
  const tolerance = options.earlyTakeoverToleranceMs;
  if (holderGap >= -tolerance) return judgeByGap('expiry', holderGap);
  // Early only if our own clock agrees, which needs the old record's change seen live, not in a relist.
  if (before.source !== 'watch') return unknownJudgement;
  const ourGap = observation.observedAt - (prev.changedAt + durationMs);
  return ourGap < -tolerance ? judgeByGap('early_takeover', holderGap) : judgeByGap('expiry', ourGap);
}

function judgeByGap(cause: AcquireCause, gap: number): AcquisitionJudgement {
  return { cause, leaderlessMs: Math.max(0, gap), overlapMs: gap < 0 ? -gap : null };
}

function getPreviousAheadMs(prev: LeaseState): number {
  const { skew } = prev;
  return skew?.holder === prev.last.holderIdentity && skew.reason === 'future-renew' ? (skew.offsetMs ?? 0) : 0;
}

// Nothing can show a write before it happened, so a renewTime in our future is the holder's clock.
function getAheadMs(observation: Observation, options: DeriveOptions): number {
  if (observation.renewTime === null) return 0;
  const aheadMs = observation.renewTime.ms - observation.observedAt;
  return aheadMs > options.skew.futureMarginMs ? aheadMs : 0;
}
