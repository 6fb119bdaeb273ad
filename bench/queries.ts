import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { loggerFor } from '../lib/log';
import { createRandom } from '../lib/sim/random';
import { listAnnotations } from '../lib/store/annotations';
import { closeStore, createStore, type Store } from '../lib/store/client';
import { listClusters } from '../lib/store/clusters';
import { startEmbeddedPostgres } from '../lib/store/embedded-postgres';
import { getFailoverAudit, listFailovers, summarizeLeaseWindows } from '../lib/store/failovers';
import { listGaps } from '../lib/store/gaps';
import { getLeaseOrThrow } from '../lib/store/leases';
import { migrate } from '../lib/store/migrate';
import { maintainPartitions } from '../lib/store/partitions';
import { listRenewals } from '../lib/store/renewals';
import { rollUpRenewals } from '../lib/store/rollups';
import { rollUpTimelines } from '../lib/store/timeline-rollups';
import type { TimeRange } from '../lib/store/time-range';
import { listTransitions } from '../lib/store/transitions';

// ---------------------------------------------------------------------------------------------
// Seed: a fixed fleet, generated inside PostgreSQL from a fixed seed, so every run stores the same rows.
// ---------------------------------------------------------------------------------------------

const SEED = 20_261_124;
const SPAN_DAYS = 7;
const SPAN_MS = SPAN_DAYS * 86_400_000;
const SAMPLES_TOTAL = 10_000_000;
const TRANSITIONS_TOTAL = 1_000_000;
const CLUSTERS = ['prod-eu-1', 'prod-eu-2', 'prod-us-1', 'prod-us-2', 'prod-ap-1', 'staging-1'];
const HOT_NAMES = ['kube-controller-manager', 'kube-scheduler'];
const FLAPPING_NAMES = ['cert-manager-controller', 'ingress-nginx-leader', 'external-dns', 'karpenter-leader-election', 'argocd-application-controller', 'keda-operator', 'velero'];
const FLAPPING_PER_CLUSTER = 5;
const NODES_PER_CLUSTER = 14;
const HOT_FAILOVERS = 21;


type Profile = 'hot' | 'flapping' | 'heartbeat';

type LeasePlan = {
  cluster: string;
  namespace: string;
  name: string;
  kind: 'election' | 'node_heartbeat';
  profile: Profile;
  seed: number;
  holders: string[];
  leaseDurationSeconds: number;
  sample: { phaseUs: number; periodUs: number; jitterUs: number; count: number; skewUs: number };
  transitions: { phaseUs: number; periodUs: number; count: number };
};

export type SeedSummary = {
  seed: number;
  spanDays: number;
  anchor: string;
  clusters: number;
  leases: Record<Profile, number>;
  renewSamples: number;
  transitions: number;
  gaps: number;
  annotations: number;
  seedMs: number;
  vacuumAnalyzeMs: number;
  queried: { hot: string; flapping: string; typical: string[] };
  distribution: string;
};

const podHolder = (name: string, random: () => number, index: number) => {
  const hex = () => Math.floor(random() * 0xffffffff).toString(16).padStart(8, '0');
  return `${name}-${hex().slice(0, 6)}-${index}_${hex()}-${hex().slice(0, 4)}-4${hex().slice(0, 3)}-8${hex().slice(0, 3)}-${hex()}${hex().slice(0, 4)}`;
};

function planFleet(): LeasePlan[] {
  const random = createRandom(SEED).float;
  const plans: LeasePlan[] = [];
  let seed = 1;
  for (const cluster of CLUSTERS) {
    for (const name of HOT_NAMES) {
      const holders = [0, 1, 2].map((i) => podHolder(`${cluster}-cp-${i + 1}`, random, i));
      plans.push({
        cluster,
        namespace: 'kube-system',
        name,
        kind: 'election',
        profile: 'hot',
        seed: seed++,
        holders,
        leaseDurationSeconds: 15,
        sample: { phaseUs: Math.floor(random() * 1_000_000), periodUs: 2_000_000, jitterUs: 150_000, count: SPAN_MS / 2_000, skewUs: 0 },
        transitions: { phaseUs: Math.floor(random() * 60_000_000), periodUs: Math.floor((SPAN_MS * 1000) / (HOT_FAILOVERS + 1)), count: HOT_FAILOVERS + 1 },
      });
    }
    const names = [...FLAPPING_NAMES].sort(() => random() - 0.5).slice(0, FLAPPING_PER_CLUSTER);
    for (const name of names) {
      plans.push({
        cluster,
        namespace: 'operators',
        name,
        kind: 'election',
        profile: 'flapping',
        seed: seed++,
        holders: [0, 1, 2].map((i) => podHolder(name, random, i)),
        leaseDurationSeconds: 15,
        // Counts are filled in below, once the totals of the other leases are known.
        sample: { phaseUs: 0, periodUs: 0, jitterUs: 0, count: 0, skewUs: 0 },
        transitions: { phaseUs: Math.floor(random() * 10_000_000), periodUs: 0, count: 0 },
      });
    }
    for (let node = 1; node <= NODES_PER_CLUSTER; node++) {
      const nodeName = `${cluster}-node-${String(node).padStart(2, '0')}`;
      plans.push({
        cluster,
        namespace: 'kube-node-lease',
        name: nodeName,
        kind: 'node_heartbeat',
        profile: 'heartbeat',
        seed: seed++,
        holders: [nodeName],
        leaseDurationSeconds: 40,
        // One node per cluster has a clock 800 ms ahead: its renewTime is in our future (negative lag).
        sample: { phaseUs: Math.floor(random() * 9_000_000), periodUs: 10_000_000, jitterUs: 400_000, count: SPAN_MS / 10_000, skewUs: node === 7 ? -800_000 : 0 },
        transitions: { phaseUs: Math.floor(random() * 60_000_000), periodUs: 1, count: 1 },
      });
    }
  }
  return plans;
}

// Distributes `total` over `count` parts with weights in [0.4, 1.6), exactly.
function split(total: number, count: number, random: () => number): number[] {
  const weights = Array.from({ length: count }, () => 0.4 + 1.2 * random());
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.floor((total * w) / sum));
  parts[parts.length - 1]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

// u(x, salt) in [0, 1): PostgreSQL's hashint8extended as a per-row PRNG, deterministic for a given version.
const createHelpers = `
CREATE FUNCTION pg_temp.u(x bigint, salt bigint) RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (hashint8extended(x, salt) & 16777215)::float8 / 16777216 $$;
CREATE TEMP TABLE sample_plan (lease_id int, seed bigint, profile text, base_us bigint, period_us bigint, jitter_us bigint, n int, skew_us bigint);
CREATE TEMP TABLE transition_plan (lease_id int, cluster_id int, seed bigint, profile text, base_us bigint, period_us bigint, n int, holders text[]);
`;

// A hot lease misses four renewals in a row now and then (an API server hiccup): about 11 times a day.
const isSkipped = (slot: string) => `(p.profile = 'hot' AND ((${slot}) / 4) % 2 = 0 AND pg_temp.u((${slot}) / 4, p.seed * 16 + 5) < 0.002)`;
const slotTime = (slot: string) => `(p.base_us + (${slot}) * p.period_us + floor(pg_temp.u(${slot}, p.seed * 16 + 1) * p.jitter_us)::bigint)`;

const countSkipped = `SELECT count(*)::int AS n FROM sample_plan p CROSS JOIN LATERAL generate_series(0, p.n - 1) AS i WHERE ${isSkipped('i')}`;

// Samples whose renewTime falls in [$1, $2) µs after the span start, in renewTime order, as the ingest writes them.
const insertSamples = `
INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
SELECT lease_id, $3::timestamptz + t * interval '1 microsecond', interval_ms, round(lag / 1000.0)::int
  FROM (
    SELECT p.lease_id, ${slotTime('i')} AS t,
           CASE WHEN prev < 0 OR (p.profile = 'flapping' AND pg_temp.u(i, p.seed * 16 + 2) < 0.3) THEN NULL
                ELSE round((${slotTime('i')} - ${slotTime('prev')}) / 1000.0)::int END AS interval_ms,
           p.skew_us + 2000 + floor(40000 * pg_temp.u(i, p.seed * 16 + 3) ^ 3)::bigint
             + CASE WHEN pg_temp.u(i, p.seed * 16 + 4) < 0.005 THEN 200000 + floor(1800000 * pg_temp.u(i, p.seed * 16 + 6))::bigint ELSE 0 END AS lag,
           ${isSkipped('i')} AS skipped
      FROM sample_plan p
     CROSS JOIN LATERAL generate_series(greatest(0, ($1::bigint - p.base_us) / p.period_us - 1), least(p.n - 1, ($2::bigint - p.base_us) / p.period_us + 1)) AS i
     CROSS JOIN LATERAL (SELECT CASE WHEN i % 4 = 0 AND i >= 4 AND ${isSkipped('i - 4')} THEN i - 5 ELSE i - 1 END AS prev) AS previous
  ) AS s
 WHERE t >= $1 AND t < $2 AND NOT skipped
 ORDER BY t`;

// Transitions whose time falls in [$1, $2) µs after the span start. A flapping lease mostly changes
// holder after expiry, sometimes by early takeover, release, or with nobody taking over.
const insertTransitions = `
INSERT INTO "Transition" ("leaseId", "clusterId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder", "isRestart", "leaderlessMs", "overlapMs", "leaseTransitions", "missedCount")
SELECT lease_id, cluster_id, 'bench|' || k, kind::"TransitionKind", cause::"AcquireCause",
       $3::timestamptz + t * interval '1 microsecond', $3::timestamptz + (t + 15000 + floor(30000 * r3)::bigint) * interval '1 microsecond',
       CASE WHEN kind = 'acquired' AND cause = 'first' THEN NULL ELSE previous END,
       CASE WHEN kind IN ('expired', 'released') THEN NULL WHEN kind IN ('missed', 'resumed') THEN previous ELSE current END,
       kind = 'acquired' AND cause <> 'first' AND r3 < CASE WHEN profile = 'hot' THEN 0.1 ELSE 0.3 END,
       CASE WHEN kind <> 'acquired' THEN NULL
            WHEN cause = 'expiry' THEN CASE WHEN profile = 'hot' THEN 12000 + floor(5000 * r3) ELSE 1000 + floor(14000 * r3) END
            WHEN cause = 'release' THEN 100 + floor(1900 * r3) END::int,
       CASE WHEN cause = 'early_takeover' THEN 500 + floor(4500 * r3)::int END,
       k, CASE WHEN kind = 'missed' THEN 2 + floor(3 * r3)::int WHEN cause = 'unknown' THEN 1 ELSE 0 END
  FROM (
    SELECT p.lease_id, p.cluster_id, p.profile, k, p.base_us + k * p.period_us + floor(pg_temp.u(k, p.seed * 16 + 9) * p.period_us * 0.8)::bigint AS t,
           p.holders[k % cardinality(p.holders) + 1] AS current, p.holders[(k + 2) % cardinality(p.holders) + 1] AS previous,
           pg_temp.u(k, p.seed * 16 + 12) AS r3,
           CASE WHEN k = 0 OR p.profile = 'hot' THEN 'acquired'
                WHEN r1 < 0.06 THEN 'expired' WHEN r1 < 0.08 THEN 'released' WHEN r1 < 0.085 THEN 'missed' WHEN r1 < 0.09 THEN 'resumed'
                ELSE 'acquired' END AS kind,
           CASE WHEN k = 0 THEN 'first'
                WHEN p.profile = 'hot' THEN CASE WHEN r2 < 0.4 THEN 'release' WHEN r2 < 0.8 THEN 'expiry' ELSE 'early_takeover' END
                WHEN r1 < 0.09 THEN NULL
                WHEN r2 < 0.65 THEN 'expiry' WHEN r2 < 0.85 THEN 'release' WHEN r2 < 0.95 THEN 'early_takeover' ELSE 'unknown' END AS cause
      FROM transition_plan p
     CROSS JOIN LATERAL generate_series(greatest(0, ($1::bigint - p.base_us) / p.period_us - 1), least(p.n - 1, ($2::bigint - p.base_us) / p.period_us + 1)) AS k
     CROSS JOIN LATERAL (SELECT pg_temp.u(k, p.seed * 16 + 10) AS r1, pg_temp.u(k, p.seed * 16 + 11) AS r2) AS r
  ) AS s
 WHERE t >= $1 AND t < $2
 ORDER BY t`;

export type SeededFleet = { summary: SeedSummary; anchor: Date };

export async function seedQueriesDatabase(databaseUrl: string): Promise<SeededFleet> {
  const started = performance.now();
  const anchor = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const spanStart = new Date(anchor.getTime() - SPAN_MS);
  const plans = planFleet();
  const random = createRandom(SEED + 1).float;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(createHelpers);
    const { rows: clusters } = await client.query<{ id: number; name: string }>(
      `INSERT INTO "Cluster" (name, source, state, "updatedAt", "lastSeenAt", "lastEventAt", "connectedAt")
       SELECT name, 'kubeconfig'::"ClusterSource", 'connected'::"ClusterState", $2::timestamptz, $2::timestamptz, $2::timestamptz, $3::timestamptz
         FROM unnest($1::text[]) AS name RETURNING id, name`,
      [CLUSTERS, anchor, spanStart],
    );
    const clusterId = new Map(clusters.map((c) => [c.name, c.id]));

    // Transitions: 1 per node (its first sighting), 22 per hot lease, the rest split over the flapping leases.
    const flapping = plans.filter((p) => p.profile === 'flapping');
    const fixedTransitions = plans.filter((p) => p.profile !== 'flapping').reduce((sum, p) => sum + p.transitions.count, 0);
    split(TRANSITIONS_TOTAL - fixedTransitions, flapping.length, random).forEach((count, i) => {
      flapping[i]!.transitions.count = count;
      flapping[i]!.transitions.periodUs = Math.floor((SPAN_MS * 1000 - flapping[i]!.transitions.phaseUs) / count);
    });

    const { rows: leases } = await client.query<{ id: number; clusterId: number; namespace: string; name: string }>(
      `INSERT INTO "Lease" ("clusterId", namespace, name, kind, "holderIdentity", "leaseDurationSeconds", "leaseTransitions", "observedAt", "holderSince",
                            "lastCause", "transitionCount", "createdAt", "updatedAt", "renewTime", "acquireTime")
       SELECT c, ns, n, k::"LeaseKind", h, d, t, $9::timestamptz, $9::timestamptz - interval '1 hour', 'expiry'::"AcquireCause", t, $10::timestamptz,
              $9::timestamptz, $9::timestamptz, $9::timestamptz - interval '1 hour'
         FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[]) AS l(c, ns, n, k, h, d, t, ord)
        ORDER BY ord RETURNING id, "clusterId", namespace, name`,
      [
        plans.map((p) => clusterId.get(p.cluster)),
        plans.map((p) => p.namespace),
        plans.map((p) => p.name),
        plans.map((p) => p.kind),
        plans.map((p) => p.holders[(p.transitions.count - 1) % p.holders.length]),
        plans.map((p) => p.leaseDurationSeconds),
        plans.map((p) => p.transitions.count - 1),
        plans.map((_, i) => i),
        anchor,
        spanStart,
      ],
    );
    const idByKey = new Map(leases.map((l) => [`${l.clusterId}/${l.namespace}/${l.name}`, l.id]));
    const leaseIds = plans.map((p) => idByKey.get(`${clusterId.get(p.cluster)}/${p.namespace}/${p.name}`)!);

    const insertPlan = (table: 'sample_plan' | 'transition_plan', rows: unknown[][]) =>
      table === 'sample_plan'
        ? client.query(`INSERT INTO sample_plan SELECT * FROM unnest($1::int[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::int[], $8::bigint[])`, rows)
        : client.query(
            `INSERT INTO transition_plan SELECT l, c, s, p, b, q, n, string_to_array(h, ' ') FROM unnest($1::int[], $2::int[], $3::bigint[], $4::text[], $5::bigint[], $6::bigint[], $7::int[], $8::text[]) AS t(l, c, s, p, b, q, n, h)`,
            rows,
          );
    const sampled = plans.filter((p) => p.profile !== 'flapping');
    const columnsOf = (list: LeasePlan[]) => [
      list.map((p) => leaseIds[plans.indexOf(p)]),
      list.map((p) => p.seed),
      list.map((p) => p.profile),
      list.map((p) => p.sample.phaseUs),
      list.map((p) => p.sample.periodUs),
      list.map((p) => p.sample.jitterUs),
      list.map((p) => p.sample.count),
      list.map((p) => p.sample.skewUs),
    ];
    await insertPlan('sample_plan', columnsOf(sampled));
    const skipped = (await client.query<{ n: number }>(countSkipped)).rows[0]!.n;
    const fixedSamples = sampled.reduce((sum, p) => sum + p.sample.count, 0) - skipped;
    split(SAMPLES_TOTAL - fixedSamples, flapping.length, random).forEach((count, i) => {
      const periodUs = Math.floor((SPAN_MS * 1000) / count);
      flapping[i]!.sample = { phaseUs: 0, periodUs, jitterUs: Math.floor(periodUs * 0.8), count, skewUs: 0 };
    });
    await insertPlan('sample_plan', columnsOf(flapping));
    await insertPlan('transition_plan', [
      plans.map((_, i) => leaseIds[i]),
      plans.map((p) => clusterId.get(p.cluster)),
      plans.map((p) => p.seed),
      plans.map((p) => p.profile),
      plans.map((p) => p.transitions.phaseUs),
      plans.map((p) => p.transitions.periodUs),
      plans.map((p) => p.transitions.count),
      plans.map((p) => p.holders.join(' ')),
    ]);

    // The day partitions of the span exist before the rows arrive, as the partition job leaves them live.
    const store = createStore(databaseUrl, { max: 2 });
    try {
      await maintainPartitions(store, { now: anchor, createFrom: spanStart, retention: { rawSamplesMs: SPAN_MS * 2, rollupsMs: SPAN_MS * 2 } });
    } finally {
      await closeStore(store);
    }
    // Rows stored the moment they happened would not be late: the trigger that queues late minutes stays out of the seed.
    await client.query(`ALTER TABLE "RenewSample" DISABLE TRIGGER "RenewSample_queue_late"`);
    // Hour by hour, every lease interleaved: the heap ends up in time order, as a live ingest leaves it.
    for (let hour = 0; hour < SPAN_DAYS * 24; hour++) {
      const range = [hour * 3_600_000_000, (hour + 1) * 3_600_000_000, spanStart];
      await client.query(insertSamples, range);
      await client.query(insertTransitions, range);
    }
    await client.query(`ALTER TABLE "RenewSample" ENABLE TRIGGER "RenewSample_queue_late"`);

    const gaps = CLUSTERS.flatMap((cluster) =>
      Array.from({ length: 3 }, (_, i) => {
        const startedAt = spanStart.getTime() + Math.floor(random() * (SPAN_MS - 3_600_000));
        const reason = (['watch_lost', 'connect_failed', 'controller_down'] as const)[i]!;
        return { clusterId: clusterId.get(cluster)!, startedAt: new Date(startedAt), endedAt: new Date(startedAt + 30_000 + Math.floor(random() * 570_000)), reason };
      }),
    );
    await client.query(
      `INSERT INTO "ObservationGap" ("clusterId", "startedAt", "endedAt", reason) SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::"GapReason"[])`,
      [gaps.map((g) => g.clusterId), gaps.map((g) => g.startedAt), gaps.map((g) => g.endedAt), gaps.map((g) => g.reason)],
    );
    const annotations = Array.from({ length: 30 }, (_, i) => {
      const lease = i % 3 === 2 ? plans[Math.floor(random() * plans.length)]! : undefined;
      return {
        at: new Date(spanStart.getTime() + Math.floor(random() * SPAN_MS)),
        clusterId: i % 3 === 0 ? null : clusterId.get(lease?.cluster ?? CLUSTERS[i % CLUSTERS.length]!)!,
        leaseId: lease ? leaseIds[plans.indexOf(lease)]! : null,
        text: `note ${i}: ${['upgraded control plane', 'etcd defragmentation', 'node pool rotated', 'network partition in zone b'][i % 4]}`,
      };
    });
    await client.query(
      `INSERT INTO "Annotation" (author, text, at, "clusterId", "leaseId") SELECT 'bench', * FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::int[])`,
      [annotations.map((a) => a.text), annotations.map((a) => a.at), annotations.map((a) => a.clusterId), annotations.map((a) => a.leaseId)],
    );
    const seedMs = performance.now() - started;

    const vacuumStarted = performance.now();
    await client.query('VACUUM (ANALYZE)');
    const vacuumAnalyzeMs = performance.now() - vacuumStarted;

    const { rows: counts } = await client.query<{ samples: number; transitions: number }>(
      `SELECT (SELECT count(*) FROM "RenewSample")::int AS samples, (SELECT count(*) FROM "Transition")::int AS transitions`,
    );
    const key = (p: LeasePlan) => `${p.cluster}/${p.namespace}/${p.name}`;
    const flappingByCount = [...flapping].sort((a, b) => a.transitions.count - b.transitions.count);
    const heartbeats = plans.filter((p) => p.profile === 'heartbeat');
    const typical = Array.from({ length: 5 }, () => heartbeats.splice(Math.floor(random() * heartbeats.length), 1)[0]!);
    return {
      anchor,
      summary: {
        seed: SEED,
        spanDays: SPAN_DAYS,
        anchor: anchor.toISOString(),
        clusters: CLUSTERS.length,
        leases: { hot: plans.filter((p) => p.profile === 'hot').length, flapping: flapping.length, heartbeat: plans.filter((p) => p.profile === 'heartbeat').length },
        renewSamples: counts[0]!.samples,
        transitions: counts[0]!.transitions,
        gaps: gaps.length,
        annotations: annotations.length,
        seedMs: Math.round(seedMs),
        vacuumAnalyzeMs: Math.round(vacuumAnalyzeMs),
        queried: { hot: key(plans[0]!), flapping: key(flappingByCount[Math.floor(flappingByCount.length / 2)]!), typical: typical.map(key) },
        distribution:
          `${CLUSTERS.length} clusters over the ${SPAN_DAYS} days before the anchor; per cluster kube-controller-manager and kube-scheduler renewing every 2 s ` +
          `(jitter 0–150 ms, four renewals in a row missed ~11×/day, ${HOT_FAILOVERS} failovers each), ${FLAPPING_PER_CLUSTER} flapping operator leases per cluster ` +
          `(${TRANSITIONS_TOTAL.toLocaleString('en')} transitions in total, split with weights 0.4–1.6: ~2,000–8,000 a day each; kinds 91% acquired ` +
          `(expiry 65%, release 20%, early takeover 10%, unknown 5%), 6% expired, 2% released, 0.5% missed, 0.5% resumed; renew samples at ~14 s ` +
          `mean spacing, 30% with no interval), and ${NODES_PER_CLUSTER} node heartbeats per cluster renewing every 10 s (jitter 0–400 ms, one per cluster 800 ms ` +
          `ahead of our clock); lag 2–42 ms (cubic), 0.5% of samples 0.2–2 s late; rows inserted hour by hour in time order; 3 observation gaps ` +
          `per cluster (30 s–10 min), 30 annotations`,
      },
    };
  } finally {
    await client.end();
  }
}

export type RollupFigure = { backfillMs: number; rowsWritten: number; nextRunMs: number };

// What the controller's rollup job would have written by now: every closed minute of renew samples and
// every closed ten minutes of elected leases' timelines; then one more run, as the job does each minute.
export async function backfillRollups(databaseUrl: string, anchor: Date): Promise<{ renewals: RollupFigure; timelines: RollupFigure }> {
  const store = createStore(databaseUrl);
  try {
    const [renewals, renewalsMs] = await timed(() => rollUpRenewals(store, { now: anchor }));
    const [, renewalsNextMs] = await timed(() => rollUpRenewals(store, { now: new Date(anchor.getTime() + 60_000) }));
    const [timelines, timelinesMs] = await timed(() => rollUpTimelines(store, { now: anchor }));
    const [, timelinesNextMs] = await timed(() => rollUpTimelines(store, { now: new Date(anchor.getTime() + 60_000) }));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query('VACUUM (ANALYZE) "RenewRollup", "TimelineRollup"');
    } finally {
      await client.end();
    }
    return {
      renewals: { backfillMs: Math.round(renewalsMs), rowsWritten: renewals.rowsWritten, nextRunMs: Math.round(renewalsNextMs) },
      timelines: { backfillMs: Math.round(timelinesMs), rowsWritten: timelines.rowsWritten, nextRunMs: Math.round(timelinesNextMs) },
    };
  } finally {
    await closeStore(store);
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

export type Timing = { p50: number; p95: number; max: number; runs: number };

const round1 = (value: number) => Math.round(value * 10) / 10;

function timingOf(values: number[]): Timing {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { p50: round1(at(0.5)), p95: round1(at(0.95)), max: round1(sorted.at(-1)!), runs: sorted.length };
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

const WARMUP = 5;
const ITERATIONS = 60;

type LeaseKey = { cluster: string; namespace: string; name: string };
const parseKey = (key: string): LeaseKey => {
  const [cluster, namespace, name] = key.split('/') as [string, string, string];
  return { cluster, namespace, name };
};

const leaseRequests = ['detail', 'transitions', 'renewals', 'annotations', 'gaps'] as const;
type LeaseRequest = (typeof leaseRequests)[number];

export type LeasePageFigure = {
  leases: string[];
  inRange: { renewSamples: number; transitions: number; downsampled: boolean; percentilesApproximate: boolean };
  requestMs: Record<LeaseRequest, Timing>;
  pageMs: Timing;
};

// What /leases/{cluster}/{namespace}/{name}?range=24h loads: the shell reads the lease, then the client
// fetches transitions (limit 10,000), renewals, annotations and the cluster's gaps at once.
function leasePageRequests(store: Store, key: LeaseKey, range: TimeRange): Record<LeaseRequest, () => Promise<unknown>> {
  return {
    detail: () => getLeaseOrThrow(store, key),
    transitions: () => listTransitions(store, { key, range, limit: 10_000 }),
    renewals: () => listRenewals(store, { key, range }),
    annotations: () => listAnnotations(store, { range, cluster: key.cluster, lease: key, limit: 1_000 }),
    gaps: () => listGaps(store, { cluster: key.cluster, range, limit: 1_000 }),
  };
}

async function measureLeasePage(store: Store, keys: string[], range: TimeRange): Promise<LeasePageFigure> {
  const perRequest = Object.fromEntries(leaseRequests.map((r) => [r, [] as number[]])) as Record<LeaseRequest, number[]>;
  const page: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const requests = leasePageRequests(store, parseKey(keys[i % keys.length]!), range);
    for (const request of leaseRequests) {
      const [, ms] = await timed(requests[request]);
      if (i >= WARMUP) perRequest[request].push(ms);
    }
    const [, pageMs] = await timed(async () => {
      await requests.detail();
      await Promise.all([requests.transitions(), requests.renewals(), requests.annotations(), requests.gaps()]);
    });
    if (i >= WARMUP) page.push(pageMs);
  }
  const first = parseKey(keys[0]!);
  const [renewals, transitions] = await Promise.all([listRenewals(store, { key: first, range }), listTransitions(store, { key: first, range, limit: 10_000 })]);
  return {
    leases: keys,
    inRange: {
      renewSamples: renewals.stats.count,
      transitions: transitions.transitions.length,
      downsampled: renewals.isDownsampled,
      percentilesApproximate: renewals.stats.percentileRelativeError !== null,
    },
    requestMs: Object.fromEntries(leaseRequests.map((r) => [r, timingOf(perRequest[r])])) as Record<LeaseRequest, Timing>,
    pageMs: timingOf(page),
  };
}

const auditRequests = ['clusters', 'failovers', 'gaps', 'annotations', 'leaseWindows'] as const;
type AuditRequest = (typeof auditRequests)[number];

export type AuditFigure = {
  inRange: { failovers: number; hasMore: boolean; bursts: number; leases: number };
  partMs: Record<AuditRequest, Timing>;
  pageMs: Timing;
};

// What /audit?range=24h loads: the shell lists clusters, then the client fetches /api/failovers
// (limit 10,000, burst gap 60 s), which is getFailoverAudit.
async function measureAudit(store: Store, range: TimeRange, now: Date): Promise<AuditFigure> {
  const parts = Object.fromEntries(auditRequests.map((r) => [r, [] as number[]])) as Record<AuditRequest, number[]>;
  const page: number[] = [];
  const input = { range, limit: 10_000, burstGapMs: 60_000, now };
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const gaps = (await listGaps(store, { range, limit: 1_000 })).gaps;
    const calls: Record<AuditRequest, () => Promise<unknown>> = {
      clusters: () => listClusters(store),
      failovers: () => listFailovers(store, input),
      gaps: () => listGaps(store, { range, limit: 1_000 }),
      annotations: () => listAnnotations(store, { range, limit: 1_000 }),
      leaseWindows: () => summarizeLeaseWindows(store, { range, gaps, until: now }),
    };
    for (const part of auditRequests) {
      const [, ms] = await timed(calls[part]);
      if (i >= WARMUP) parts[part].push(ms);
    }
    const [, pageMs] = await timed(async () => {
      await listClusters(store);
      await getFailoverAudit(store, input);
    });
    if (i >= WARMUP) page.push(pageMs);
  }
  const audit = await getFailoverAudit(store, input);
  return {
    inRange: { failovers: audit.failovers.length, hasMore: audit.hasMore, bursts: audit.bursts.length, leases: audit.leases.length },
    partMs: Object.fromEntries(auditRequests.map((r) => [r, timingOf(parts[r])])) as Record<AuditRequest, Timing>,
    pageMs: timingOf(page),
  };
}

// ---------------------------------------------------------------------------------------------
// Storage
// ---------------------------------------------------------------------------------------------

export type RelationSize = { heapBytes: number; indexBytes: Record<string, number>; totalBytes: number };

export type StorageResult = {
  figure: 'storage';
  renewSamples: number;
  renewSample: RelationSize;
  renewRollup: RelationSize & { rows: number };
  timelineRollup: RelationSize & { rows: number };
  bytesPerSample: { heap: number; indexes: number; rollups: number; total: number };
  options: StorageOption[];
  target: 'report; reduce';
  conditions: string;
};

// A partitioned table is the sum of its partitions (pg_partition_tree lists a plain table as its own leaf).
export async function sizeOf(client: pg.Client, table: string): Promise<RelationSize> {
  const { rows } = await client.query<{ heap: string; total: string }>(
    `SELECT coalesce(sum(pg_table_size(relid)), 0)::text AS heap, coalesce(sum(pg_total_relation_size(relid)), 0)::text AS total FROM pg_partition_tree($1::regclass) WHERE isleaf`,
    [`"${table}"`],
  );
  const { rows: indexes } = await client.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, (SELECT coalesce(sum(pg_relation_size(t.relid)), 0) FROM pg_partition_tree(c.oid) t WHERE t.isleaf)::text AS bytes
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
    [`"${table}"`],
  );
  return { heapBytes: Number(rows[0]!.heap), indexBytes: Object.fromEntries(indexes.map((i) => [i.name, Number(i.bytes)])), totalBytes: Number(rows[0]!.total) };
}

const countOf = async (client: pg.Client, table: string) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0]!.n;

export type StorageOption = { option: string; bytesPerSample: { heap: number; indexes: number; total: number }; insertUsPerSample: number | null; isApplied: boolean };

const OPTION_SAMPLES = 1_000_000;

// Layouts of the same million samples, written in the order the ingest wrote them (the heap's own
// order) so indexes grow as they do live. The first is RenewSample as it is; the others are measured
// alternatives (isApplied false), among them the layout before (with observedAt).
const pk = `PRIMARY KEY ("leaseId", "renewTime")`;
const storageOptions: Array<{ option: string; isApplied: boolean; create: string; insert?: string; isInsertTimed?: boolean }> = [
  {
    option: 'as is: (leaseId, renewTime, intervalMs, lagMs), primary key (fillfactor 90) grown by inserts, BRIN on renewTime; one day partition',
    isApplied: true,
    isInsertTimed: true,
    create: `CREATE TABLE storage_options.t (LIKE "RenewSample"); ALTER TABLE storage_options.t ADD ${pk}; CREATE INDEX ON storage_options.t USING brin ("renewTime")`,
  },
  {
    option: 'before: with observedAt (renewTime + lagMs)',
    isApplied: false,
    isInsertTimed: true,
    create: `CREATE TABLE storage_options.t ("leaseId" int NOT NULL, "renewTime" timestamptz(6) NOT NULL, "observedAt" timestamptz(6) NOT NULL, "intervalMs" int, "lagMs" int, ${pk});
             CREATE INDEX ON storage_options.t USING brin ("renewTime")`,
    insert: `INSERT INTO storage_options.t SELECT "leaseId", "renewTime", "renewTime" + coalesce("lagMs", 0) * interval '1 ms', "intervalMs", "lagMs" FROM storage_options.source`,
  },
  {
    option: 'primary key rebuilt once the day is closed (REINDEX, fillfactor 100)',
    isApplied: false,
    create: `CREATE TABLE storage_options.t (LIKE "RenewSample"); ALTER TABLE storage_options.t ADD ${pk}; CREATE INDEX ON storage_options.t USING brin ("renewTime")`,
    insert: `INSERT INTO storage_options.t SELECT * FROM storage_options.source; ALTER INDEX storage_options.t_pkey SET (fillfactor = 100); REINDEX TABLE storage_options.t`,
  },
  {
    option: 'one row per lease and minute, samples as arrays (renew offsets in µs, interval, lag), lossless',
    isApplied: false,
    create: `CREATE TABLE storage_options.t ("leaseId" int NOT NULL, minute timestamptz NOT NULL, "renewUs" int[] NOT NULL,
             "intervalMs" int[] NOT NULL, "lagMs" int[] NOT NULL, PRIMARY KEY ("leaseId", minute))`,
    insert: `INSERT INTO storage_options.t
             SELECT "leaseId", date_trunc('minute', "renewTime", 'UTC') AS minute,
                    array_agg((extract(epoch FROM "renewTime" - date_trunc('minute', "renewTime", 'UTC')) * 1e6)::int ORDER BY "renewTime"),
                    array_agg("intervalMs" ORDER BY "renewTime"), array_agg("lagMs" ORDER BY "renewTime")
               FROM storage_options.source GROUP BY 1, 2 ORDER BY 2, 1`,
  },
];

async function measureStorageOptions(client: pg.Client): Promise<StorageOption[]> {
  // The fullest day partition, in its heap order (the order the rows were written).
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"RenewSample"'::regclass ORDER BY c.reltuples DESC LIMIT 1`,
  );
  await client.query('DROP SCHEMA IF EXISTS storage_options CASCADE; CREATE SCHEMA storage_options');
  try {
    await client.query(`CREATE TABLE storage_options.source AS SELECT * FROM "${rows[0]!.name}" LIMIT ${OPTION_SAMPLES}`);
    const samples = await countOf(client, 'storage_options"."source');
    const results: StorageOption[] = [];
    for (const option of storageOptions) {
      await client.query('DROP TABLE IF EXISTS storage_options.t');
      await client.query(option.create);
      const started = performance.now();
      await client.query(option.insert ?? 'INSERT INTO storage_options.t SELECT * FROM storage_options.source');
      const insertMs = performance.now() - started;
      await client.query('VACUUM (ANALYZE) storage_options.t');
      const size = await sizeOf(client, 'storage_options"."t');
      const indexes = Object.values(size.indexBytes).reduce((a, b) => a + b, 0);
      results.push({
        option: option.option,
        bytesPerSample: { heap: round1(size.heapBytes / samples), indexes: round1(indexes / samples), total: round1(size.totalBytes / samples) },
        insertUsPerSample: option.insert && !option.isInsertTimed ? null : round1((insertMs * 1000) / samples),
        isApplied: option.isApplied,
      });
    }
    return results;
  } finally {
    await client.query('DROP SCHEMA storage_options CASCADE');
  }
}

async function measureStorage(databaseUrl: string): Promise<StorageResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const samples = await countOf(client, 'RenewSample');
    const renewSample = await sizeOf(client, 'RenewSample');
    const renewRollup = { ...(await sizeOf(client, 'RenewRollup')), rows: await countOf(client, 'RenewRollup') };
    const timelineRollup = { ...(await sizeOf(client, 'TimelineRollup')), rows: await countOf(client, 'TimelineRollup') };
    const indexes = Object.values(renewSample.indexBytes).reduce((a, b) => a + b, 0);
    return {
      figure: 'storage',
      renewSamples: samples,
      renewSample,
      renewRollup,
      timelineRollup,
      bytesPerSample: {
        heap: round1(renewSample.heapBytes / samples),
        indexes: round1(indexes / samples),
        rollups: round1(renewRollup.totalBytes / samples),
        total: round1((renewSample.totalBytes + renewRollup.totalBytes) / samples),
      },
      options: await measureStorageOptions(client),
      target: 'report; reduce',
      conditions:
        'RenewSample and RenewRollup (per-lease, per-minute) after the seed, the rollup backfill and VACUUM ANALYZE: pg_table_size (heap with free-space and visibility maps) ' +
        'and pg_relation_size of every index; total = pg_total_relation_size of both over the samples stored; PostgreSQL 18, 8 KiB pages. TimelineRollup ' +
        '(per elected lease and ten minutes) is listed apart: it grows with time and leases, not with samples. Options: the same million samples in each layout, ' +
        'inserted in the order they were stored; insert time is INSERT … SELECT of them, a proxy for the ingest COPY',
    };
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------

export type QueriesResult = {
  figure: 'queries';
  seed: SeedSummary;
  range: { from: string; to: string };
  rollups: { renewals: RollupFigure; timelines: RollupFigure };
  leasePage: { hot: LeasePageFigure; flapping: LeasePageFigure; typical: LeasePageFigure };
  audit: AuditFigure;
  target: { leasePageP95Ms: number; auditP95Ms: number };
  met: boolean;
  conditions: string;
  storage: StorageResult;
};

const target = { leasePageP95Ms: 50, auditP95Ms: 150 };

// Measures the figures on a database seeded by seedQueriesDatabase.
export async function measureQueries(databaseUrl: string, { summary, anchor }: SeededFleet, rollups: QueriesResult['rollups']): Promise<QueriesResult> {
  const store = createStore(databaseUrl);
  try {
    const range = { from: new Date(anchor.getTime() - 86_400_000), to: anchor };
    const leasePage = {
      hot: await measureLeasePage(store, [summary.queried.hot], range),
      flapping: await measureLeasePage(store, [summary.queried.flapping], range),
      typical: await measureLeasePage(store, summary.queried.typical, range),
    };
    const audit = await measureAudit(store, range, anchor);
    const storage = await measureStorage(databaseUrl);
    const met = Object.values(leasePage).every((figure) => figure.pageMs.p95 <= target.leasePageP95Ms) && audit.pageMs.p95 <= target.auditP95Ms;
    return {
      figure: 'queries',
      seed: summary,
      range: { from: range.from.toISOString(), to: range.to.toISOString() },
      rollups,
      leasePage,
      audit,
      target,
      met,
      conditions:
        `store functions called directly (no HTTP, no JSON) with one Store (Prisma 7 + @prisma/adapter-pg, pool of 10) against an embedded PostgreSQL 18 ` +
        `with default settings (shared_buffers 128 MB, random_page_cost 4) on this machine, shared with other jobs; rollups backfilled by the rollup job as ` +
        `of the newest data (the last 2 minutes of samples and 10–20 minutes of transitions are read raw, as live); warm: ${WARMUP} runs discarded, then ` +
        `${ITERATIONS} runs; range = the 24 h before the newest data; per request run alone, page = lease read then the four client requests at once ` +
        `(as the page does); audit page = listClusters then getFailoverAudit (limit 10,000, burst gap 60 s)`,
      storage,
    };
  } finally {
    await closeStore(store);
  }
}

// The `queries` and `storage` figures on one seeded database: 10 M renew samples and 1 M transitions.
export async function benchQueries(): Promise<QueriesResult> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-bench-queries-'));
  try {
    const database = await startEmbeddedPostgres({ dataDir, log: loggerFor('bench-postgres') });
    try {
      await migrate(database.url);
      const seeded = await seedQueriesDatabase(database.url);
      return await measureQueries(database.url, seeded, await backfillRollups(database.url, seeded.anchor));
    } finally {
      await database.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
