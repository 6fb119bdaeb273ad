import { type Sql, sql, raw } from './sql';
import { ENTRY_MAX_COUNT } from './renew-histogram';

// The node heartbeat rollups (issue 19: the Nodes view stays cheap at 5,000 nodes per cluster):
// - NodeHeartbeatMinute: per cluster and minute, every node heartbeat lease's RenewRollup row merged
//   (histogram entries summed, worst interval, sample count, `nodes` = rows merged);
// - NodeHeartbeatHour: per node heartbeat lease and UTC hour, its RenewRollup rows merged (and the
//   hour's worst renewal, the rollup's order: interval descending, nulls last, then earliest);
// - NodeHeartbeatTenMinute: the same per 10-minute block (date_bin from the epoch, so UTC), for the part
//   of a window that is not whole hours.
// All three are kept by the statement that writes RenewRollup (lib/store/rollups.ts): `written` is that
// INSERT's RETURNING of each row it inserted or changed, with the row it replaced (PostgreSQL 18's
// RETURNING old/new), so the difference is applied — a late sample restating a minute reaches them all.
// All three are partitioned by month of `bucket` like RenewRollup (lib/store/partitions.ts).
// A minute's worst interval never falls (a restated minute only gains samples), so the worst of the
// merged rows is the worst of the old merge and the written rows.

export const writtenColumns = sql`new."leaseId", new.bucket, new."sampleCount", new."intervalMaxMs", new."worstRenewTime", new."intervalHist",
      old."sampleCount" AS "oldSampleCount", old."intervalHist" AS "oldIntervalHist", old."leaseId" IS NULL AS "isNew"`;

const maxCount = raw(String(ENTRY_MAX_COUNT));

// Entries of the merged row per key: the stored row's, plus the written rows', minus the rows they replaced; packed again.
function packedDelta(name: string, keyColumns: string[], rows: string, table: string): Sql {
  const keys = keyColumns.join(', ');
  const ofGroup = keyColumns.map((key) => `g.${key}`).join(', ');
  const joinOn = keyColumns.map((key) => `t.${key} = g.${key}`).join(' AND ');
  return raw(`${name}_e AS (
      SELECT ${keys}, k, sum(n)::int AS n FROM (
        SELECT ${keys}, e >> 16 AS k, (e & 65535) AS n FROM ${rows} CROSS JOIN unnest(${rows}."intervalHist") AS e
        UNION ALL SELECT ${keys}, e >> 16, -(e & 65535) FROM ${rows} CROSS JOIN unnest(${rows}."oldIntervalHist") AS e
        UNION ALL SELECT ${ofGroup}, e >> 16, e & 65535 FROM (SELECT DISTINCT ${keys} FROM ${rows}) g JOIN ${table} t ON ${joinOn} CROSS JOIN unnest(t."intervalHist") AS e
      ) x GROUP BY ${keys}, k HAVING sum(n) > 0
    ), ${name}_p AS (
      SELECT ${keys}, array_agg(((k << 16) | least(${maxCount.text}, n - part * ${maxCount.text}))::int ORDER BY k, part) AS hist
        FROM ${name}_e CROSS JOIN LATERAL generate_series(0, (n - 1) / ${maxCount.text}) AS part GROUP BY ${keys}
    )`);
}

// The 10-minute block of a minute: date_bin from the epoch, so blocks are UTC whatever the session's zone.
export const tenMinuteBlockOf = (column: string) => raw(`date_bin('10 minutes', ${column}, TIMESTAMPTZ '1970-01-01 00:00:00+00')`);

// A per-node tier (hour, 10-minute block): the written rows' `key` column names the row they merge into.
function perNodeTier(key: 'hour' | 'block', table: 'NodeHeartbeatHour' | 'NodeHeartbeatTenMinute'): Sql {
  const t = `"${table}"`;
  return sql`${packedDelta(key, ['"leaseId"', key], 'nw', `(SELECT "leaseId", bucket AS ${key}, "intervalHist" FROM ${t})`)},
    ${raw(`${key}_g AS (
      SELECT "leaseId", ${key}, sum("sampleCount" - coalesce("oldSampleCount", 0))::int AS samples FROM nw GROUP BY 1, 2
    ), ${key}_w AS (
      SELECT DISTINCT ON ("leaseId", ${key}) "leaseId", ${key}, "worstRenewTime", "intervalMaxMs" FROM (
        SELECT "leaseId", ${key}, "worstRenewTime", "intervalMaxMs" FROM nw
        UNION ALL
        SELECT h."leaseId", h.bucket, h."worstRenewTime", h."intervalMaxMs" FROM ${t} h JOIN ${key}_g g ON g."leaseId" = h."leaseId" AND g.${key} = h.bucket
      ) x ORDER BY "leaseId", ${key}, "intervalMaxMs" DESC NULLS LAST, "worstRenewTime"
    ), ${key}_rows AS (
      INSERT INTO ${t} AS t ("leaseId", bucket, "worstRenewTime", "sampleCount", "intervalMaxMs", "intervalHist")
      SELECT g."leaseId", g.${key}, w."worstRenewTime", coalesce(h."sampleCount", 0) + g.samples, w."intervalMaxMs", coalesce(p.hist, '{}')
        FROM ${key}_g g
        JOIN ${key}_w w ON w."leaseId" = g."leaseId" AND w.${key} = g.${key}
        LEFT JOIN ${t} h ON h."leaseId" = g."leaseId" AND h.bucket = g.${key}
        LEFT JOIN ${key}_p p ON p."leaseId" = g."leaseId" AND p.${key} = g.${key}
      ON CONFLICT ("leaseId", bucket) DO UPDATE SET
        "worstRenewTime" = EXCLUDED."worstRenewTime", "sampleCount" = EXCLUDED."sampleCount", "intervalMaxMs" = EXCLUDED."intervalMaxMs", "intervalHist" = EXCLUDED."intervalHist"
      RETURNING 1
    )`)}`;
}

// CTEs to append after `written` (RenewRollup's INSERT … RETURNING ${writtenColumns}).
export const nodeHeartbeatUpserts = sql`
    nw AS (
      SELECT w.*, l."clusterId", date_trunc('hour', w.bucket, 'UTC') AS hour, ${tenMinuteBlockOf('w.bucket')} AS block
        FROM written w JOIN "Lease" l ON l.id = w."leaseId" WHERE l.kind = 'node_heartbeat'
    ),
    ${packedDelta('minute', ['"clusterId"', 'bucket'], 'nw', '"NodeHeartbeatMinute"')},
    minute_g AS (
      SELECT "clusterId", bucket, count(*) FILTER (WHERE "isNew")::int AS added, sum("sampleCount" - coalesce("oldSampleCount", 0))::int AS samples, max("intervalMaxMs") AS worst
        FROM nw GROUP BY 1, 2
    ), minutes AS (
      INSERT INTO "NodeHeartbeatMinute" AS t ("clusterId", bucket, nodes, "sampleCount", "intervalMaxMs", "intervalHist")
      SELECT g."clusterId", g.bucket, coalesce(m.nodes, 0) + g.added, coalesce(m."sampleCount", 0) + g.samples, greatest(m."intervalMaxMs", g.worst), coalesce(p.hist, '{}')
        FROM minute_g g
        LEFT JOIN "NodeHeartbeatMinute" m ON m."clusterId" = g."clusterId" AND m.bucket = g.bucket
        LEFT JOIN minute_p p ON p."clusterId" = g."clusterId" AND p.bucket = g.bucket
      ON CONFLICT ("clusterId", bucket) DO UPDATE SET
        nodes = EXCLUDED.nodes, "sampleCount" = EXCLUDED."sampleCount", "intervalMaxMs" = EXCLUDED."intervalMaxMs", "intervalHist" = EXCLUDED."intervalHist"
      RETURNING 1
    ),
    ${perNodeTier('hour', 'NodeHeartbeatHour')},
    ${perNodeTier('block', 'NodeHeartbeatTenMinute')}`;

// The three tables computed afresh from RenewRollup (what the migration that created them did to the rows already
// there; the benchmark seeds RenewRollup directly and calls this). One pass over the rows, no per-key lookups.
export const rebuildNodeHeartbeatRollupsSql = [
  `DELETE FROM "NodeHeartbeatMinute"`,
  `DELETE FROM "NodeHeartbeatHour"`,
  `DELETE FROM "NodeHeartbeatTenMinute"`,
  `INSERT INTO "NodeHeartbeatMinute" ("clusterId", bucket, nodes, "sampleCount", "intervalMaxMs", "intervalHist")
   WITH n AS (SELECT r.*, l."clusterId" FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'),
   g AS (SELECT "clusterId", bucket, count(*)::int AS nodes, sum("sampleCount")::int AS samples, max("intervalMaxMs") AS worst FROM n GROUP BY 1, 2),
   e AS (SELECT "clusterId", bucket, e >> 16 AS k, sum(e & 65535)::int AS n FROM n CROSS JOIN unnest(n."intervalHist") AS e GROUP BY 1, 2, 3),
   p AS (SELECT "clusterId", bucket, array_agg(((k << 16) | least(${ENTRY_MAX_COUNT}, n - part * ${ENTRY_MAX_COUNT}))::int ORDER BY k, part) AS hist
           FROM e CROSS JOIN LATERAL generate_series(0, (n - 1) / ${ENTRY_MAX_COUNT}) AS part GROUP BY 1, 2)
   SELECT g."clusterId", g.bucket, g.nodes, g.samples, g.worst, coalesce(p.hist, '{}')
     FROM g LEFT JOIN p ON p."clusterId" = g."clusterId" AND p.bucket = g.bucket`,
  ...(['hour', 'block'] as const).map((key) => {
    const table = key === 'hour' ? 'NodeHeartbeatHour' : 'NodeHeartbeatTenMinute';
    const of = key === 'hour' ? `date_trunc('hour', r.bucket, 'UTC')` : tenMinuteBlockOf('r.bucket').text;
    return `INSERT INTO "${table}" ("leaseId", bucket, "worstRenewTime", "sampleCount", "intervalMaxMs", "intervalHist")
   WITH n AS (SELECT r.*, ${of} AS ${key} FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'),
   g AS (SELECT "leaseId", ${key}, sum("sampleCount")::int AS samples FROM n GROUP BY 1, 2),
   w AS (SELECT DISTINCT ON ("leaseId", ${key}) "leaseId", ${key}, "worstRenewTime", "intervalMaxMs" FROM n ORDER BY "leaseId", ${key}, "intervalMaxMs" DESC NULLS LAST, "worstRenewTime"),
   e AS (SELECT "leaseId", ${key}, e >> 16 AS k, sum(e & 65535)::int AS n FROM n CROSS JOIN unnest(n."intervalHist") AS e GROUP BY 1, 2, 3),
   p AS (SELECT "leaseId", ${key}, array_agg(((k << 16) | least(${ENTRY_MAX_COUNT}, n - part * ${ENTRY_MAX_COUNT}))::int ORDER BY k, part) AS hist
           FROM e CROSS JOIN LATERAL generate_series(0, (n - 1) / ${ENTRY_MAX_COUNT}) AS part GROUP BY 1, 2)
   SELECT g."leaseId", g.${key}, w."worstRenewTime", g.samples, w."intervalMaxMs", coalesce(p.hist, '{}')
     FROM g JOIN w ON w."leaseId" = g."leaseId" AND w.${key} = g.${key} LEFT JOIN p ON p."leaseId" = g."leaseId" AND p.${key} = g.${key}`;
  }),
];
