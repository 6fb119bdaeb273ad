import { NotFoundError } from '../errors';
import type { LeaseKey } from '../leases';
import type { Store } from './client';
import { getClusterIdOrThrow } from './clusters';
import type { Prisma } from './generated/prisma/client';
import { raw, sql } from './sql';
import { seenAtOf } from './renew-sample-sql';
import type { LeaseKind } from './generated/prisma/enums';

export type LeaseKindFilter = LeaseKind | 'all';

export type ListLeasesInput = {
  cluster?: string;
  namespace?: string;
  kind?: LeaseKindFilter;
  text?: string;
  limit: number;
};

const leaseSelect = {
  id: true,
  namespace: true,
  name: true,
  kind: true,
  uid: true,
  holderIdentity: true,
  leaseDurationSeconds: true,
  acquireTime: true,
  renewTime: true,
  leaseTransitions: true,
  strategy: true,
  preferredHolder: true,
  observedAt: true,
  holderSince: true,
  lastCause: true,
  transitionCount: true,
  missedCount: true,
  skewSuspectedMs: true,
  malformedCount: true,
  deletedAt: true,
  cluster: { select: { name: true } },
} satisfies Prisma.LeaseSelect;

type SelectedLease = Prisma.LeaseGetPayload<{ select: typeof leaseSelect }>;

export type LeaseRecord = Omit<SelectedLease, 'cluster'> & { cluster: string };

const toRecord = ({ cluster, ...lease }: SelectedLease): LeaseRecord => ({ ...lease, cluster: cluster.name });

// The ingest path does not rewrite a lease row for a renewal alone (it stores the renew sample): the
// newest sample, when newer than the row, carries the last renewTime and when the lease last changed.
export async function withLatestRenewal<T extends { id: number; renewTime: Date | null; observedAt: Date }>(store: Store, leases: T[]): Promise<T[]> {
  if (leases.length === 0) return leases;
  const latest = await store.prisma.$queryRaw<Array<{ leaseId: number; renewTime: Date; observedAt: Date }>>(sql`
    SELECT i.id AS "leaseId", s."renewTime", s."seenAt" AS "observedAt"
      FROM unnest(${leases.map((lease) => lease.id)}::int[]) AS i(id)
      CROSS JOIN LATERAL (SELECT "renewTime", ${raw(seenAtOf())} AS "seenAt" FROM "RenewSample" WHERE "leaseId" = i.id ORDER BY "renewTime" DESC LIMIT 1) s`);
  const byId = new Map(latest.map((row) => [row.leaseId, row]));
  return leases.map((lease) => {
    const sample = byId.get(lease.id);
    if (!sample || (lease.renewTime !== null && sample.renewTime <= lease.renewTime)) return lease;
    return { ...lease, renewTime: sample.renewTime, observedAt: sample.observedAt > lease.observedAt ? sample.observedAt : lease.observedAt };
  });
}

// Prisma passes `contains` to ILIKE as is: without escaping, `_` and `%` in a search would match anything.
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

// Node heartbeats outnumber elections by orders of magnitude and are not leadership: only on request.
function kindsFor(kind: LeaseKindFilter | undefined): LeaseKind[] | undefined {
  if (kind === 'all') return undefined;
  if (kind) return [kind];
  return ['election', 'apiserver_identity'];
}

export async function listLeases(store: Store, input: ListLeasesInput): Promise<{ leases: LeaseRecord[]; hasMore: boolean }> {
  const clusterId = input.cluster === undefined ? undefined : await getClusterIdOrThrow(store, input.cluster);
  const kinds = kindsFor(input.kind);
  // Every word must match the lease's name, namespace, holder or cluster: "eu scheduler" finds sim-prod-eu's kube-scheduler.
  const words = (input.text ?? '').split(/\s+/).filter(Boolean).map((word) => ({ contains: escapeLike(word), mode: 'insensitive' as const }));
  const rows = await store.prisma.lease.findMany({
    where: {
      clusterId,
      namespace: input.namespace,
      kind: kinds ? { in: kinds } : undefined,
      AND: words.map((text) => ({ OR: [{ name: text }, { namespace: text }, { holderIdentity: text }, { cluster: { name: text } }] })),
    },
    orderBy: [{ cluster: { name: 'asc' } }, { namespace: 'asc' }, { name: 'asc' }],
    take: input.limit + 1,
    select: leaseSelect,
  });
  return { leases: await withLatestRenewal(store, rows.slice(0, input.limit).map(toRecord)), hasMore: rows.length > input.limit };
}

export async function getLeaseOrThrow(store: Store, key: LeaseKey): Promise<LeaseRecord> {
  const lease = await store.prisma.lease.findFirst({
    where: { namespace: key.namespace, name: key.name, cluster: { name: key.cluster } },
    select: leaseSelect,
  });
  if (lease) return (await withLatestRenewal(store, [toRecord(lease)]))[0]!;
  const isClusterKnown = (await store.prisma.cluster.count({ where: { name: key.cluster } })) > 0;
  const where = isClusterKnown ? `in cluster ${key.cluster}` : `(no cluster named ${key.cluster})`;
  throw new NotFoundError(`lease ${key.namespace}/${key.name} not found ${where}`);
}
