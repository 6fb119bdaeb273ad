import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/leases/[cluster]/[namespace]/[name]/renewals/route';
import type { RenewalsResponse } from '../../../lib/api/dto';
import { NotFoundError } from '../../../lib/errors';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { listRenewals, MAX_RENEWAL_POINTS } from '../../../lib/store/renewals';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedRenewSamples } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;
let busy: Lease;

const kcm = { cluster: 'prod', namespace: 'kube-system', name: 'kube-controller-manager' };
const busyKey = { cluster: 'prod', namespace: 'operators', name: 'busy' };
const at = (time: string) => new Date(`2025-03-10T${time}Z`);

// The busy lease renews every second for 6,000 s: more than MAX_RENEWAL_POINTS, so its series is downsampled.
const busyStart = at('00:00:00');
const busyCount = 6_000;
const busyInterval = (index: number) => (index === 4_321 ? 14_500 : 1_000 + ((index * 37) % 200));

beforeAll(async () => {
  db = await createMigratedDatabase('api_renewals');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod');
  const lease = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-controller-manager' });
  const scheduler = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler' });
  busy = await seedLease(db.store, prod, { namespace: 'operators', name: 'busy' });
  await seedRenewSamples(db.store, lease, [
    { renewTime: at('10:00:00'), intervalMs: null, lagMs: 25 },
    { renewTime: at('10:00:02'), intervalMs: 2000, lagMs: 10 },
    { renewTime: at('10:00:04'), intervalMs: 2000, lagMs: 20 },
    { renewTime: at('10:00:06.100'), intervalMs: 2100, lagMs: 30 },
    { renewTime: at('10:00:08.300'), intervalMs: 2200, lagMs: 40 },
    { renewTime: at('10:00:17.300'), intervalMs: 9000, lagMs: -50 },
    { renewTime: at('09:59:58'), intervalMs: 60000, lagMs: 999 },
    { renewTime: at('10:01:00'), intervalMs: 60000, lagMs: 999 },
  ]);
  await seedRenewSamples(db.store, scheduler, [{ renewTime: at('10:00:01'), intervalMs: 77777, lagMs: 777 }]);
  await seedRenewSamples(
    db.store,
    busy,
    Array.from({ length: busyCount }, (_, index) => ({ renewTime: new Date(busyStart.getTime() + index * 1000), intervalMs: busyInterval(index), lagMs: index % 50 })),
  );
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('listRenewals', () => {
  it('returns the samples of one lease in [from, to) by renewTime, with percentiles computed like percentile_cont', async () => {
    const series = await listRenewals(db.store, { key: kcm, range: { from: at('10:00:00'), to: at('10:01:00') } });
    expect(series.isDownsampled).toBe(false);
    expect(series.bucketMs).toBeNull();
    expect(series.samples.map((s) => [s.renewTime.toISOString(), s.intervalMs])).toEqual([
      ['2025-03-10T10:00:00.000Z', null],
      ['2025-03-10T10:00:02.000Z', 2000],
      ['2025-03-10T10:00:04.000Z', 2000],
      ['2025-03-10T10:00:06.100Z', 2100],
      ['2025-03-10T10:00:08.300Z', 2200],
      ['2025-03-10T10:00:17.300Z', 9000],
    ]);
    // A negative lag means the renewTime was ahead of our clock and is stored as the time we saw it.
    expect(series.samples[5]).toEqual({ renewTime: at('10:00:17.300'), observedAt: at('10:00:17.300'), intervalMs: 9000, lagMs: -50 });

    // intervals 2000 2000 2100 2200 9000 (null ignored): rank p·(n−1) = 2, 3.8, 3.96, 3.996
    // lags −50 10 20 25 30 40: rank p·(n−1) = 2.5, 4.75, 4.95, 4.995
    expect(series.stats).toEqual({
      count: 6,
      intervalCount: 5,
      intervalMs: { p50: 2100, p95: 2200 + 0.8 * 6800, p99: 2200 + 0.96 * 6800, p999: 8972.8, max: 9000 },
      lagMs: { p50: 20 + 0.5 * 5, p95: 30 + 0.75 * 10, p99: 30 + 0.95 * 10, p999: 40, max: 40 },
      percentileRelativeError: null,
    });
  });

  it('answers an empty range with no samples and no percentiles', async () => {
    const series = await listRenewals(db.store, { key: kcm, range: { from: at('11:00:00'), to: at('12:00:00') } });
    expect(series).toEqual({
      samples: [],
      stats: {
        count: 0,
        intervalCount: 0,
        intervalMs: { p50: null, p95: null, p99: null, p999: null, max: null },
        lagMs: { p50: null, p95: null, p99: null, p999: null, max: null },
        percentileRelativeError: null,
      },
      isDownsampled: false,
      bucketMs: null,
      rawFrom: null,
    });
  });

  it('returns up to MAX_RENEWAL_POINTS samples as they are', async () => {
    const to = new Date(busyStart.getTime() + MAX_RENEWAL_POINTS * 1000);
    const series = await listRenewals(db.store, { key: busyKey, range: { from: busyStart, to } });
    expect(series.isDownsampled).toBe(false);
    expect(series.samples).toHaveLength(MAX_RENEWAL_POINTS);
  });

  it('beyond that, keeps the longest interval of each time bucket and still computes stats on every sample', async () => {
    const range = { from: busyStart, to: new Date(busyStart.getTime() + busyCount * 1000) };
    const series = await listRenewals(db.store, { key: busyKey, range });
    const bucketMs = Math.ceil((busyCount * 1000) / MAX_RENEWAL_POINTS);
    expect(series.isDownsampled).toBe(true);
    expect(series.bucketMs).toBe(bucketMs);

    const worstPerBucket = new Map<number, { index: number; intervalMs: number }>();
    for (let index = 0; index < busyCount; index++) {
      const bucket = Math.floor((index * 1000) / bucketMs);
      const best = worstPerBucket.get(bucket);
      if (!best || busyInterval(index) > best.intervalMs) worstPerBucket.set(bucket, { index, intervalMs: busyInterval(index) });
    }
    const expected = [...worstPerBucket.values()].map(({ index, intervalMs }) => [new Date(busyStart.getTime() + index * 1000).toISOString(), intervalMs]);
    expect(series.samples.map((s) => [s.renewTime.toISOString(), s.intervalMs])).toEqual(expected);
    expect(series.samples.length).toBeLessThanOrEqual(MAX_RENEWAL_POINTS);
    expect(series.samples.map((s) => s.intervalMs)).toContain(14_500);
    expect(series.stats.count).toBe(busyCount);
    expect(series.stats.intervalMs.max).toBe(14_500);
  });

  it('throws NotFoundError for a lease it does not know', async () => {
    await expect(listRenewals(db.store, { key: { ...kcm, name: 'nope' }, range: { from: at('10:00:00'), to: at('11:00:00') } })).rejects.toThrow(
      new NotFoundError('lease kube-system/nope not found in cluster prod'),
    );
  });
});

describe('GET /api/leases/{cluster}/{namespace}/{name}/renewals', () => {
  const url = (key: typeof kcm, query: string) => `/api/leases/${key.cluster}/${key.namespace}/${key.name}/renewals?${query}`;

  it('answers samples with ISO 8601 UTC times, stats, and whether it downsampled', async () => {
    const answer = await callGet<RenewalsResponse>(GET, url(kcm, 'from=2025-03-10T10:00:03Z&to=2025-03-10T10:00:07Z'), kcm);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      samples: [
        { renewTime: '2025-03-10T10:00:04.000Z', observedAt: '2025-03-10T10:00:04.020Z', intervalMs: 2000, lagMs: 20 },
        { renewTime: '2025-03-10T10:00:06.100Z', observedAt: '2025-03-10T10:00:06.130Z', intervalMs: 2100, lagMs: 30 },
      ],
      stats: {
        count: 2,
        intervalCount: 2,
        intervalMs: { p50: 2050, p95: 2095, p99: 2099, p999: 2099.9, max: 2100 },
        lagMs: { p50: 25, p95: 29.5, p99: 29.9, p999: 30, max: 30 },
        percentileRelativeError: null,
      },
      downsampled: false,
      bucketMs: null,
      rawFrom: null,
      range: { from: '2025-03-10T10:00:03.000Z', to: '2025-03-10T10:00:07.000Z' },
    });
  });

  it('says so when it downsampled', async () => {
    const answer = await callGet<RenewalsResponse>(GET, url(busyKey, 'from=2025-03-10T00:00:00Z&to=2025-03-10T12:00:00Z'), busyKey);
    expect(answer.body).toMatchObject({ downsampled: true, bucketMs: 8640, stats: { count: busyCount } });
    expect(answer.body.samples.length).toBeLessThanOrEqual(MAX_RENEWAL_POINTS);
  });

  it('answers 400 to a bad range and 404 to an unknown lease', async () => {
    const tooLong = await callGet<{ error: string }>(GET, url(kcm, 'from=2025-01-01T00:00:00Z&to=2025-03-10T00:00:00Z'), kcm);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatch(/^invalid from: must be at most 31 days before to/);
    const unknown = await callGet(GET, url({ ...kcm, cluster: 'dev' }, ''), { ...kcm, cluster: 'dev' });
    expect(unknown).toMatchObject({ status: 404, body: { error: 'lease kube-system/kube-controller-manager not found (no cluster named dev)' } });
  });
});
