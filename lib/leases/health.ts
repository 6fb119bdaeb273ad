export type LeaseHealth = 'healthy' | 'near_expiry' | 'leaderless' | 'flapping' | 'stale';

export type LeaseHealthInput = {
  holderIdentity: string | null;
  leaseDurationSeconds: number | null;
  // When we last saw the record change (a renewal or a takeover), on our clock.
  changedAt: number;
  acquisitionsLastHour: number;
  isClusterFresh: boolean;
  now: number;
};

export const flappingThreshold = 3;
export const nearExpiryShare = 0.6;

// What a person needs first: stale data beats everything (we cannot vouch for the rest), then no
// leader, then unstable leadership, then a leader close to losing its lease.
export function classifyLeaseHealth(input: LeaseHealthInput): LeaseHealth {
  if (!input.isClusterFresh) return 'stale';
  const durationMs = (input.leaseDurationSeconds ?? 0) * 1000;
  const silentMs = input.now - input.changedAt;
  if (input.holderIdentity === null || durationMs === 0 || silentMs > durationMs) return 'leaderless';
  if (input.acquisitionsLastHour >= flappingThreshold) return 'flapping';
  if (silentMs > durationMs * nearExpiryShare) return 'near_expiry';
  return 'healthy';
}
