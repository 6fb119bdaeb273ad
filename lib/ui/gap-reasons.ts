// What a person should read for each way Leasetrail can lose sight of a cluster.
export const gapReasonLabels: Record<string, string> = {
  watch_lost: 'watch lost',
  history_expired: 'watch history expired (410), relisted',
  connect_failed: 'could not connect',
  controller_down: 'Leasetrail was not running',
  store_overflow: 'PostgreSQL unreachable too long',
  ownership_lost: 'ownership lost',
};
