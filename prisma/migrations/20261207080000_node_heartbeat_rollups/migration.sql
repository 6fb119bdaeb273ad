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
INSERT INTO "NodeHeartbeatMinute" ("clusterId", bucket, nodes, "sampleCount", "intervalMaxMs", "intervalHist")
SELECT g."clusterId", g.bucket, g.nodes, g.samples, g.worst,
       coalesce((SELECT array_agg(((h.k << 16) | least(65535, h.n - part * 65535))::int ORDER BY h.k, part)
                   FROM (SELECT e >> 16 AS k, sum(e & 65535)::int AS n
                           FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" CROSS JOIN unnest(r."intervalHist") AS e
                          WHERE l."clusterId" = g."clusterId" AND l.kind = 'node_heartbeat' AND r.bucket = g.bucket GROUP BY 1) h
                  CROSS JOIN LATERAL generate_series(0, (h.n - 1) / 65535) AS part), '{}')
  FROM (SELECT l."clusterId", r.bucket, count(*)::int AS nodes, sum(r."sampleCount")::int AS samples, max(r."intervalMaxMs") AS worst
          FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat' GROUP BY 1, 2) g;

INSERT INTO "NodeHeartbeatHour" ("leaseId", bucket, "worstRenewTime", "sampleCount", "intervalMaxMs", "intervalHist")
SELECT g."leaseId", g.bucket, w."worstRenewTime", g.samples, w."intervalMaxMs",
       coalesce((SELECT array_agg(((h.k << 16) | least(65535, h.n - part * 65535))::int ORDER BY h.k, part)
                   FROM (SELECT e >> 16 AS k, sum(e & 65535)::int AS n
                           FROM "RenewRollup" r CROSS JOIN unnest(r."intervalHist") AS e
                          WHERE r."leaseId" = g."leaseId" AND r.bucket >= g.bucket AND r.bucket < g.bucket + interval '1 hour' GROUP BY 1) h
                  CROSS JOIN LATERAL generate_series(0, (h.n - 1) / 65535) AS part), '{}')
  FROM (SELECT r."leaseId", date_trunc('hour', r.bucket, 'UTC') AS bucket, sum(r."sampleCount")::int AS samples
          FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat' GROUP BY 1, 2) g
 CROSS JOIN LATERAL (SELECT r."worstRenewTime", r."intervalMaxMs" FROM "RenewRollup" r
                      WHERE r."leaseId" = g."leaseId" AND r.bucket >= g.bucket AND r.bucket < g.bucket + interval '1 hour'
                      ORDER BY r."intervalMaxMs" DESC NULLS LAST, r."worstRenewTime" LIMIT 1) w;
