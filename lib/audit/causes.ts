// Why leadership moved, as a failover filter: a lease's first sighting is no failover, and a change
// Leasetrail did not see (missed) has an unknown cause by definition.
export const failoverCauses = ['release', 'expiry', 'early_takeover', 'preferred_holder', 'unknown'] as const;

export type FailoverCause = (typeof failoverCauses)[number];

export const failoverCauseLabels: Record<FailoverCause, string> = {
  release: 'after release',
  expiry: 'after expiry',
  early_takeover: 'early takeover',
  preferred_holder: 'preferred-holder handover',
  unknown: 'unknown (not observed)',
};
