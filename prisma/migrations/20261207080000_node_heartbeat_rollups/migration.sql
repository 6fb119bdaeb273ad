-- Node heartbeat rollups (issue 19, "cheap at 5,000 nodes"): per cluster and minute, and per node and
-- hour, each the merge of the node heartbeat leases' RenewRollup rows. The rollup job keeps them in the
-- statement that writes RenewRollup (lib/store/node-heartbeat-rollups.ts); this fills them from the rows
-- already there.
CREATE TABLE "NodeHeartbeatMinute" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "clusterId" INTEGER NOT NULL,
    "nodes" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "intervalHist" INTEGER[],

    CONSTRAINT "NodeHeartbeatMinute_pkey" PRIMARY KEY ("clusterId","bucket")
);

CREATE TABLE "NodeHeartbeatHour" (
    "bucket" TIMESTAMPTZ(6) NOT NULL,
    "worstRenewTime" TIMESTAMPTZ(6) NOT NULL,
    "leaseId" INTEGER NOT NULL,
    "sampleCount" INTEGER NOT NULL,
    "intervalMaxMs" INTEGER,
    "intervalHist" INTEGER[],

    CONSTRAINT "NodeHeartbeatHour_pkey" PRIMARY KEY ("leaseId","bucket")
);

ALTER TABLE "NodeHeartbeatMinute" ADD CONSTRAINT "NodeHeartbeatMinute_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NodeHeartbeatHour" ADD CONSTRAINT "NodeHeartbeatHour_leaseId_fkey" FOREIGN KEY ("leaseId") REFERENCES "Lease"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Histogram entries pack (index + 2048) << 16 | count, a count above 65535 split over several entries.
-- The same statements as rebuildNodeHeartbeatRollupsSql in lib/store/node-heartbeat-rollups.ts.
INSERT INTO "NodeHeartbeatMinute" ("clusterId", bucket, nodes, "sampleCount", "intervalMaxMs", "intervalHist")
   WITH n AS (SELECT r.*, l."clusterId" FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'),
   g AS (SELECT "clusterId", bucket, count(*)::int AS nodes, sum("sampleCount")::int AS samples, max("intervalMaxMs") AS worst FROM n GROUP BY 1, 2),
   e AS (SELECT "clusterId", bucket, e >> 16 AS k, sum(e & 65535)::int AS n FROM n CROSS JOIN unnest(n."intervalHist") AS e GROUP BY 1, 2, 3),
   p AS (SELECT "clusterId", bucket, array_agg(((k << 16) | least(65535, n - part * 65535))::int ORDER BY k, part) AS hist
           FROM e CROSS JOIN LATERAL generate_series(0, (n - 1) / 65535) AS part GROUP BY 1, 2)
   SELECT g."clusterId", g.bucket, g.nodes, g.samples, g.worst, coalesce(p.hist, '{}')
     FROM g LEFT JOIN p ON p."clusterId" = g."clusterId" AND p.bucket = g.bucket;

INSERT INTO "NodeHeartbeatHour" ("leaseId", bucket, "worstRenewTime", "sampleCount", "intervalMaxMs", "intervalHist")
   WITH n AS (SELECT r.*, date_trunc('hour', r.bucket, 'UTC') AS hour FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'),
   g AS (SELECT "leaseId", hour, sum("sampleCount")::int AS samples FROM n GROUP BY 1, 2),
   w AS (SELECT DISTINCT ON ("leaseId", hour) "leaseId", hour, "worstRenewTime", "intervalMaxMs" FROM n ORDER BY "leaseId", hour, "intervalMaxMs" DESC NULLS LAST, "worstRenewTime"),
   e AS (SELECT "leaseId", hour, e >> 16 AS k, sum(e & 65535)::int AS n FROM n CROSS JOIN unnest(n."intervalHist") AS e GROUP BY 1, 2, 3),
   p AS (SELECT "leaseId", hour, array_agg(((k << 16) | least(65535, n - part * 65535))::int ORDER BY k, part) AS hist
           FROM e CROSS JOIN LATERAL generate_series(0, (n - 1) / 65535) AS part GROUP BY 1, 2)
   SELECT g."leaseId", g.hour, w."worstRenewTime", g.samples, w."intervalMaxMs", coalesce(p.hist, '{}')
     FROM g JOIN w ON w."leaseId" = g."leaseId" AND w.hour = g.hour LEFT JOIN p ON p."leaseId" = g."leaseId" AND p.hour = g.hour;
