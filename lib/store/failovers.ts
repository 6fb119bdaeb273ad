import { groupBursts, type Burst } from '../audit/bursts';
import type { FailoverCause } from '../audit/causes';
import { summarizeLeaseWindow, type LeaseWindowSummary } from '../audit/lease-window';
import type { TimelineTransition } from '../ui/timeline';
import { listAnnotations, type AnnotationRecord } from './annotations';
import type { Store } from './client';
import { getClusterIdOrThrow } from './clusters';
import { listGaps, type GapRecord } from './gaps';
import type { Prisma } from './generated/prisma/client';
import type { AcquireCause } from './generated/prisma/enums';
import type { TimeRange } from './time-range';

export type ListFailoversInput = { range: TimeRange; cluster?: string; namespace?: string; cause?: FailoverCause; limit: number };

// `missed`: leaseTransitions grew while the holder stayed the same, so changes happened that nobody
// saw; its time is when we noticed, and its cause is unknown by definition.
export type FailoverRecord = {
  id: bigint;
  kind: 'acquired' | 'missed';
  cluster: string;
  namespace: string;
  name: string;
  at: Date;
  observedAt: Date;
  cause: Exclude<AcquireCause, 'first'>;
  fromHolder: string | null;
  toHolder: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  overlapMs: number | null;
  missedCount: number;
  leaseTransitions: number | null;
};

function causeFilter(cause: FailoverCause | undefined): Prisma.TransitionWhereInput {
  if (cause === undefined) return { OR: [{ kind: 'acquired', cause: { not: 'first' } }, { kind: 'missed' }] };
  if (cause === 'unknown') return { OR: [{ kind: 'acquired', cause: 'unknown' }, { kind: 'missed' }] };
  return { kind: 'acquired', cause };
}

// Every change of leader fleet-wide in [from, to), oldest first; a lease's first sighting is no failover.
export async function listFailovers(store: Store, input: ListFailoversInput): Promise<{ failovers: FailoverRecord[]; hasMore: boolean }> {
  const clusterId = input.cluster === undefined ? undefined : await getClusterIdOrThrow(store, input.cluster);
  const rows = await store.prisma.transition.findMany({
    where: {
      AND: [causeFilter(input.cause), { clusterId, at: { gte: input.range.from, lt: input.range.to } }, input.namespace ? { lease: { namespace: input.namespace } } : {}],
    },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    take: input.limit + 1,
    select: {
      id: true,
      kind: true,
      cause: true,
      at: true,
      observedAt: true,
      fromHolder: true,
      toHolder: true,
      isRestart: true,
      leaderlessMs: true,
      overlapMs: true,
      missedCount: true,
      leaseTransitions: true,
      cluster: { select: { name: true } },
      lease: { select: { namespace: true, name: true } },
    },
  });
  const failovers = rows.slice(0, input.limit).map(({ cluster, lease, kind, cause, ...row }) => ({
    ...row,
    kind: kind === 'missed' ? ('missed' as const) : ('acquired' as const),
    cause: cause === null || cause === 'first' ? ('unknown' as const) : cause,
    cluster: cluster.name,
    namespace: lease.namespace,
    name: lease.name,
  }));
  return { failovers, hasMore: rows.length > input.limit };
}

export type LeaseWindowRecord = { cluster: string; namespace: string; name: string } & LeaseWindowSummary;

type LeaseRow = { id: number; clusterName: string; namespace: string; name: string; createdAt: Date };

const toTimelineTransition = (row: { id: bigint; kind: TimelineTransition['kind']; cause: string | null; at: Date; fromHolder: string | null; toHolder: string | null; isRestart: boolean; leaderlessMs: number | null; overlapMs: number | null; missedCount: number }): TimelineTransition => ({
  ...row,
  id: row.id.toString(),
  at: row.at.getTime(),
});

// Who led each elected lease over the window, and for how long nobody did (or we could not tell).
// `until` caps the window at now: the future is neither led nor leaderless.
export async function summarizeLeaseWindows(
  store: Store,
  input: { range: TimeRange; cluster?: string; namespace?: string; gaps: GapRecord[]; until: Date },
): Promise<LeaseWindowRecord[]> {
  const from = input.range.from;
  const to = new Date(Math.max(from.getTime(), Math.min(input.range.to.getTime(), input.until.getTime())));
  const leases: LeaseRow[] = (
    await store.prisma.lease.findMany({
      where: {
        kind: 'election',
        createdAt: { lt: to },
        OR: [{ deletedAt: null }, { deletedAt: { gte: from } }],
        ...(input.namespace ? { namespace: input.namespace } : {}),
        ...(input.cluster ? { cluster: { name: input.cluster } } : {}),
      },
      select: { id: true, namespace: true, name: true, createdAt: true, cluster: { select: { name: true } } },
    })
  ).map(({ cluster, ...lease }) => ({ ...lease, clusterName: cluster.name }));
  if (leases.length === 0) return [];
  const ids = leases.map((lease) => lease.id);
  const transitionSelect = { id: true, leaseId: true, kind: true, cause: true, at: true, fromHolder: true, toHolder: true, isRestart: true, leaderlessMs: true, overlapMs: true, missedCount: true } as const;
  const [inWindow, lastBefore] = await Promise.all([
    store.prisma.transition.findMany({ where: { leaseId: { in: ids }, at: { gte: from, lt: to } }, orderBy: [{ at: 'asc' }, { id: 'asc' }], select: transitionSelect }),
    store.prisma.$queryRaw<Array<{ leaseId: number; kind: TimelineTransition['kind']; toHolder: string | null }>>`
      SELECT l.id AS "leaseId", t.kind::text AS kind, t."toHolder"
        FROM unnest(${ids}::int[]) AS l(id)
        CROSS JOIN LATERAL (
          SELECT kind, "toHolder" FROM "Transition" WHERE "leaseId" = l.id AND at < ${from} ORDER BY at DESC, id DESC LIMIT 1
        ) t`,
  ]);
  const byLease = new Map<number, TimelineTransition[]>();
  for (const { leaseId, ...row } of inWindow) byLease.set(leaseId, [...(byLease.get(leaseId) ?? []), toTimelineTransition(row)]);
  const before = new Map(lastBefore.map((row) => [row.leaseId, row]));
  return leases
    .map((lease) => ({
      cluster: lease.clusterName,
      namespace: lease.namespace,
      name: lease.name,
      ...summarizeLeaseWindow({
        from: from.getTime(),
        to: to.getTime(),
        transitions: byLease.get(lease.id) ?? [],
        lastBefore: before.get(lease.id) ?? null,
        firstSeenAt: lease.createdAt.getTime(),
        gaps: input.gaps
          .filter((gap) => gap.cluster === lease.clusterName)
          .map((gap) => ({ startedAt: gap.startedAt.getTime(), endedAt: gap.endedAt?.getTime() ?? null, reason: gap.reason })),
      }),
    }))
    .sort(
      (a, b) =>
        b.failovers - a.failovers ||
        b.leaderlessMs - a.leaderlessMs ||
        b.unknownMs - a.unknownMs ||
        `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.name}`),
    );
}

export type FailoverAuditInput = ListFailoversInput & { burstGapMs: number; now: Date };

export type FailoverAudit = {
  failovers: FailoverRecord[];
  hasMore: boolean;
  bursts: Burst[];
  gaps: GapRecord[];
  hasMoreGaps: boolean;
  leases: LeaseWindowRecord[];
  annotations: AnnotationRecord[];
  hasMoreAnnotations: boolean;
};

const gapLimit = 1_000;
const annotationLimit = 1_000;

// The whole audit of a window: blind spots, failovers grouped into bursts, per-lease leadership, notes.
// Missed changes join no burst: their time is when we noticed, not when they happened.
export async function getFailoverAudit(store: Store, input: FailoverAuditInput): Promise<FailoverAudit> {
  const [{ failovers, hasMore }, { gaps, hasMore: hasMoreGaps }, { annotations, hasMore: hasMoreAnnotations }] = await Promise.all([
    listFailovers(store, input),
    listGaps(store, { cluster: input.cluster, range: input.range, limit: gapLimit }),
    listAnnotations(store, { range: input.range, cluster: input.cluster, limit: annotationLimit }),
  ]);
  const timed = failovers.filter((failover) => failover.kind === 'acquired');
  const bursts = groupBursts(
    timed.map((failover) => ({ id: failover.id.toString(), at: failover.at.getTime(), cluster: failover.cluster, namespace: failover.namespace, name: failover.name })),
    input.burstGapMs,
  );
  const leases = await summarizeLeaseWindows(store, { range: input.range, cluster: input.cluster, namespace: input.namespace, gaps, until: input.now });
  return { failovers, hasMore, bursts, gaps, hasMoreGaps, leases, annotations, hasMoreAnnotations };
}
