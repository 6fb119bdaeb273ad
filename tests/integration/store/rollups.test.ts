import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loggerFor } from '../../../lib/log';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { listRenewals, MAX_RENEWAL_POINTS, type RenewalPoint } from '../../../lib/store/renewals';
import { PERCENTILE_RELATIVE_ERROR, representativeOf } from '../../../lib/store/renew-histogram';
import { readProgress } from '../../../lib/store/rollup-progress';
import { RollupJob, rollUpRenewals } from '../../../lib/store/rollups';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedRenewSamples } from '../helpers/seed';
import { waitFor } from '../helpers/wait';

type Sample = { renewTime: Date; intervalMs: number | null; lagMs: number | null };

let db: MigratedDatabase;
let busy: Lease;
let sparse: Lease;
const samples = new Map<number, Sample[]>();

const MINUTE = 60_000;
const base = Date.parse('2025-06-01T08:00:00Z');
const hours = (h: number) => h * 3_600_000;
const busyKey = { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler' };
const END = base + hours(3);

// The busy lease renews about every 2 s for three hours (5,400 samples, more than MAX_RENEWAL_POINTS):
// intervals around 2 s with now and then a slow one, tied maxima inside a minute, lags of both signs,
// zero and missing lags. The sparse lease renews every 45 s, its first minutes without any interval.
function busySamples(): Sample[] {
  const list: Sample[] = [];
  let at = base + 17_250;
  for (let i = 0; at < END; i++) {
    const intervalMs = i === 0 ? null : i % 500 === 0 ? 9_000 + (i % 7) * 100 : 1_900 + ((i * 37) % 230);
    at += intervalMs ?? 0;
    const lagMs = i % 97 === 0 ? null : i % 11 === 0 ? 0 : ((i * 53) % 180) - 30 + (i % 13 === 0 ? 2_000 : 0);
    list.push({ renewTime: new Date(at), intervalMs, lagMs });
  }
  return list;
}

function sparseSamples(): Sample[] {
  return Array.from({ length: 240 }, (_, i) => {
    const renewTime = new Date(base + 5_000 + i * 45_000);
    return { renewTime, intervalMs: i < 4 ? null : 45_000 - (i % 3) * 1_000, lagMs: 12 };
  });
}

const minuteOf = (date: Date) => Math.floor(date.getTime() / MINUTE) * MINUTE;
const worstFirst = (a: Sample, b: Sample) => (b.intervalMs ?? -Infinity) - (a.intervalMs ?? -Infinity) || a.renewTime.getTime() - b.renewTime.getTime();

type RollupRow = {
  leaseId: number;
  bucket: Date;
  sampleCount: number;
  intervalMaxMs: number | null;
  lagMaxMs: number | null;
  worstRenewTime: Date;
  worstLagMs: number | null;
  intervalHist: number[];
  lagHist: number[];
};

const readRollups = () =>
  db.store.prisma.$queryRaw<RollupRow[]>`SELECT "leaseId", bucket, "sampleCount", "intervalMaxMs", "lagMaxMs", "worstRenewTime", "worstLagMs", "intervalHist", "lagHist"
                                           FROM "RenewRollup" ORDER BY "leaseId", bucket`;

// The values a packed histogram stands for, smallest first.
function expand(entries: number[]): number[] {
  return entries
    .flatMap((entry) => Array.from({ length: entry & 0xffff }, () => representativeOf((entry >> 16) - 2048)))
    .sort((a, b) => a - b);
}

function expectWithinError(approximate: number[], exact: number[]): void {
  expect(approximate).toHaveLength(exact.length);
  exact.forEach((value, i) => {
    const got = approximate[i]!;
    // A bucket holding a single whole millisecond is exact; every other is within the stated error.
    if (Math.abs(value) <= 50) expect(got).toBe(value);
    else expect(Math.abs(got - value) / Math.abs(value)).toBeLessThanOrEqual(PERCENTILE_RELATIVE_ERROR);
  });
}

const percentileCont = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = fraction * (sorted.length - 1);
  const below = Math.floor(rank);
  return sorted[below]! + (rank - below) * (sorted[Math.ceil(rank)]! - sorted[below]!);
};

async function resetRollups(): Promise<void> {
  await db.store.prisma.$executeRaw`TRUNCATE "RenewRollup", "TimelineRollup", "RollupProgress"`;
}

beforeAll(async () => {
  db = await createMigratedDatabase('store_rollups');
  const prod = await seedCluster(db.store, 'prod');
  busy = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler' });
  sparse = await seedLease(db.store, prod, { namespace: 'operators', name: 'sparse' });
  samples.set(busy.id, busySamples());
  samples.set(sparse.id, sparseSamples());
  await seedRenewSamples(db.store, busy, samples.get(busy.id)!);
  await seedRenewSamples(db.store, sparse, samples.get(sparse.id)!);
});

afterAll(async () => {
  await db.drop();
});

beforeEach(resetRollups);

describe('rollUpRenewals', () => {
  it('writes, per lease and minute, what the raw samples of that minute say', async () => {
    const result = await rollUpRenewals(db.store, { now: new Date(END + hours(1)) });
    const rows = await readRollups();
    const expected = [...samples].flatMap(([leaseId, list]) => {
      const minutes = new Map<number, Sample[]>();
      for (const sample of list) minutes.set(minuteOf(sample.renewTime), [...(minutes.get(minuteOf(sample.renewTime)) ?? []), sample]);
      return [...minutes].map(([bucket, inMinute]) => ({ leaseId, bucket, inMinute }));
    });
    expect(result).toMatchObject({ isSkipped: false, rowsWritten: expected.length });
    expect(rows.map((r) => [r.leaseId, r.bucket.getTime()])).toEqual(expected.map((e) => [e.leaseId, e.bucket]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));

    const allNullMinutes = expected.filter((e) => e.inMinute.every((s) => s.intervalMs === null));
    expect(allNullMinutes.length).toBeGreaterThan(0);
    for (const { leaseId, bucket, inMinute } of expected) {
      const row = rows.find((r) => r.leaseId === leaseId && r.bucket.getTime() === bucket)!;
      const intervals = inMinute.flatMap((s) => (s.intervalMs === null ? [] : [s.intervalMs]));
      const lags = inMinute.flatMap((s) => (s.lagMs === null ? [] : [s.lagMs]));
      const worst = [...inMinute].sort(worstFirst)[0]!;
      expect(row).toMatchObject({
        sampleCount: inMinute.length,
        intervalMaxMs: intervals.length ? Math.max(...intervals) : null,
        lagMaxMs: lags.length ? Math.max(...lags) : null,
        worstRenewTime: worst.renewTime,
        worstLagMs: worst.lagMs,
      });
      expectWithinError(expand(row.intervalHist), intervals.sort((a, b) => a - b));
      expectWithinError(expand(row.lagHist), lags.sort((a, b) => a - b));
    }
  });

  it('rolls up only closed minutes and saves how far it got', async () => {
    const now = new Date(base + hours(1) + 30_000);
    const result = await rollUpRenewals(db.store, { now });
    const closedUntil = base + hours(1) - 2 * MINUTE;
    expect(result.rolledUntil).toEqual(new Date(closedUntil));
    expect((await readProgress(db.store.pool, 'renewals'))?.rolledUntil).toEqual(new Date(closedUntil));
    const [latest] = await db.store.prisma.$queryRaw<Array<{ bucket: Date }>>`SELECT max(bucket) AS bucket FROM "RenewRollup"`;
    expect(latest!.bucket.getTime()).toBe(closedUntil - MINUTE);
  });

  it('is idempotent: a second run writes nothing, and any chunking writes the same rows', async () => {
    const now = new Date(END + hours(1));
    await rollUpRenewals(db.store, { now });
    const first = await readRollups();
    expect(await rollUpRenewals(db.store, { now })).toMatchObject({ isSkipped: false, rowsWritten: 0 });
    expect(await readRollups()).toEqual(first);

    await resetRollups();
    const chunked = await rollUpRenewals(db.store, { now, chunkMs: 7 * MINUTE });
    expect(chunked.chunks).toBeGreaterThan(20);
    expect(await readRollups()).toEqual(first);
  });

  it('counts a sample stored late, within the restatement window, at the next run', async () => {
    const lease = await seedLease(db.store, await db.store.prisma.cluster.findUniqueOrThrow({ where: { name: 'prod' } }), { namespace: 'operators', name: 'late' });
    const at = (minute: number, second = 0) => new Date(base + minute * MINUTE + second * 1_000);
    await seedRenewSamples(db.store, lease, [{ renewTime: at(10), intervalMs: 2_000, lagMs: 3 }]);
    const now = at(20);
    await rollUpRenewals(db.store, { now });
    await seedRenewSamples(db.store, lease, [{ renewTime: at(10, 30), intervalMs: 30_000, lagMs: 400_000 }]);
    await rollUpRenewals(db.store, { now });
    const [row] = await db.store.prisma.$queryRaw<RollupRow[]>`SELECT * FROM "RenewRollup" WHERE "leaseId" = ${lease.id}`;
    expect(row).toMatchObject({ sampleCount: 2, intervalMaxMs: 30_000, lagMaxMs: 400_000, worstRenewTime: at(10, 30) });
    await db.store.prisma.lease.delete({ where: { id: lease.id } });
  });

  it('skips the run while another replica holds the rollup lock', async () => {
    const client = await db.store.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [0x4c41, 2]);
      expect(await rollUpRenewals(db.store, { now: new Date(END) })).toEqual({ isSkipped: true, rolledUntil: null, chunks: 0, rowsWritten: 0, lateRowsWritten: 0 });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await readRollups()).toEqual([]);
  });
});

describe('RollupJob', () => {
  it('rolls up as soon as it starts, and stops', async () => {
    const job = new RollupJob({ store: db.store, log: loggerFor('test-rollups'), clock: { now: () => END + hours(1) } });
    job.start();
    await waitFor('the first rollup', async () => (await readProgress(db.store.pool, 'renewals'))?.rolledUntil.getTime() === END + hours(1) - 2 * MINUTE);
    await job.stop();
    expect((await readRollups()).length).toBeGreaterThan(180);
  });
});

describe('listRenewals over rolled-up minutes', () => {
  const from = new Date(base + 95_500);
  const to = new Date(END - 13_000);
  const inRange = () => samples.get(busy.id)!.filter((s) => s.renewTime >= from && s.renewTime < to);

  function expectedPoints(list: Sample[], bucketMs: number): RenewalPoint[] {
    const origin = minuteOf(from);
    const slots = new Map<number, Sample[]>();
    for (const sample of list) {
      const slot = Math.floor((sample.renewTime.getTime() - origin) / bucketMs);
      slots.set(slot, [...(slots.get(slot) ?? []), sample]);
    }
    const observedAt = ({ renewTime, lagMs }: Sample) => (lagMs === null ? null : new Date(renewTime.getTime() + Math.max(0, lagMs)));
    return [...slots.values()].map((slot) => [...slot].sort(worstFirst)[0]!).map((point) => ({ ...point, observedAt: observedAt(point) }));
  }

  it('answers a long range with exact count, max and chart points, and percentiles within the stated error', async () => {
    await rollUpRenewals(db.store, { now: new Date(END + hours(1)) });
    const series = await listRenewals(db.store, { key: busyKey, range: { from, to } });
    const list = inRange();
    expect(list.length).toBeGreaterThan(MAX_RENEWAL_POINTS);
    expect(series).toMatchObject({ isDownsampled: true, bucketMs: MINUTE });
    expect(series.samples).toEqual(expectedPoints(list, MINUTE));

    const intervals = list.flatMap((s) => (s.intervalMs === null ? [] : [s.intervalMs]));
    const lags = list.flatMap((s) => (s.lagMs === null ? [] : [s.lagMs]));
    expect(series.stats).toMatchObject({ count: list.length, percentileRelativeError: PERCENTILE_RELATIVE_ERROR });
    expect(series.stats.intervalMs.max).toBe(Math.max(...intervals));
    expect(series.stats.lagMs.max).toBe(Math.max(...lags));
    for (const [key, fraction] of [['p50', 0.5], ['p95', 0.95], ['p99', 0.99]] as const) {
      const exactInterval = percentileCont(intervals, fraction);
      expect(Math.abs(series.stats.intervalMs[key]! - exactInterval) / exactInterval).toBeLessThanOrEqual(PERCENTILE_RELATIVE_ERROR);
      const exactLag = percentileCont(lags, fraction);
      expect(Math.abs(series.stats.lagMs[key]! - exactLag)).toBeLessThanOrEqual(Math.max(0.05, PERCENTILE_RELATIVE_ERROR * Math.abs(exactLag)));
    }
  });

  it('reads the rolled-up minutes from RenewRollup and the rest (range edges, minutes not rolled up yet) from raw samples', async () => {
    await rollUpRenewals(db.store, { now: new Date(base + hours(2)) });
    const before = await listRenewals(db.store, { key: busyKey, range: { from, to } });
    expect(before.stats.count).toBe(inRange().length);
    expect(before.samples).toEqual(expectedPoints(inRange(), MINUTE));

    // Raw samples of rolled-up minutes gone (as retention will do): the answer does not change.
    const gone = { from: new Date(base + 10 * MINUTE), to: new Date(base + 70 * MINUTE) };
    await db.store.prisma.renewSample.deleteMany({ where: { leaseId: busy.id, renewTime: { gte: gone.from, lt: gone.to } } });
    try {
      const after = await listRenewals(db.store, { key: busyKey, range: { from, to } });
      expect(after.stats).toEqual(before.stats);
      expect(after.samples).toEqual(before.samples);
    } finally {
      await seedRenewSamples(db.store, busy, samples.get(busy.id)!.filter((s) => s.renewTime >= gone.from && s.renewTime < gone.to));
    }
  });

  it('answers a range of at most MAX_RENEWAL_POINTS samples exactly, from raw samples', async () => {
    await rollUpRenewals(db.store, { now: new Date(END + hours(1)) });
    const range = { from: new Date(base + hours(1) + 30_000), to: new Date(base + hours(2)) };
    const series = await listRenewals(db.store, { key: busyKey, range });
    const list = samples.get(busy.id)!.filter((s) => s.renewTime >= range.from && s.renewTime < range.to);
    expect(series).toMatchObject({ isDownsampled: false, bucketMs: null, stats: { count: list.length, percentileRelativeError: null } });
    expect(series.samples).toHaveLength(list.length);
  });
});
