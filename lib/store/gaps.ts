import { getClusterIdOrThrow } from './clusters';
import type { ObservationGap } from './generated/prisma/client';
import { queryRows, type PgStore } from './pg-store';
import { empty, sql } from './sql';
import type { TimeRange } from './time-range';

export type ListGapsInput = { cluster?: string; range: TimeRange; limit: number };

export type GapRecord = Omit<ObservationGap, 'clusterId'> & { cluster: string };

// Every gap that overlaps the range, including one still open (endedAt null): we are blind right now.
export async function listGaps(store: PgStore, input: ListGapsInput): Promise<{ gaps: GapRecord[]; hasMore: boolean }> {
  const clusterId = input.cluster === undefined ? undefined : await getClusterIdOrThrow(store, input.cluster);
  const rows = await queryRows<GapRecord>(
    store.pool,
    sql`
    SELECT g.id, g."startedAt", g."endedAt", g.reason, g.detail, c.name AS cluster
      FROM "ObservationGap" g JOIN "Cluster" c ON c.id = g."clusterId"
     WHERE g."startedAt" < ${input.range.to}::timestamptz AND (g."endedAt" IS NULL OR g."endedAt" > ${input.range.from}::timestamptz)
       ${clusterId === undefined ? empty : sql`AND g."clusterId" = ${clusterId}::int`}
     ORDER BY g."startedAt", g.id
     LIMIT ${input.limit + 1}::int`,
  );
  return { gaps: rows.slice(0, input.limit), hasMore: rows.length > input.limit };
}
