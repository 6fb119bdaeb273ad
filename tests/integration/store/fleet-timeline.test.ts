import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getTimeline } from '../../../app/api/timeline/route';
import type { FleetTimelineResponse } from '../../../lib/api/dto';
import { BudgetExceededError, ClientGoneError } from '../../../lib/errors';
import type { Cluster, Lease } from '../../../lib/store/generated/prisma/client';
import { readWithinBudget } from '../../../lib/store/read-budget';
import { fleetTimelineLimits, getFleetTimeline, type FleetTimelineLease } from '../../../lib/store/timeline';
import { rollUpTimelines } from '../../../lib/store/timeline-rollups';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;
let prod: Cluster;
let busy: Lease;

const MINUTE = 60_000;
const at = (time: string) => new Date(`2026-03-10T${time}Z`);
const range = { from: at('10:00:00'), to: at('12:00:00') };
// Two hours of a lease changing hands every two minutes: 60 changes in the window, one of them its first sighting.
const busyChanges = Array.from({ length: 60 }, (_, i) => ({
  at: new Date(at('10:00:00').getTime() + i * 2 * MINUTE + 30_000),
  fromHolder: i === 0 ? null : `pod-${(i - 1) % 2}`,
  toHolder: `pod-${i % 2}`,
  cause: i === 0 ? ('first' as const) : ('expiry' as const),
}));
const small = { transitionsPerLease: 20, transitions: 1_000, churnBuckets: 12, churnBucketsTotal: 1_000, bands: 500, budgetMs: 10_000 };
const byName = (leases: FleetTimelineLease[], name: string) => leases.find((lease) => lease.name === name)!;

beforeAll(async () => {
  db = await createMigratedDatabase('fleet_timeline');
  restoreRoutes = pointRoutesAtStore(db.store);
  prod = await seedCluster(db.store, 'prod');
  busy = await seedLease(db.store, prod, { namespace: 'ops', name: 'busy', createdAt: at('10:00:30'), holderIdentity: 'pod-1', holderSince: busyChanges.at(-1)!.at });
  const quiet = await seedLease(db.store, prod, { namespace: 'ops', name: 'quiet', createdAt: at('09:00:00'), holderIdentity: 'b_2', holderSince: at('11:00:00') });
  const calm = await seedLease(db.store, prod, { namespace: 'ops', name: 'calm', createdAt: at('09:00:00'), holderIdentity: 'c_2', holderSince: at('10:30:00') });
  await seedTransitions(db.store, busy, busyChanges);
  await seedTransitions(db.store, quiet, [
    { at: at('09:00:00'), toHolder: 'a_1', cause: 'first' },
    { at: at('10:15:00'), fromHolder: 'a_1', toHolder: 'b_1', cause: 'expiry' },
    { at: at('11:00:00'), fromHolder: 'b_1', toHolder: 'b_2', cause: 'release' },
  ]);
  await seedTransitions(db.store, calm, [
    { at: at('09:00:00'), toHolder: 'c_1', cause: 'first' },
    { at: at('10:30:00'), fromHolder: 'c_1', toHolder: 'c_2', cause: 'expiry' },
  ]);
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('the fleet timeline stays bounded whatever the range', () => {
  it('draws the quiet leases change by change and a lease beyond the per-lease limit as churn buckets with exact counts', async () => {
    const timeline = await getFleetTimeline(db.store, { range, leaseLimit: 50, now: at('12:00:00') }, small);
    expect(byName(timeline.leases, 'quiet').churn).toBeNull();
    expect(byName(timeline.leases, 'calm').churn).toBeNull();
    expect(timeline.transitions.map((t) => t.name).sort()).toEqual(['calm', 'quiet', 'quiet']);
    const churn = byName(timeline.leases, 'busy').churn!;
    expect(churn).toHaveLength(12);
    expect(churn[0]).toMatchObject({ start: at('10:00:00').getTime(), end: at('10:10:00').getTime() });
    expect(churn.at(-1)).toMatchObject({ end: at('12:00:00').getTime() });
    // Five changes every ten minutes; the very first is a first sighting, not a failover.
    expect(churn.map((bucket) => bucket.failovers)).toEqual([4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    // Nothing rolled up yet: counts only, never a guess at who led.
    expect(churn.every((bucket) => bucket.summary === null)).toBe(true);
  });

  it('gives the transition budget to the quietest leases first', async () => {
    const timeline = await getFleetTimeline(db.store, { range, leaseLimit: 50, now: at('12:00:00') }, { ...small, transitions: 2 });
    expect(byName(timeline.leases, 'calm').churn).toBeNull();
    expect(byName(timeline.leases, 'quiet').churn).not.toBeNull();
    expect(timeline.transitions.map((t) => t.name)).toEqual(['calm']);
  });

  it('reads who led from the rollups where they cover a whole bucket clear of blind spots', async () => {
    await rollUpTimelines(db.store, { now: at('13:00:00') });
    const gap = await db.store.prisma.observationGap.create({ data: { clusterId: prod.id, startedAt: at('11:00:00'), endedAt: at('11:05:00'), reason: 'watch_lost' } });
    try {
      const churn = byName((await getFleetTimeline(db.store, { range, leaseLimit: 50, now: at('12:00:00') }, small)).leases, 'busy').churn!;
      // The bucket of the lease's first sighting is never rolled up, and the one with a blind spot keeps counts only.
      expect(churn[0]!.summary).toBeNull();
      expect(churn[6]).toMatchObject({ start: at('11:00:00').getTime(), failovers: 5, summary: null });
      const summarized = churn.filter((bucket) => bucket.summary !== null);
      expect(summarized).toHaveLength(10);
      for (const bucket of summarized) {
        expect(bucket.summary!.ledMs + bucket.summary!.leaderlessMs + bucket.summary!.unknownMs).toBe(bucket.end - bucket.start);
        expect(bucket.failovers).toBe(5);
      }
    } finally {
      await db.store.prisma.observationGap.delete({ where: { id: gap.id } });
    }
  });

  it('coarsens the buckets of a long range instead of growing the answer', async () => {
    const month = { from: new Date(at('12:00:00').getTime() - 31 * 86_400_000), to: at('12:00:00') };
    const timeline = await getFleetTimeline(db.store, { range: month, leaseLimit: 50, now: at('12:00:00') }, { ...small, churnBuckets: 400 });
    const churn = byName(timeline.leases, 'busy').churn!;
    expect(churn.length).toBeLessThanOrEqual(400);
    expect(churn.reduce((sum, bucket) => sum + bucket.failovers, 0)).toBe(59);
    expect(churn.at(-1)!.end).toBe(month.to.getTime());
  });

  it('shares the churn buckets of an answer among the busy leases', async () => {
    const timeline = await getFleetTimeline(db.store, { range, leaseLimit: 50, now: at('12:00:00') }, { ...small, transitionsPerLease: 1, churnBucketsTotal: 12 });
    const churned = timeline.leases.filter((lease) => lease.churn !== null);
    expect(churned.map((lease) => lease.name).sort()).toEqual(['busy', 'quiet']);
    // 12 buckets for two leases: 6 each, twenty minutes wide.
    for (const lease of churned) expect(lease.churn!.map((bucket) => bucket.end - bucket.start)).toEqual(Array.from({ length: 6 }, () => 20 * MINUTE));
    expect(byName(timeline.leases, 'quiet').churn!.reduce((sum, bucket) => sum + bucket.failovers, 0)).toBe(2);
  });

  it('answers the read API with churn beside the drawn transitions', async () => {
    const response = await callGet<FleetTimelineResponse>(getTimeline, '/api/timeline?cluster=prod&from=2026-03-10T10:00:00Z&to=2026-03-10T12:00:00Z');
    expect(response.status).toBe(200);
    // The production limits draw all 60 changes of this small window.
    expect(fleetTimelineLimits.transitionsPerLease).toBeGreaterThan(60);
    expect(response.body.leases.every((lease) => lease.churn === null)).toBe(true);
    expect(response.body.transitions.filter((t) => t.name === 'busy')).toHaveLength(60);
  });
});

describe('the fleet timeline carries the "API server degraded" bands of its clusters', () => {
  const band = (clusterId: number, startedAt: Date, endedAt: Date | null, reason: 'renewals_stalled' | 'watch_failed' = 'renewals_stalled') =>
    db.store.prisma.degradedBand.create({ data: { clusterId, startedAt, endedAt, reason, stalledLeases: 3, totalLeases: 3 } });

  it('answers the bands that overlap the range, newest first, only of the clusters in view, and says when it capped them', async () => {
    const other = await seedCluster(db.store, 'other');
    await seedLease(db.store, other, { namespace: 'ops', name: 'elsewhere', createdAt: at('09:00:00'), holderIdentity: 'x_1', holderSince: at('09:00:00') });
    const seeded = [
      await band(prod.id, at('09:00:00'), at('09:30:00')),
      await band(prod.id, at('09:55:00'), at('10:02:00')),
      await band(prod.id, at('10:40:00'), at('10:41:30'), 'watch_failed'),
      await band(prod.id, at('11:50:00'), null),
      await band(prod.id, at('12:00:00'), at('12:05:00')),
      await band(other.id, at('10:20:00'), at('10:21:00')),
    ];
    try {
      const response = await callGet<FleetTimelineResponse>(getTimeline, '/api/timeline?cluster=prod&from=2026-03-10T10:00:00Z&to=2026-03-10T12:00:00Z');
      expect(response.status).toBe(200);
      expect(response.body.bands).toEqual([
        { id: String(seeded[3]!.id), cluster: 'prod', startedAt: at('11:50:00').getTime(), endedAt: null, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 },
        { id: String(seeded[2]!.id), cluster: 'prod', startedAt: at('10:40:00').getTime(), endedAt: at('10:41:30').getTime(), reason: 'watch_failed', stalledLeases: 3, totalLeases: 3 },
        { id: String(seeded[1]!.id), cluster: 'prod', startedAt: at('09:55:00').getTime(), endedAt: at('10:02:00').getTime(), reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 },
      ]);
      expect(response.body.hasMoreBands).toBe(false);

      const fleet = await callGet<FleetTimelineResponse>(getTimeline, '/api/timeline?from=2026-03-10T10:00:00Z&to=2026-03-10T12:00:00Z');
      expect(fleet.body.bands.map((b) => `${b.cluster}@${new Date(b.startedAt).toISOString().slice(11, 16)}`)).toEqual(['prod@11:50', 'prod@10:40', 'other@10:20', 'prod@09:55']);

      const capped = await getFleetTimeline(db.store, { range, leaseLimit: 50, now: at('12:00:00') }, { ...small, bands: 2 });
      expect(capped.bands.map((b) => b.startedAt)).toEqual([at('11:50:00').getTime(), at('10:40:00').getTime()]);
      expect(capped.hasMoreBands).toBe(true);
    } finally {
      await db.store.prisma.degradedBand.deleteMany({ where: { id: { in: seeded.map((b) => b.id) } } });
      await db.store.prisma.cluster.delete({ where: { id: other.id } });
    }
  });
});

describe('a read within a time budget', () => {
  it('is stopped by PostgreSQL when a statement outlasts the budget, and answers as a budget error', async () => {
    const read = readWithinBudget(db.store, { budgetMs: 200, what: 'the test read' }, (query) => query({ text: 'SELECT pg_sleep(30)', values: [] }));
    await expect(read).rejects.toBeInstanceOf(BudgetExceededError);
    await expect(read).rejects.toThrow('the test read took longer than its 0.2 s budget');
    // The connection went back to the pool usable: a read-only transaction that was rolled back.
    expect((await db.store.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });

  it('gives each statement only what is left of the whole budget', async () => {
    let clock = 0;
    const read = readWithinBudget(db.store, { budgetMs: 1_000, what: 'the test read', now: () => clock }, async (query) => {
      await query({ text: 'SELECT 1', values: [] });
      clock = 1_000;
      return query({ text: 'SELECT 2', values: [] });
    });
    await expect(read).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('stops the running statement in PostgreSQL when its client goes away, and gives the connection back usable', async () => {
    const hangUp = new AbortController();
    const read = readWithinBudget(db.store, { budgetMs: 60_000, what: 'the test read', signal: hangUp.signal }, (query) =>
      query({ text: "SELECT pg_sleep(30), 'cancel-me' AS tag", values: [] }),
    );
    const sleeping = () => db.store.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%cancel-me%' AND query NOT LIKE '%pg_stat_activity%'`);
    for (let tries = 0; Number((await sleeping()).rows[0]!.n) === 0; tries += 1) {
      if (tries > 500) throw new Error('the read never reached PostgreSQL');
      await new Promise((resolve) => setImmediate(resolve));
    }
    const abortedAt = performance.now();
    hangUp.abort();
    await expect(read).rejects.toBeInstanceOf(ClientGoneError);
    await expect(read).rejects.toThrow('the test read was cancelled: its client went away');
    // Cancelled, not left to run its 30 s (nor its 60 s budget).
    expect(performance.now() - abortedAt).toBeLessThan(20_000);
    expect(Number((await sleeping()).rows[0]!.n)).toBe(0);
    expect((await db.store.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
  });

  it('starts no statement once its client has gone, nor a read for a client already gone', async () => {
    const hangUp = new AbortController();
    const statements: string[] = [];
    const read = readWithinBudget(db.store, { budgetMs: 10_000, what: 'the test read', signal: hangUp.signal }, async (query) => {
      statements.push('first');
      await query({ text: 'SELECT 1', values: [] });
      hangUp.abort();
      statements.push('second');
      return query({ text: 'SELECT 2', values: [] });
    });
    await expect(read).rejects.toBeInstanceOf(ClientGoneError);
    expect(statements).toEqual(['first', 'second']);
    let called = false;
    const late = readWithinBudget(db.store, { budgetMs: 10_000, what: 'the test read', signal: hangUp.signal }, async () => (called = true));
    await expect(late).rejects.toBeInstanceOf(ClientGoneError);
    expect(called).toBe(false);
  });

  it('answers 499 to a timeline request whose client has gone', async () => {
    const hangUp = new AbortController();
    hangUp.abort();
    const request = new Request('http://leasetrail.test/api/timeline?cluster=prod&from=2026-03-10T10:00:00Z&to=2026-03-10T12:00:00Z', { signal: hangUp.signal });
    const response = await getTimeline(request, { params: Promise.resolve({}) as Promise<never> });
    expect(response.status).toBe(499);
  });

  it('runs read-only', async () => {
    const write = readWithinBudget(db.store, { budgetMs: 5_000, what: 'the test read' }, (query) => query({ text: `DELETE FROM "Lease" WHERE id = $1`, values: [busy.id] }));
    await expect(write).rejects.toThrow(/read-only transaction/);
    expect(await db.store.prisma.lease.count({ where: { id: busy.id } })).toBe(1);
  });
});
