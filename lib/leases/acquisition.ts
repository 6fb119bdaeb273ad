import { getTenureStart } from './lease-record';
import type { DeriveOptions } from './options';
import type { AcquireCause, LeaseState, Observation } from './types';

export type AcquisitionJudgement = { cause: AcquireCause; leaderlessMs: number | null; overlapMs: number | null };

export const unknownJudgement: AcquisitionJudgement = Object.freeze({ cause: 'unknown', leaderlessMs: null, overlapMs: null });

// Only for a change we saw directly (not blind, nothing missed): `prev.last` is the record just before it.
// Every holder-written time is bounded by when we saw it: a clock running ahead cannot stretch a gap.
export function judgeAcquisition(prev: LeaseState, observation: Observation, options: DeriveOptions): AcquisitionJudgement {
  const before = prev.last;
  const tenureStart = getTenureStart(observation);
  const start = tenureStart === null ? null : Math.min(tenureStart.ms, observation.observedAt);
  const lastRenew = before.renewTime === null ? null : Math.min(before.renewTime.ms, before.observedAt);
  if (before.holderIdentity === null) {
    if (before.renewTime === null && prev.lastLeader === null) return { cause: 'first', leaderlessMs: null, overlapMs: null };
    const gap = start !== null && lastRenew !== null ? Math.max(0, start - lastRenew) : null;
    return { cause: 'release', leaderlessMs: gap, overlapMs: null };
  }
  if (lastRenew === null || before.leaseDurationSeconds === null || start === null) return unknownJudgement;
  const durationMs = before.leaseDurationSeconds * 1000;
  const holderGap = start - (lastRenew + durationMs);
  // The election controller asked the holder to give way (end of term) and named its successor.
  if (before.preferredHolder !== null && before.preferredHolder === observation.holderIdentity) return judgeByGap('preferred_holder', holderGap);
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
