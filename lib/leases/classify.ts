import type { LeaseKind } from './types';

const nodeLeaseNamespace = 'kube-node-lease';
// Since 1.26 every identity lease carries this key (the value names the component); 1.20–1.25 used
// k8s.io/component=kube-apiserver. The name fallback covers objects whose labels were stripped.
const identityLabel = 'apiserver.kubernetes.io/identity';
const legacyComponentLabel = 'k8s.io/component';
const identityLeaseName = /^apiserver-[0-9a-f]+$/;

export function classifyLease(namespace: string, name: string, labels: Record<string, string>): LeaseKind {
  if (namespace === nodeLeaseNamespace) return 'node_heartbeat';
  if (Object.hasOwn(labels, identityLabel)) return 'apiserver_identity';
  if (labels[legacyComponentLabel] === 'kube-apiserver') return 'apiserver_identity';
  if (namespace === 'kube-system' && identityLeaseName.test(name)) return 'apiserver_identity';
  return 'election';
}
