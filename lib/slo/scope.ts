import { matchesGlob } from '../alerts/patterns';

export type SloSelector = { clusterPattern: string; namespacePattern: string; leasePattern: string };

export function isLeaseInSlo(slo: SloSelector, lease: { cluster: string; namespace: string; name: string }): boolean {
  return matchesGlob(slo.clusterPattern, lease.cluster) && matchesGlob(slo.namespacePattern, lease.namespace) && matchesGlob(slo.leasePattern, lease.name);
}
