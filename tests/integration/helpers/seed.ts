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

// A flapping fleet in bulk: `leases` elected leases under operators/flapper-N, each changing leader every
// `everySeconds` for `perLease` changes up to `end`, written by PostgreSQL in one statement per lease.
export async function seedFlappingFleet(store: Store, cluster: Cluster, options: { leases: number; perLease: number; everySeconds: number; end: Date }): Promise<void> {
  for (let index = 0; index < options.leases; index += 1) {
    const lease = await seedLease(store, cluster, { namespace: 'operators', name: `flapper-${index}` });
    await store.pool.query(
      `INSERT INTO "Transition" ("leaseId", "clusterId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder")
       SELECT $1, $2, 'bulk-' || g, 'acquired', 'expiry', at, at, 'pod-' || ((g + 1) % 3), 'pod-' || (g % 3)
         FROM generate_series(1, $4::int) AS g, LATERAL (SELECT $3::timestamptz - g * make_interval(secs => $5::float8) AS at) AS t`,
      [lease.id, cluster.id, options.end, options.perLease, options.everySeconds],
    );
  }
}
