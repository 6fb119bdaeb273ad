import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { minHeartbeatGapSeconds } from '../../../lib/alerts/params';
import { GAP_INDEX_MIN_MS, heartbeatFactsSql, heartbeatGapHistorySql, loadHeartbeatFacts, loadHeartbeatGapHistory } from '../../../lib/store/alert-facts';
import { Prisma } from '../../../lib/store/generated/prisma/client';
import { maintainPartitions } from '../../../lib/store/partitions';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedGap, seedLease, seedRenewSamples, type RenewSampleSeed } from '../helpers/seed';

// heartbeat_gap facts (the engine's every tick, the preview's replay) read only the renew samples whose interval
// reaches the shortest threshold a rule may have (the partial index RenewSample_gap_idx), never every node's
// renewals of the window, and give the same facts as the raw per-node read they replace; a node's last renewal
// is its newest sample (renewals do not rewrite the lease row), not the row's.

let db: MigratedDatabase;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const base = Date.parse('2026-03-10T08:00:00Z');
const end = base + 2 * HOUR;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

// The reads these replace, verbatim: every node's samples of the window, through its primary key.
const rawFacts = (since: Date) => Prisma.sql`
    SELECT c.name AS cluster, l.namespace, l.name, l."renewTime",
           (SELECT json_agg(json_build_array((extract(epoch FROM s."renewTime") * 1000)::float8, s."intervalMs"))
              FROM "RenewSample" s WHERE s."leaseId" = l.id AND s."renewTime" > ${since}::timestamptz AND s."intervalMs" >= ${minHeartbeatGapSeconds * 1_000}) AS gaps,
           (SELECT min(g."startedAt") FROM "ObservationGap" g WHERE g."clusterId" = l."clusterId" AND g."endedAt" IS NULL) AS "blindSince"
      FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId"
     WHERE l.kind = 'node_heartbeat' AND l."deletedAt" IS NULL`;
const rawHistory = (range: { from: Date; to: Date }, thresholdMs: number) => Prisma.sql`
    SELECT c.name AS cluster, l.namespace, l.name, s."renewTime", s."intervalMs",
           (SELECT count(*)::int FROM "Lease" n WHERE n."clusterId" = l."clusterId" AND n.kind = 'node_heartbeat' AND n."deletedAt" IS NULL) AS nodes
      FROM "RenewSample" s JOIN "Lease" l ON l.id = s."leaseId" JOIN "Cluster" c ON c.id = l."clusterId"
     WHERE l.kind = 'node_heartbeat' AND s."intervalMs" >= ${thresholdMs} AND s."renewTime" >= ${range.from}::timestamptz AND s."renewTime" < ${range.to}::timestamptz
     ORDER BY s."renewTime"`;

type PlanNode = { 'Relation Name'?: string; 'Actual Rows'?: number; 'Actual Loops'?: number; 'Rows Removed by Filter'?: number; 'Rows Removed by Index Recheck'?: number; 'Index Name'?: string; Plans?: PlanNode[] };

// Rows a statement read from RenewSample's partitions (returned or filtered out), and the indexes it used there
// (EXPLAIN reports rows per loop as an average rounded to two decimals: the sum is close, not exact).
async function renewSampleReads(query: Prisma.Sql): Promise<{ rows: number; indexes: Set<string> }> {
  const { rows } = await db.store.pool.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`, query.values);
  const result = { rows: 0, indexes: new Set<string>() };
  const walk = (node: PlanNode) => {
    if (node['Relation Name']?.startsWith('RenewSample')) {
      result.rows += ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) * (node['Actual Loops'] ?? 1);
    }
    // A bitmap index scan names its index but not its table.
    if (node['Index Name']?.startsWith('RenewSample')) result.indexes.add(node['Index Name']);
    for (const child of node.Plans ?? []) walk(child);
  };
  walk(rows[0]!['QUERY PLAN'][0]!.Plan);
  return result;
}

const samples = new Map<number, RenewSampleSeed[]>();
const nodes: Lease[] = [];
let clusters: Cluster[] = [];
let gapIndexes: string[] = [];

beforeAll(async () => {
  db = await createMigratedDatabase('heartbeat-facts');
  // The days of the samples have their partitions, as in production (the samples of a day in their own).
  await maintainPartitions(db.store, { now: new Date(end), createFrom: new Date(base - 2 * DAY), retention: { rawSamplesMs: 1000 * DAY, rollupsMs: 1000 * DAY }, daysAhead: 1, monthsAhead: 0 });
  const next = random(1913);
  clusters = [await seedCluster(db.store, 'facts-a'), await seedCluster(db.store, 'facts-b')];
  for (const [c, cluster] of clusters.entries()) {
    for (let i = 0; i < 10 + c * 4; i++) {
      // The row's renewTime is whatever the last relist wrote: an hour before the samples end, or none.
      const lease = await seedLease(db.store, cluster, { namespace: 'kube-node-lease', name: `node-${i}`, kind: 'node_heartbeat', holderIdentity: `node-${i}`, leaseDurationSeconds: 40, renewTime: i % 3 === 0 || i === 1 ? null : new Date(end - HOUR - i * 1_000) });
      nodes.push(lease);
      const list: RenewSampleSeed[] = [];
      // Node 1 went silent three hours before the end (its newest sample is older than any window reaches);
      // node 2 of cluster a never renewed since Leasetrail saw it.
      const from = i === 1 ? base - 4 * HOUR : base;
      const to = i === 1 ? base - 3 * HOUR : c === 0 && i === 2 ? from : end - Math.floor(next() * 20_000);
      for (let at = from + Math.floor(next() * 10_000), k = 0; at < to; k++) {
        const roll = next();
        // Gaps on either side of the shortest threshold, some of them two in one minute.
        const intervalMs = k === 0 ? null : roll < 0.04 ? 11_000 + Math.floor(next() * 50_000) : roll < 0.06 ? 10_999 : roll < 0.07 ? 11_000 : 9_500 + Math.floor(next() * 1_000);
        at += intervalMs ?? 0;
        list.push({ renewTime: new Date(at), intervalMs, lagMs: 30 });
      }
      samples.set(lease.id, list);
      await seedRenewSamples(db.store, lease, list);
    }
  }
  // Not node heartbeats, or gone: never facts. An elected lease renewing slowly has samples in the gap index.
  const elected = await seedLease(db.store, clusters[0]!, { namespace: 'kube-system', name: 'slow-operator' });
  await seedRenewSamples(db.store, elected, Array.from({ length: 100 }, (_, k) => ({ renewTime: new Date(base + k * 30_000), intervalMs: 30_000 })));
  const deleted = await seedLease(db.store, clusters[0]!, { namespace: 'kube-node-lease', name: 'node-gone', kind: 'node_heartbeat', deletedAt: new Date(base) });
  await seedRenewSamples(db.store, deleted, [{ renewTime: new Date(base + MINUTE), intervalMs: 40_000 }]);
  // Leasetrail is blind on cluster b since 20 minutes before the end.
  await seedGap(db.store, clusters[1]!, { startedAt: new Date(end - 20 * MINUTE), endedAt: null });
  const { rows } = await db.store.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"RenewSample_gap_idx"'::regclass`,
  );
  gapIndexes = rows.map((row) => row.name);
  await db.store.pool.query('ANALYZE "RenewSample"');
});

afterAll(async () => {
  await db.drop();
});

const byName = <T extends { subject: { cluster: string; name: string | null } }>(list: T[]) => [...list].sort((a, b) => `${a.subject.cluster}/${a.subject.name}`.localeCompare(`${b.subject.cluster}/${b.subject.name}`));

describe('heartbeat_gap facts', () => {
  it('index exactly the samples a rule can see: the partial index predicate is the shortest threshold, on every partition', async () => {
    expect(GAP_INDEX_MIN_MS).toBe(minHeartbeatGapSeconds * 1_000);
    const { rows } = await db.store.pool.query<{ predicate: string }>(`SELECT pg_get_expr(indpred, indrelid) AS predicate FROM pg_index WHERE indexrelid = '"RenewSample_gap_idx"'::regclass`);
    expect(rows).toEqual([{ predicate: `("intervalMs" >= ${GAP_INDEX_MIN_MS})` }]);
    const { rows: partitions } = await db.store.pool.query(`SELECT 1 FROM pg_inherits WHERE inhparent = '"RenewSample"'::regclass`);
    expect(gapIndexes.length).toBe(partitions.length);
    expect(partitions.length).toBeGreaterThan(3);
  });

  it.each([5 * MINUTE, 17 * MINUTE + 1_234, HOUR])('for the engine equal the raw per-node read (window %i ms), with each node’s last renewal from its newest sample', async (windowMs) => {
    const since = new Date(end - windowMs);
    const facts = byName(await loadHeartbeatFacts(db.store.pool, since));
    const raw = await db.store.prisma.$queryRaw<Array<{ cluster: string; namespace: string; name: string; renewTime: Date | null; gaps: Array<[number, number]> | null; blindSince: Date | null }>>(rawFacts(since));
    const sortGaps = (gaps: ReadonlyArray<{ endedAt: number; gapMs: number }>) => [...gaps].sort((a, b) => a.endedAt - b.endedAt);
    const expected = byName(
      raw.map((row) => {
        const lease = nodes.find((node) => node.name === row.name && clusters.find((c) => c.id === node.clusterId)!.name === row.cluster)!;
        const newest = Math.max(...(samples.get(lease.id) ?? []).map((sample) => sample.renewTime.getTime()));
        const lastRenewAt = Math.max(row.renewTime?.getTime() ?? -Infinity, newest);
        return {
          subject: { cluster: row.cluster, namespace: row.namespace, name: row.name },
          gaps: sortGaps((row.gaps ?? []).map(([endedAt, gapMs]) => ({ endedAt, gapMs }))),
          lastRenewAt: Number.isFinite(lastRenewAt) ? lastRenewAt : null,
          blindSince: row.blindSince?.getTime() ?? null,
        };
      }),
    );
    expect(facts.map((fact) => ({ ...fact, gaps: sortGaps(fact.gaps) }))).toEqual(expected);
    expect(facts).toHaveLength(24);
    expect(facts.reduce((sum, fact) => sum + fact.gaps.length, 0)).toBeGreaterThan(windowMs === HOUR ? 50 : 5);
    // The silent node's last renewal is its last sample of three hours ago (its row has none), the other one's its row's.
    expect(facts.find((fact) => fact.subject.cluster === 'facts-a' && fact.subject.name === 'node-1')!.lastRenewAt).toBe(Math.max(...samples.get(nodes[1]!.id)!.map((sample) => sample.renewTime.getTime())));
    expect(facts.find((fact) => fact.subject.cluster === 'facts-a' && fact.subject.name === 'node-2')!.lastRenewAt).toBe(end - HOUR - 2_000);
  });

  it.each([11_000, 20_000, 45_000])('for the preview equal the raw read (threshold %i ms)', async (thresholdMs) => {
    const range = { from: new Date(base + 13 * MINUTE), to: new Date(end - 7 * MINUTE) };
    const history = byName(await loadHeartbeatGapHistory(db.store.pool, range, thresholdMs));
    const raw = await db.store.prisma.$queryRaw<Array<{ cluster: string; namespace: string; name: string; renewTime: Date; intervalMs: number; nodes: number }>>(rawHistory(range, thresholdMs));
    const expected = new Map<string, { subject: { cluster: string; namespace: string; name: string }; periods: Array<{ start: number; end: number }>; nodesInCluster: number }>();
    for (const row of raw) {
      const key = `${row.cluster}/${row.name}`;
      const entry = expected.get(key) ?? { subject: { cluster: row.cluster, namespace: row.namespace, name: row.name }, periods: [], nodesInCluster: row.nodes };
      entry.periods.push({ start: row.renewTime.getTime() - row.intervalMs + thresholdMs, end: row.renewTime.getTime() });
      expected.set(key, entry);
    }
    expect(history).toEqual(byName([...expected.values()]));
    expect(history.length).toBeGreaterThan(thresholdMs === 45_000 ? 2 : 10);
  });

  it('read only the gap rows, where the raw read visited every renewal of the window', async () => {
    const since = new Date(end - HOUR);
    const inWindow = [...samples.values()].flat().filter((sample) => sample.renewTime.getTime() > since.getTime()).length;
    const gaps = [...samples.values()].flat().filter((sample) => sample.renewTime.getTime() > since.getTime() && (sample.intervalMs ?? 0) >= GAP_INDEX_MIN_MS).length;
    const before = await renewSampleReads(rawFacts(since));
    expect(before.rows).toBeGreaterThanOrEqual(inWindow * 0.99);
    // Now: the gap rows (and the elected lease's slow renewals, in the index too), plus each node's newest sample
    // (one probe per node into the partitions of the last hours, all of them for the node silent for hours).
    const partitions = gapIndexes.length;
    const after = await renewSampleReads(heartbeatFactsSql(since));
    expect([...after.indexes].some((name) => gapIndexes.includes(name))).toBe(true);
    expect(after.rows).toBeLessThanOrEqual(gaps + 100 + 3 * nodes.length + 2 * partitions);
    expect(inWindow).toBeGreaterThan(5 * (gaps + 100 + 3 * nodes.length + 2 * partitions));

    const range = { from: new Date(base), to: new Date(end) };
    const all = [...samples.values()].flat().filter((sample) => sample.renewTime.getTime() >= base).length;
    const previewBefore = await renewSampleReads(rawHistory(range, 20_000));
    const previewAfter = await renewSampleReads(heartbeatGapHistorySql(range, 20_000));
    expect(previewBefore.rows).toBeGreaterThanOrEqual(all * 0.99);
    expect([...previewAfter.indexes].filter((name) => !gapIndexes.includes(name))).toEqual([]);
    expect(previewAfter.rows).toBeLessThanOrEqual([...samples.values()].flat().filter((sample) => (sample.intervalMs ?? 0) >= GAP_INDEX_MIN_MS).length + 100);
  });
});
