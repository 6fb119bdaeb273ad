import { getHolderHost } from './holder-identity';

// What Leasetrail keeps of a pod: enough to say which process an identity was and where it ran.
export type PodRecord = {
  namespace: string;
  pod: string;
  uid: string;
  nodeName: string | null;
  ownerKind: string | null;
  ownerName: string | null;
  firstSeenAt: number;
  lastSeenAt: number;
};

export type Workload = { kind: string; name: string };

export type ParsedIdentity = { host: string; suffix: string | null };

const replicaSetHash = /^(.+)-[a-z0-9]{5,10}$/;

// client-go identities are `<hostname>_<uuid>`; controller-runtime and others use the bare hostname or
// `<hostname>-<suffix>`. Without an underscore the whole identity stands for the host.
export function parseIdentity(identity: string): ParsedIdentity {
  const host = getHolderHost(identity);
  if (host === null) return { host: identity, suffix: null };
  return { host, suffix: identity.slice(host.length + 1) };
}

// A ReplicaSet `name-<pod-template-hash>` belongs to the Deployment `name`; other owners are the workload.
export function getOwnerWorkload(ownerKind: string | null, ownerName: string | null): Workload | null {
  if (ownerKind === null || ownerName === null) return null;
  if (ownerKind === 'ReplicaSet') {
    const match = replicaSetHash.exec(ownerName);
    if (match) return { kind: 'Deployment', name: match[1]! };
  }
  if (ownerKind === 'Node') return { kind: 'static pod', name: ownerName };
  return { kind: ownerKind, name: ownerName };
}

// The pod behind an identity at a moment: the pod named like the identity's host (a Deployment's pod,
// whose hostname is its name) or, for static control-plane pods whose hostname is the node's, the pod on
// that node whose name ends with `-<node>`, the lease's own component first. Only pods seen around `at`.
export function resolveHolderPod(identity: string, pods: readonly PodRecord[], options: { namespace: string; leaseName: string; at: number; slackMs?: number }): PodRecord | null {
  const { host } = parseIdentity(identity);
  const slack = options.slackMs ?? 5 * 60_000;
  const alive = pods.filter((pod) => pod.namespace === options.namespace && pod.firstSeenAt - slack <= options.at && options.at <= pod.lastSeenAt + slack);
  const byName = alive.filter((pod) => pod.pod === host);
  if (byName.length > 0) return latest(byName);
  const onNode = alive.filter((pod) => pod.nodeName === host && pod.pod.endsWith(`-${host}`));
  const own = onNode.filter((pod) => pod.pod.startsWith(`${options.leaseName}-`));
  return latest(own.length > 0 ? own : onNode.length === 1 ? onNode : []);
}

function latest(pods: PodRecord[]): PodRecord | null {
  return pods.reduce<PodRecord | null>((best, pod) => (best === null || pod.lastSeenAt > best.lastSeenAt ? pod : best), null);
}

// Only what explains a failover is kept: LeaderElection Events, and the Events of pods that held an election
// lease (a Deployment's pod is named like its identity's host; a static pod is `<component>-<node>`).
export function isKeptEvent(event: { involvedKind: string; involvedName: string; reason: string }, holderHosts: ReadonlyMap<string, unknown>): boolean {
  if (event.reason === 'LeaderElection') return true;
  if (event.involvedKind !== 'Pod') return false;
  if (holderHosts.has(event.involvedName)) return true;
  for (const host of holderHosts.keys()) if (event.involvedName.endsWith(`-${host}`)) return true;
  return false;
}
