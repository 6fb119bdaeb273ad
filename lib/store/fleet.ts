import { classifyLeaseHealth, type LeaseHealth } from '../leases/health';
import type { Store } from './client';
import { listClusters, type ClusterSummary } from './clusters';
import { raw, sql } from './sql';
import { seenAtOf } from './renew-sample-sql';

export type FleetLease = {
  cluster: string;
  namespace: string;
  name: string;
  holderIdentity: string | null;
  holderSince: Date | null;
  leaseDurationSeconds: number | null;
  changedAt: Date;
  lastCause: string | null;
  acquisitions1h: number;
  acquisitions24h: number;
  renewP95Ms: number | null;
  skewSuspectedMs: number | null;
  health: LeaseHealth;
};

export type FleetFailover = {
  id: string;
  cluster: string;
  namespace: string;
  name: string;
  at: Date;
  fromHolder: string | null;
  toHolder: string | null;
  cause: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  missedCount: number;
};

export type FleetSummary = { clusters: ClusterSummary[]; leases: FleetLease[]; failovers: FleetFailover[]; generatedAt: Date };

// A cluster whose last observation is older than this is shown as stale, whatever its leases say.
export const staleAfterMs = 90_000;

type LeaseRow = Omit<FleetLease, 'health' | 'acquisitions1h' | 'acquisitions24h'> & { acquisitions1h: number; acquisitions24h: number; clusterState: string; lastSeenAt: Date | null };

export async function getFleetSummary(store: Store, now: Date = new Date()): Promise<FleetSummary> {
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const [clusters, leaseRows, failovers] = await Promise.all([
    listClusters(store),
    store.prisma.$queryRaw<LeaseRow[]>(sql`
      SELECT c.name AS cluster, c.state::text AS "clusterState", c."lastSeenAt", l.namespace, l.name, l."holderIdentity", l."holderSince",
             l."leaseDurationSeconds", GREATEST(l."observedAt", latest."observedAt") AS "changedAt", l."lastCause"::text AS "lastCause", l."skewSuspectedMs",
             coalesce(t.h1, 0)::int AS "acquisitions1h", coalesce(t.h24, 0)::int AS "acquisitions24h", r.p95 AS "renewP95Ms"
        FROM "Lease" l
        JOIN "Cluster" c ON c.id = l."clusterId"
        LEFT JOIN LATERAL (
          SELECT count(*) FILTER (WHERE at >= ${hourAgo}) AS h1, count(*) AS h24
            FROM "Transition" WHERE "leaseId" = l.id AND kind = 'acquired' AND cause IS DISTINCT FROM 'first' AND at >= ${dayAgo} AND at < ${now}
        ) t ON true
        -- Renewals alone do not rewrite the lease row: the newest sample says when it last changed.
        LEFT JOIN LATERAL (
          SELECT ${raw(seenAtOf())} AS "observedAt" FROM "RenewSample" WHERE "leaseId" = l.id ORDER BY "renewTime" DESC LIMIT 1
        ) latest ON true
        LEFT JOIN LATERAL (
          SELECT round(percentile_cont(0.95) WITHIN GROUP (ORDER BY "intervalMs"))::int AS p95
            FROM "RenewSample" WHERE "leaseId" = l.id AND "renewTime" >= ${hourAgo} AND "intervalMs" IS NOT NULL
        ) r ON true
       WHERE l.kind = 'election' AND l."deletedAt" IS NULL
       ORDER BY c.name, l.namespace, l.name`),
    store.prisma.$queryRaw<FleetFailover[]>(sql`
      SELECT t.id::text, c.name AS cluster, l.namespace, l.name, t.at, t."fromHolder", t."toHolder", t.cause::text, t."isRestart", t."leaderlessMs", t."missedCount"
        FROM "Transition" t JOIN "Lease" l ON l.id = t."leaseId" JOIN "Cluster" c ON c.id = t."clusterId"
       WHERE t.kind = 'acquired' AND t.cause IS DISTINCT FROM 'first' AND t.at >= ${dayAgo} AND t.at < ${now}
       ORDER BY t.at DESC LIMIT 10`),
  ]);
  const leases = leaseRows.map(({ clusterState, lastSeenAt, ...row }) => ({
    ...row,
    health: classifyLeaseHealth({
      holderIdentity: row.holderIdentity,
      leaseDurationSeconds: row.leaseDurationSeconds,
      changedAt: row.changedAt.getTime(),
      acquisitionsLastHour: row.acquisitions1h,
      isClusterFresh: clusterState === 'connected' && lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() < staleAfterMs,
      now: now.getTime(),
    }),
  }));
  return { clusters, leases, failovers, generatedAt: now };
}
