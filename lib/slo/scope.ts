import { matchesGlob } from '../alerts/patterns';
import { matchesLabelSelectorText } from '../leases/label-selector';

export type SloSelector = { clusterPattern: string; namespacePattern: string; leasePattern: string; labelSelector: string };

export function isLeaseInSlo(slo: SloSelector, lease: { cluster: string; namespace: string; name: string; labels: Readonly<Record<string, string>> }): boolean {
  return (
    matchesGlob(slo.clusterPattern, lease.cluster) &&
    matchesGlob(slo.namespacePattern, lease.namespace) &&
    matchesGlob(slo.leasePattern, lease.name) &&
    matchesLabelSelectorText(slo.labelSelector, lease.labels)
  );
}
