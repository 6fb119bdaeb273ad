import type { MicroTime, Observation } from './types';

// The fields client-go compares to decide that the record changed (its observedRawRecord).
export function isSameLeaseRecord(a: Observation, b: Observation): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.leaseTransitions === b.leaseTransitions &&
    a.acquireTime?.iso === b.acquireTime?.iso &&
    a.renewTime?.iso === b.renewTime?.iso
  );
}

// resourceVersion is opaque, so order by what every write advances: leaseTransitions on a takeover,
// acquireTime on a takeover or release, renewTime on a renewal. 0 = cannot tell or same.
export function compareLeaseRecords(a: Observation, b: Observation): number {
  const pairs: [number | null | undefined, number | null | undefined][] = [
    [a.leaseTransitions, b.leaseTransitions],
    [a.acquireTime?.ms, b.acquireTime?.ms],
    [a.renewTime?.ms, b.renewTime?.ms],
  ];
  for (const [x, y] of pairs) {
    if (x !== null && x !== undefined && y !== null && y !== undefined && x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function getTenureStart(observation: Observation): MicroTime | null {
  return observation.acquireTime ?? observation.renewTime;
}

// The record went backwards rather than forwards: fewer leaseTransitions than before, or the same count
// with another holder and an older acquireTime (an etcd restore, a re-created API server). The same
// holder's times going back is its clock being corrected, which is a renewal, not a reset.
export function isRecordReset(before: Observation, after: Observation): boolean {
  const from = before.leaseTransitions;
  const to = after.leaseTransitions;
  if (from !== null && to !== null && to < from) return true;
  const isSameCount = from === to;
  return isSameCount && before.holderIdentity !== after.holderIdentity && before.acquireTime !== null && after.acquireTime !== null && after.acquireTime.ms < before.acquireTime.ms;
}
