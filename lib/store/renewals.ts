import type { LeaseKey } from '../leases';
import type { Store } from './client';
import { Prisma } from './generated/prisma/client';
import { getLeaseOrThrow } from './leases';
import type { TimeRange } from './time-range';

// Enough for any chart width; beyond it we send the worst renewal of each time bucket.
export const MAX_RENEWAL_POINTS = 5_000;

export type RenewalPoint = { renewTime: Date; observedAt: Date; intervalMs: number | null; lagMs: number | null };

export type Percentiles = { p50: number | null; p95: number | null; p99: number | null; max: number | null };

export type RenewalStats = { count: number; intervalMs: Percentiles; lagMs: Percentiles };

export type RenewalSeries = {
  samples: RenewalPoint[];
  stats: RenewalStats;
  isDownsampled: boolean;
  bucketMs: number | null;
};

export type ListRenewalsInput = { key: LeaseKey; range: TimeRange };

type StatsRow = { count: number; interval: number[] | null; intervalMax: number | null; lag: number[] | null; lagMax: number | null };

// Interpolated percentiles of whole milliseconds: a tenth of a millisecond is all the precision they carry.
const tenth = (value: number | undefined) => (value === undefined ? null : Math.round(value * 10) / 10);

function percentiles(values: number[] | null, max: number | null): Percentiles {
  return { p50: tenth(values?.[0]), p95: tenth(values?.[1]), p99: tenth(values?.[2]), max };
}

export async function listRenewals(store: Store, input: ListRenewalsInput): Promise<RenewalSeries> {
  const lease = await getLeaseOrThrow(store, input.key);
  const { from, to } = input.range;
  const inRange = Prisma.sql`"leaseId" = ${lease.id} AND "renewTime" >= ${from}::timestamptz AND "renewTime" < ${to}::timestamptz`;

  // One snapshot, so the count that decides on downsampling is the count of the rows we return.
  return store.prisma.$transaction(
    async (tx) => {
      const [row] = await tx.$queryRaw<StatsRow[]>`
        SELECT count(*)::int AS count,
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "intervalMs") AS interval,
               max("intervalMs") AS "intervalMax",
               percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "lagMs") AS lag,
               max("lagMs") AS "lagMax"
          FROM "RenewSample"
         WHERE ${inRange}`;
      const count = row?.count ?? 0;
      const stats = { count, intervalMs: percentiles(row?.interval ?? null, row?.intervalMax ?? null), lagMs: percentiles(row?.lag ?? null, row?.lagMax ?? null) };

      if (count <= MAX_RENEWAL_POINTS) {
        const samples = await tx.renewSample.findMany({
          where: { leaseId: lease.id, renewTime: { gte: from, lt: to } },
          orderBy: { renewTime: 'asc' },
          select: { renewTime: true, observedAt: true, intervalMs: true, lagMs: true },
        });
        return { samples, stats, isDownsampled: false, bucketMs: null };
      }

      const bucketMs = Math.ceil((to.getTime() - from.getTime()) / MAX_RENEWAL_POINTS);
      const samples = await tx.$queryRaw<RenewalPoint[]>`
        SELECT DISTINCT ON (bucket) "renewTime", "observedAt", "intervalMs", "lagMs"
          FROM (SELECT "renewTime", "observedAt", "intervalMs", "lagMs",
                       floor(extract(epoch FROM "renewTime" - ${from}::timestamptz) * 1000 / ${bucketMs}::int) AS bucket
                  FROM "RenewSample"
                 WHERE ${inRange}) AS bucketed
         ORDER BY bucket, "intervalMs" DESC NULLS LAST, "renewTime"`;
      return { samples, stats, isDownsampled: true, bucketMs };
    },
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, timeout: 30_000 },
  );
}
