-- Node heartbeat rollups, continued (issue 19): the tables become range-partitioned by month like
-- RenewRollup (lib/store/partitions.ts creates their partitions ahead and drops them whole at the rollup
-- retention horizon, instead of a row-by-row DELETE), and a third tier joins them:
-- NodeHeartbeatTenMinute, per node heartbeat lease and 10-minute block (UTC), so a Nodes view window
-- that is not on the hour reads at most 10 minute rows per node at its edges, not up to 118.
-- Prisma cannot express partitioning: hand-written, like 20261207040000_partitioned_renew_samples.

ALTER TABLE "NodeHeartbeatMinute" RENAME TO "NodeHeartbeatMinute_unpartitioned";
ALTER TABLE "NodeHeartbeatMinute_unpartitioned" RENAME CONSTRAINT "NodeHeartbeatMinute_pkey" TO "NodeHeartbeatMinute_unpartitioned_pkey";
ALTER TABLE "NodeHeartbeatMinute_unpartitioned" DROP CONSTRAINT "NodeHeartbeatMinute_clusterId_fkey";
ALTER TABLE "NodeHeartbeatHour" RENAME TO "NodeHeartbeatHour_unpartitioned";
ALTER TABLE "NodeHeartbeatHour_unpartitioned" RENAME CONSTRAINT "NodeHeartbeatHour_pkey" TO "NodeHeartbeatHour_unpartitioned_pkey";
ALTER TABLE "NodeHeartbeatHour_unpartitioned" DROP CONSTRAINT "NodeHeartbeatHour_leaseId_fkey";

CREATE TABLE "NodeHeartbeatMinute" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "nodes" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "intervalHist" INTEGER[],

    CONSTRAINT "NodeHeartbeatMinute_pkey" PRIMARY KEY ("clusterId","bucket")
) PARTITION BY RANGE ("bucket");

CREATE TABLE "NodeHeartbeatHour" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "worstRenewTime" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "intervalHist" INTEGER[],

    CONSTRAINT "NodeHeartbeatHour_pkey" PRIMARY KEY ("leaseId","bucket")
) PARTITION BY RANGE ("bucket");

CREATE TABLE "NodeHeartbeatTenMinute" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "worstRenewTime" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "intervalHist" INTEGER[],

    CONSTRAINT "NodeHeartbeatTenMinute_pkey" PRIMARY KEY ("leaseId","bucket")
) PARTITION BY RANGE ("bucket");

ALTER TABLE "NodeHeartbeatMinute" ADD CONSTRAINT "NodeHeartbeatMinute_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NodeHeartbeatHour" ADD CONSTRAINT "NodeHeartbeatHour_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NodeHeartbeatTenMinute" ADD CONSTRAINT "NodeHeartbeatTenMinute_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "NodeHeartbeatMinute_default" PARTITION OF "NodeHeartbeatMinute" DEFAULT;
CREATE TABLE "NodeHeartbeatHour_default" PARTITION OF "NodeHeartbeatHour" DEFAULT;
CREATE TABLE "NodeHeartbeatTenMinute_default" PARTITION OF "NodeHeartbeatTenMinute" DEFAULT;

-- The months RenewRollup has partitions for (its rows are what these tables merge), and the two ahead.
DO $$
DECLARE
  today date := (now() AT TIME ZONE 'UTC')::date;
  first_month date;
  month date;
  tbl text;
BEGIN
  SELECT date_trunc('month', min(bucket) AT TIME ZONE 'UTC')::date INTO first_month FROM "RenewRollup";
  first_month := least(greatest(coalesce(first_month, today), date_trunc('month', today - 800)::date), date_trunc('month', today)::date);
  FOREACH tbl IN ARRAY ARRAY['NodeHeartbeatMinute', 'NodeHeartbeatHour', 'NodeHeartbeatTenMinute'] LOOP
    FOR month IN SELECT d::date FROM generate_series(first_month, date_trunc('month', today)::date + interval '2 months', interval '1 month') AS d LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                     tbl || '_m' || to_char(month, 'YYYYMM'), tbl, month::timestamp AT TIME ZONE 'UTC', (month + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    END LOOP;
  END LOOP;
END
$$;

INSERT INTO "NodeHeartbeatMinute" (bucket, "clusterId", nodes, "sampleCount", "intervalMaxMs", "intervalHist")
SELECT bucket, "clusterId", nodes, "sampleCount", "intervalMaxMs", "intervalHist" FROM "NodeHeartbeatMinute_unpartitioned";
DROP TABLE "NodeHeartbeatMinute_unpartitioned";

INSERT INTO "NodeHeartbeatHour" (bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "intervalHist")
SELECT bucket, "worstRenewTime", "leaseId", "sampleCount", "intervalMaxMs", "intervalHist" FROM "NodeHeartbeatHour_unpartitioned";
DROP TABLE "NodeHeartbeatHour_unpartitioned";

-- The 10-minute tier from the RenewRollup rows already there: the statement rebuildNodeHeartbeatRollupsSql
-- in lib/store/node-heartbeat-rollups.ts runs for it (histogram entries pack (index + 2048) << 16 | count,
-- a count above 65535 split over several entries; blocks are date_bin('10 minutes') from the epoch).
INSERT INTO "NodeHeartbeatTenMinute" ("leaseId", bucket, "worstRenewTime", "sampleCount", "intervalMaxMs", "intervalHist")
   WITH n AS (SELECT r.*, date_bin('10 minutes', r.bucket, TIMESTAMPTZ '1970-01-01 00:00:00+00') AS block FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'),
   g AS (SELECT "leaseId", block, sum("sampleCount")::int AS samples FROM n GROUP BY 1, 2),
   w AS (SELECT DISTINCT ON ("leaseId", block) "leaseId", block, "worstRenewTime", "intervalMaxMs" FROM n ORDER BY "leaseId", block, "intervalMaxMs" DESC NULLS LAST, "worstRenewTime"),
   e AS (SELECT "leaseId", block, e >> 16 AS k, sum(e & 65535)::int AS n FROM n CROSS JOIN unnest(n."intervalHist") AS e GROUP BY 1, 2, 3),
   p AS (SELECT "leaseId", block, array_agg(((k << 16) | least(65535, n - part * 65535))::int ORDER BY k, part) AS hist
           FROM e CROSS JOIN LATERAL generate_series(0, (n - 1) / 65535) AS part GROUP BY 1, 2)
   SELECT g."leaseId", g.block, w."worstRenewTime", g.samples, w."intervalMaxMs", coalesce(p.hist, '{}')
     FROM g JOIN w ON w."leaseId" = g."leaseId" AND w.block = g.block LEFT JOIN p ON p."leaseId" = g."leaseId" AND p.block = g.block;
