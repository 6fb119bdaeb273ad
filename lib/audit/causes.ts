// Why leadership moved, as a failover filter: a lease's first sighting is no failover, and a change
// Leasetrail did not see (missed) has an unknown cause by definition.
export const failoverCauses = ['release', 'expiry', 'early_takeover', 'unknown'] as const;

export type FailoverCause = (typeof failoverCauses)[number];

export const failoverCauseLabels: Record<FailoverCause, string> = {
  release: 'after release',
  expiry: 'after expiry',
  early_takeover: 'early takeover',
  unknown: 'unknown (not observed)',
};
