import type { Store } from '../../../lib/store/client';
import type { Cluster, Lease, ObservationGap, Prisma } from '../../../lib/store/generated/prisma/client';

// Each test file seeds its own rows; these fill in what a test does not care about.

export function seedCluster(store: Store, name: string, fields: Partial<Prisma.ClusterUncheckedCreateInput> = {}): Promise<Cluster> {
  return store.prisma.cluster.create({ data: { name, source: 'kubeconfig', ...fields } });
}

export type LeaseSeed = { namespace: string; name: string } & Partial<Omit<Prisma.LeaseUncheckedCreateInput, 'clusterId' | 'namespace' | 'name'>>;

export function seedLease(store: Store, cluster: Cluster, lease: LeaseSeed): Promise<Lease> {
  return store.prisma.lease.create({ data: { kind: 'election', observedAt: new Date('2026-11-24T00:00:00Z'), ...lease, clusterId: cluster.id } });
}

export type TransitionSeed = { at: Date } & Partial<Omit<Prisma.TransitionUncheckedCreateInput, 'leaseId' | 'clusterId' | 'at'>>;

export async function seedTransitions(store: Store, lease: Lease, transitions: TransitionSeed[]): Promise<void> {
  await store.prisma.transition.createMany({
    data: transitions.map((transition, index) => ({
      kind: 'acquired' as const,
      observedAt: transition.at,
      eventKey: `seed-${index}-${transition.at.toISOString()}`,
      ...transition,
      leaseId: lease.id,
      clusterId: lease.clusterId,
    })),
  });
}

export type RenewSampleSeed = { renewTime: Date; intervalMs?: number | null; lagMs?: number | null };

export async function seedRenewSamples(store: Store, lease: Lease, samples: RenewSampleSeed[]): Promise<void> {
  await store.prisma.renewSample.createMany({
    data: samples.map((sample) => ({
      leaseId: lease.id,
      renewTime: sample.renewTime,
      intervalMs: sample.intervalMs ?? null,
      lagMs: sample.lagMs ?? null,
    })),
  });
}

export type GapSeed = { startedAt: Date; endedAt: Date | null } & Partial<Omit<Prisma.ObservationGapUncheckedCreateInput, 'clusterId' | 'startedAt' | 'endedAt'>>;

export function seedGap(store: Store, cluster: Cluster, gap: GapSeed): Promise<ObservationGap> {
  return store.prisma.observationGap.create({ data: { reason: 'watch_lost', ...gap, clusterId: cluster.id } });
}
