import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { rebuildNodeHeartbeatRollupsSql } from '../../../lib/store/node-heartbeat-rollups';
import { rollUpRenewals } from '../../../lib/store/rollups';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedRenewSamples, type RenewSampleSeed } from '../helpers/seed';

// NodeHeartbeatMinute and NodeHeartbeatHour are, after every rollup run (first pass, restated minutes,
// late samples queued by the trigger), exactly the merge of the node heartbeat leases' RenewRollup rows.

let db: MigratedDatabase;

const MINUTE = 60_000;
const HOUR = 3_600_000;

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

type RollupRow = { leaseId: number; clusterId: number; bucket: Date; sampleCount: number; intervalMaxMs: number | null; worstRenewTime: Date; intervalHist: number[] };

const histogram = (entries: number[][]) => {
  const counts = new Map<number, number>();
  for (const entry of entries.flat()) counts.set(entry >> 16, (counts.get(entry >> 16) ?? 0) + (entry & 0xffff));
  return Object.fromEntries([...counts].filter(([, n]) => n > 0).sort((a, b) => a[0] - b[0]));
};

const worstFirst = (a: RollupRow, b: RollupRow) => (b.intervalMaxMs ?? -Infinity) - (a.intervalMaxMs ?? -Infinity) || a.worstRenewTime.getTime() - b.worstRenewTime.getTime();

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return groups;
}

async function expectMergesOfRenewRollup(): Promise<{ minutes: number; hours: number }> {
  const rows = await db.store.prisma.$queryRaw<RollupRow[]>`
    SELECT r."leaseId", l."clusterId", r.bucket, r."sampleCount", r."intervalMaxMs", r."worstRenewTime", r."intervalHist"
      FROM "RenewRollup" r JOIN "Lease" l ON l.id = r."leaseId" WHERE l.kind = 'node_heartbeat'`;
  const expectedMinutes = [...groupBy(rows, (row) => `${row.clusterId}/${row.bucket.getTime()}`).values()].map((group) => ({
    key: `${group[0]!.clusterId}/${group[0]!.bucket.toISOString()}`,
    nodes: group.length,
    sampleCount: group.reduce((sum, row) => sum + row.sampleCount, 0),
    intervalMaxMs: group.every((row) => row.intervalMaxMs === null) ? null : Math.max(...group.map((row) => row.intervalMaxMs ?? -Infinity)),
    hist: histogram(group.map((row) => row.intervalHist)),
  }));
  const expectedHours = [...groupBy(rows, (row) => `${row.leaseId}/${Math.floor(row.bucket.getTime() / HOUR)}`).values()].map((group) => {
    const worst = [...group].sort(worstFirst)[0]!;
    return {
      key: `${group[0]!.leaseId}/${new Date(Math.floor(group[0]!.bucket.getTime() / HOUR) * HOUR).toISOString()}`,
      sampleCount: group.reduce((sum, row) => sum + row.sampleCount, 0),
      intervalMaxMs: worst.intervalMaxMs,
      worstRenewTime: worst.worstRenewTime.toISOString(),
      hist: histogram(group.map((row) => row.intervalHist)),
    };
  });
  const minutes = await db.store.prisma.nodeHeartbeatMinute.findMany();
  const hours = await db.store.prisma.nodeHeartbeatHour.findMany();
  const byKey = <T extends { key: string }>(list: T[]) => [...list].sort((a, b) => a.key.localeCompare(b.key));
  expect(byKey(minutes.map((row) => ({ key: `${row.clusterId}/${row.bucket.toISOString()}`, nodes: row.nodes, sampleCount: row.sampleCount, intervalMaxMs: row.intervalMaxMs, hist: histogram([row.intervalHist]) })))).toEqual(byKey(expectedMinutes));
  expect(byKey(hours.map((row) => ({ key: `${row.leaseId}/${row.bucket.toISOString()}`, sampleCount: row.sampleCount, intervalMaxMs: row.intervalMaxMs, worstRenewTime: row.worstRenewTime.toISOString(), hist: histogram([row.intervalHist]) })))).toEqual(byKey(expectedHours));
  return { minutes: minutes.length, hours: hours.length };
}

beforeAll(async () => {
  db = await createMigratedDatabase('node-rollups');
});

afterAll(async () => {
  await db.drop();
});

describe('node heartbeat rollups', () => {
  it.each([1, 2, 3])('equal the merge of the per-node RenewRollup rows after every run (seed %i: first pass, restated minutes, late samples)', async (seed) => {
    const next = random(seed * 7919);
    const base = Date.parse('2025-06-01T08:20:00Z') + seed * 5 * HOUR;
    const clusters: Cluster[] = [await seedCluster(db.store, `nodes-${seed}-a`), await seedCluster(db.store, `nodes-${seed}-b`)];
    const nodes: Lease[] = [];
    for (const [c, cluster] of clusters.entries()) {
      for (let i = 0; i < 4 + c * 2; i++) nodes.push(await seedLease(db.store, cluster, { namespace: 'kube-node-lease', name: `node-${i}`, kind: 'node_heartbeat' }));
    }
    // A leader-elected lease of the same cluster: never part of the node rollups.
    const elected = await seedLease(db.store, clusters[0]!, { namespace: 'kube-system', name: 'kube-scheduler' });
    const used = new Set<string>();
    const samplesOf = (lease: Lease, from: number, to: number, every: number): RenewSampleSeed[] => {
      const list: RenewSampleSeed[] = [];
      for (let at = from + Math.floor(next() * every), i = 0; at < to; i++) {
        const intervalMs = i === 0 ? null : next() < 0.05 ? 15_000 + Math.floor(next() * 30_000) : every - 500 + Math.floor(next() * 1_000);
        at += intervalMs ?? 0;
        if (used.has(`${lease.id}/${at}`)) continue;
        used.add(`${lease.id}/${at}`);
        list.push({ renewTime: new Date(at), intervalMs, lagMs: Math.floor(next() * 300) - 50 });
      }
      return list;
    };
    const all = [...nodes.map((lease) => ({ lease, samples: samplesOf(lease, base, base + 150 * MINUTE, 10_000) })), { lease: elected, samples: samplesOf(elected, base, base + 150 * MINUTE, 2_000) }];
    // First pass: the first 100 minutes, less a tenth held back.
    const heldBack: Array<{ lease: Lease; samples: RenewSampleSeed[] }> = [];
    for (const { lease, samples } of all) {
      const early = samples.filter((s) => s.renewTime.getTime() < base + 100 * MINUTE);
      const held = early.filter(() => next() < 0.1);
      await seedRenewSamples(db.store, lease, early.filter((s) => !held.includes(s)));
      heldBack.push({ lease, samples: [...held, ...samples.filter((s) => s.renewTime.getTime() >= base + 100 * MINUTE)] });
    }
    await rollUpRenewals(db.store, { now: new Date(base + 102 * MINUTE), chunkMs: (7 + seed * 13) * MINUTE });
    const first = await expectMergesOfRenewRollup();
    expect(first.minutes).toBeGreaterThan(150);
    // The held-back samples (late: queued by the trigger) and the rest of the span, rolled up with the restated window.
    for (const { lease, samples } of heldBack) await seedRenewSamples(db.store, lease, samples);
    await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    await expectMergesOfRenewRollup();
    // More late samples: slow renewals in minutes long rolled up, some of them a node's new worst of the hour.
    for (const lease of nodes) {
      const late: RenewSampleSeed[] = [];
      for (let i = 0; i < 5; i++) {
        const at = base + Math.floor(next() * 150 * MINUTE);
        if (used.has(`${lease.id}/${at}`)) continue;
        used.add(`${lease.id}/${at}`);
        late.push({ renewTime: new Date(at), intervalMs: 20_000 + Math.floor(next() * 40_000), lagMs: 5 });
      }
      await seedRenewSamples(db.store, lease, late);
    }
    const run = await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    expect(run.lateRowsWritten).toBeGreaterThan(0);
    const last = await expectMergesOfRenewRollup();
    expect(last.hours).toBeGreaterThanOrEqual(nodes.length * 3);
    // Nothing more to do: a run changes nothing.
    await rollUpRenewals(db.store, { now: new Date(base + 152 * MINUTE) });
    await expectMergesOfRenewRollup();
    // Built afresh (the migration's backfill, the benchmark's seed): the same rows.
    const kept = await Promise.all([db.store.prisma.nodeHeartbeatMinute.findMany({ orderBy: [{ clusterId: 'asc' }, { bucket: 'asc' }] }), db.store.prisma.nodeHeartbeatHour.findMany({ orderBy: [{ leaseId: 'asc' }, { bucket: 'asc' }] })]);
    for (const statement of rebuildNodeHeartbeatRollupsSql) await db.store.pool.query(statement);
    const rebuilt = await Promise.all([db.store.prisma.nodeHeartbeatMinute.findMany({ orderBy: [{ clusterId: 'asc' }, { bucket: 'asc' }] }), db.store.prisma.nodeHeartbeatHour.findMany({ orderBy: [{ leaseId: 'asc' }, { bucket: 'asc' }] })]);
    expect(rebuilt[0].map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) }))).toEqual(kept[0].map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) })));
    expect(rebuilt[1].map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) }))).toEqual(kept[1].map((row) => ({ ...row, intervalHist: histogram([row.intervalHist]) })));
  });
});
