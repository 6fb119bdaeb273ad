import { NotFoundError, ValidationError } from '../errors';
import type { LeaseKey } from '../leases';
import type { Store } from './client';
import { getClusterIdOrThrow } from './clusters';
import type { Prisma } from './generated/prisma/client';
import { getLeaseOrThrow } from './leases';
import type { TimeRange } from './time-range';

export type AnnotationRecord = {
  id: bigint;
  author: string;
  text: string;
  at: Date;
  endAt: Date | null;
  cluster: string | null;
  namespace: string | null;
  name: string | null;
  transitionId: bigint | null;
  createdAt: Date;
};

export type ListAnnotationsInput = { range: TimeRange; cluster?: string; lease?: LeaseKey; limit: number };

export type CreateAnnotationInput = {
  author: string;
  text: string;
  at: Date;
  endAt?: Date | null;
  cluster?: string | null;
  lease?: LeaseKey | null;
  transitionId?: bigint | null;
};

const annotationSelect = {
  id: true,
  author: true,
  text: true,
  at: true,
  endAt: true,
  transitionId: true,
  createdAt: true,
  cluster: { select: { name: true } },
  lease: { select: { namespace: true, name: true } },
} satisfies Prisma.AnnotationSelect;

type SelectedAnnotation = Prisma.AnnotationGetPayload<{ select: typeof annotationSelect }>;

const toRecord = ({ cluster, lease, ...annotation }: SelectedAnnotation): AnnotationRecord => ({
  ...annotation,
  cluster: cluster?.name ?? null,
  namespace: lease?.namespace ?? null,
  name: lease?.name ?? null,
});

// The notes that concern a view: a lease sees its own, its cluster's and fleet-wide ones; a cluster
// sees its own and fleet-wide ones. A note spanning time (endAt) shows wherever it overlaps the range.
async function scopeOf(store: Store, input: ListAnnotationsInput): Promise<Prisma.AnnotationWhereInput> {
  if (input.lease) {
    const lease = await getLeaseOrThrow(store, input.lease);
    const clusterId = await getClusterIdOrThrow(store, input.lease.cluster);
    return { OR: [{ leaseId: lease.id }, { leaseId: null, OR: [{ clusterId }, { clusterId: null }] }] };
  }
  if (input.cluster !== undefined) {
    const clusterId = await getClusterIdOrThrow(store, input.cluster);
    return { OR: [{ clusterId }, { clusterId: null }] };
  }
  return {};
}

export async function listAnnotations(store: Store, input: ListAnnotationsInput): Promise<{ annotations: AnnotationRecord[]; hasMore: boolean }> {
  const scope = await scopeOf(store, input);
  const rows = await store.prisma.annotation.findMany({
    where: {
      AND: [
        scope,
        { at: { lt: input.range.to } },
        { OR: [{ endAt: { gte: input.range.from } }, { endAt: null, at: { gte: input.range.from } }] },
      ],
    },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
    select: annotationSelect,
  });
  return { annotations: rows.slice(0, input.limit).map(toRecord), hasMore: rows.length > input.limit };
}

const sameLease = (a: LeaseKey, b: LeaseKey) => a.cluster === b.cluster && a.namespace === b.namespace && a.name === b.name;

// A note on a failover is also a note on its lease and cluster, so the lease page finds it.
async function targetOf(store: Store, input: CreateAnnotationInput): Promise<{ clusterId: number | null; leaseId: number | null; transitionId: bigint | null }> {
  if (input.transitionId !== undefined && input.transitionId !== null) {
    const transition = await store.prisma.transition.findUnique({
      where: { id: input.transitionId },
      select: { id: true, leaseId: true, clusterId: true, lease: { select: { namespace: true, name: true, cluster: { select: { name: true } } } } },
    });
    if (!transition) throw new NotFoundError(`transition ${input.transitionId} not found`);
    const owner = { cluster: transition.lease.cluster.name, namespace: transition.lease.namespace, name: transition.lease.name };
    const named = input.lease ?? (input.cluster ? { ...owner, cluster: input.cluster } : null);
    if (named && !sameLease(named, owner)) {
      throw new ValidationError(`invalid transitionId: transition ${transition.id} belongs to ${owner.cluster}/${owner.namespace}/${owner.name}`, [
        { path: 'transitionId', message: `belongs to ${owner.cluster}/${owner.namespace}/${owner.name}` },
      ]);
    }
    return { clusterId: transition.clusterId, leaseId: transition.leaseId, transitionId: transition.id };
  }
  if (input.lease) {
    const lease = await getLeaseOrThrow(store, input.lease);
    return { clusterId: await getClusterIdOrThrow(store, input.lease.cluster), leaseId: lease.id, transitionId: null };
  }
  if (input.cluster) return { clusterId: await getClusterIdOrThrow(store, input.cluster), leaseId: null, transitionId: null };
  return { clusterId: null, leaseId: null, transitionId: null };
}

export async function createAnnotation(store: Store, input: CreateAnnotationInput): Promise<AnnotationRecord> {
  const target = await targetOf(store, input);
  const row = await store.prisma.annotation.create({
    data: { author: input.author, text: input.text, at: input.at, endAt: input.endAt ?? null, ...target },
    select: annotationSelect,
  });
  return toRecord(row);
}
