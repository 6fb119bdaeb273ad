import type pg from 'pg';
import { Counter, Gauge, Registry } from 'prom-client';

// Lease signals computed from PostgreSQL at scrape time, so any web replica answers the same whichever
// controller replica stored the facts. Per-lease series exist for election leases only, capped; node
// heartbeats and API server identities (one per node or server) are counted per cluster instead.
import { defaultMaxLeaseSeries } from './lease-series';

const acquireCauses = ['first', 'release', 'expiry', 'early_takeover', 'preferred_holder', 'unknown'] as const;

type LeaseRow = {
  id: number;
  cluster: string;
  namespace: string;
  name: string;
  holder: string | null;
  missed: number;
  skew_ms: number | null;
  leaderless_since: Date | null;
  observed: boolean;
};
type CauseRow = { cluster: string; namespace: string; name: string; cause: string; count: string };
type HeartbeatRow = { cluster: string; kind: string; total: string; expired: string };
type GapRow = { cluster: string; reason: string; open: string };
type ClusterRow = { cluster: string; state: string };

// Leaderless since: the latest release or expiry of a lease nobody holds; unknown (not reported) while its cluster is not observed.
const leaseQuery = `
  SELECT l.id, c.name AS cluster, l.namespace, l.name, NULLIF(l."holderIdentity", '') AS holder, l."missedCount" AS missed,
         l."skewSuspectedMs" AS skew_ms, c.state = 'connected' AS observed,
         CASE WHEN NULLIF(l."holderIdentity", '') IS NULL THEN (
           SELECT max(t.at) FROM "Transition" t WHERE t."leaseId" = l.id AND t.kind IN ('released', 'expired')
         ) END AS leaderless_since
  FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId"
  WHERE l.kind = 'election' AND l."deletedAt" IS NULL
  ORDER BY c.name, l.namespace, l.name
  LIMIT $1`;

const causeQuery = `
  SELECT c.name AS cluster, l.namespace, l.name, COALESCE(t.cause::text, 'unknown') AS cause, count(*) AS count
  FROM "Transition" t JOIN "Lease" l ON l.id = t."leaseId" JOIN "Cluster" c ON c.id = l."clusterId"
  WHERE t.kind = 'acquired' AND t."leaseId" = ANY($1::int[])
  GROUP BY 1, 2, 3, 4`;

const heartbeatQuery = `
  SELECT c.name AS cluster, l.kind::text AS kind, count(*) AS total,
         count(*) FILTER (WHERE l."renewTime" + make_interval(secs => l."leaseDurationSeconds") < now()) AS expired
  FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId"
  WHERE l.kind <> 'election' AND l."deletedAt" IS NULL
  GROUP BY 1, 2`;

const gapQuery = `
  SELECT c.name AS cluster, g.reason::text AS reason, count(*) AS open
  FROM "ObservationGap" g JOIN "Cluster" c ON c.id = g."clusterId"
  WHERE g."endedAt" IS NULL
  GROUP BY 1, 2`;

const clusterQuery = `SELECT name AS cluster, state::text AS state FROM "Cluster"`;

export async function collectLeaseSignals(pool: pg.Pool, now: Date, maxLeaseSeries = defaultMaxLeaseSeries): Promise<Registry> {
  const registry = new Registry();
  const registers = [registry];
  const leaseLabels = ['cluster', 'namespace', 'lease'];
  const holderInfo = new Gauge({ name: 'leasetrail_lease_holder_info', help: 'Current holder of each election lease (1)', labelNames: [...leaseLabels, 'holder'], registers });
  const leaderless = new Gauge({ name: 'leasetrail_lease_leaderless', help: '1 while an observed lease has no holder', labelNames: leaseLabels, registers });
  const leaderlessSeconds = new Gauge({ name: 'leasetrail_lease_leaderless_seconds', help: 'How long an observed lease has had no holder', labelNames: leaseLabels, registers });
  const transitions = new Counter({ name: 'leasetrail_lease_transitions_total', help: 'Leadership changes stored, by cause (first, release, expiry, early_takeover, preferred_holder, unknown)', labelNames: [...leaseLabels, 'cause'], registers });
  const missed = new Counter({ name: 'leasetrail_lease_missed_transitions_total', help: 'Changes of holder that happened while unobserved (leaseTransitions jumped)', labelNames: leaseLabels, registers });
  const skew = new Gauge({ name: 'leasetrail_lease_skew_suspected_seconds', help: 'Suspected clock skew of the holder, while suspected', labelNames: leaseLabels, registers });
  const fleetLeases = new Gauge({ name: 'leasetrail_fleet_leases', help: 'Leases per cluster and kind, and how many have expired (heartbeats and identities are not broken out per lease)', labelNames: ['cluster', 'kind', 'status'], registers });
  const gaps = new Gauge({ name: 'leasetrail_observation_gaps_open', help: 'Periods Leasetrail is not observing, still open, by cluster and reason', labelNames: ['cluster', 'reason'], registers });
  const clusterState = new Gauge({ name: 'leasetrail_cluster_state', help: 'Stored state of each cluster (1 for the current state)', labelNames: ['cluster', 'state'], registers });
  const dropped = new Gauge({ name: 'leasetrail_metrics_lease_series_capped', help: '1 when election leases beyond the per-lease series cap were left out', registers });

  const leases = await pool.query<LeaseRow>(leaseQuery, [maxLeaseSeries + 1]);
  const shown = leases.rows.slice(0, maxLeaseSeries);
  dropped.set(leases.rows.length > maxLeaseSeries ? 1 : 0);
  for (const row of shown) {
    const labels = { cluster: row.cluster, namespace: row.namespace, lease: row.name };
    if (row.holder) holderInfo.set({ ...labels, holder: row.holder }, 1);
    if (row.observed) {
      leaderless.set(labels, row.holder ? 0 : 1);
      if (!row.holder && row.leaderless_since) leaderlessSeconds.set(labels, Math.max(0, (now.getTime() - row.leaderless_since.getTime()) / 1000));
    }
    missed.inc(labels, row.missed);
    // Every cause exists from the start at 0, so increase() counts the first one of each.
    for (const cause of acquireCauses) transitions.inc({ ...labels, cause }, 0);
    if (row.skew_ms !== null) skew.set(labels, row.skew_ms / 1000);
  }

  const causes = await pool.query<CauseRow>(causeQuery, [shown.map((row) => row.id)]);
  for (const row of causes.rows) transitions.inc({ cluster: row.cluster, namespace: row.namespace, lease: row.name, cause: row.cause }, Number(row.count));

  for (const row of (await pool.query<HeartbeatRow>(heartbeatQuery)).rows) {
    fleetLeases.set({ cluster: row.cluster, kind: row.kind, status: 'total' }, Number(row.total));
    fleetLeases.set({ cluster: row.cluster, kind: row.kind, status: 'expired' }, Number(row.expired));
  }
  for (const row of (await pool.query<GapRow>(gapQuery)).rows) gaps.set({ cluster: row.cluster, reason: row.reason }, Number(row.open));
  for (const row of (await pool.query<ClusterRow>(clusterQuery)).rows) clusterState.set({ cluster: row.cluster, state: row.state }, 1);
  return registry;
}
