import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/gaps/route';
import type { GapsResponse } from '../../../lib/api/dto';
import { NotFoundError } from '../../../lib/errors';
import { listGaps } from '../../../lib/store/gaps';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedGap } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;

const at = (time: string) => new Date(`2025-03-10T${time}Z`);
const range = { from: at('10:00:00'), to: at('12:00:00') };

beforeAll(async () => {
  db = await createMigratedDatabase('api_gaps');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod');
  const edge = await seedCluster(db.store, 'edge');
  await seedGap(db.store, prod, { startedAt: at('08:00:00'), endedAt: at('09:00:00'), detail: 'before' });
  await seedGap(db.store, prod, { startedAt: at('09:00:00'), endedAt: at('10:00:00'), detail: 'ends at from' });
  await seedGap(db.store, prod, { startedAt: at('07:00:00'), endedAt: at('13:00:00'), detail: 'spans the range', reason: 'controller_down' });
  await seedGap(db.store, prod, { startedAt: at('09:30:00'), endedAt: at('10:30:00'), detail: 'overlaps from' });
  await seedGap(db.store, prod, { startedAt: at('10:45:00'), endedAt: at('11:00:00'), detail: 'inside', reason: 'history_expired' });
  await seedGap(db.store, prod, { startedAt: at('11:30:00'), endedAt: at('13:00:00'), detail: 'overlaps to' });
  await seedGap(db.store, prod, { startedAt: at('11:50:00'), endedAt: null, detail: 'open', reason: 'connect_failed' });
  await seedGap(db.store, prod, { startedAt: at('12:00:00'), endedAt: at('12:30:00'), detail: 'starts at to' });
  await seedGap(db.store, edge, { startedAt: at('08:00:00'), endedAt: null, detail: 'open since before', reason: 'ownership_lost' });
  await seedGap(db.store, edge, { startedAt: at('12:10:00'), endedAt: null, detail: 'open, after' });
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('listGaps', () => {
  it('returns every gap overlapping [from, to), open ones included, by start', async () => {
    const { gaps, hasMore } = await listGaps(db.store, { range, limit: 100 });
    expect(gaps.map((gap) => `${gap.cluster}: ${gap.detail}`)).toEqual([
      'prod: spans the range',
      'edge: open since before',
      'prod: overlaps from',
      'prod: inside',
      'prod: overlaps to',
      'prod: open',
    ]);
    expect(hasMore).toBe(false);
  });

  it('filters by cluster', async () => {
    const { gaps } = await listGaps(db.store, { cluster: 'edge', range, limit: 100 });
    expect(gaps).toEqual([{ id: expect.any(BigInt), cluster: 'edge', startedAt: at('08:00:00'), endedAt: null, reason: 'ownership_lost', detail: 'open since before' }]);
  });

  it('stops at the limit and says there is more', async () => {
    const { gaps, hasMore } = await listGaps(db.store, { cluster: 'prod', range, limit: 2 });
    expect(gaps.map((gap) => gap.detail)).toEqual(['spans the range', 'overlaps from']);
    expect(hasMore).toBe(true);
  });

  it('refuses an unknown cluster instead of reporting it fully observed', async () => {
    await expect(listGaps(db.store, { cluster: 'staging', range, limit: 10 })).rejects.toThrow(new NotFoundError('cluster staging not found'));
  });
});

describe('GET /api/gaps', () => {
  it('answers gaps with ISO 8601 UTC times, string ids and null for still open', async () => {
    const answer = await callGet<GapsResponse>(GET, '/api/gaps?cluster=prod&from=2025-03-10T11:40:00Z&to=2025-03-10T12:00:00Z');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      gaps: [
        { id: expect.stringMatching(/^\d+$/), cluster: 'prod', startedAt: '2025-03-10T07:00:00.000Z', endedAt: '2025-03-10T13:00:00.000Z', reason: 'controller_down', detail: 'spans the range' },
        { id: expect.stringMatching(/^\d+$/), cluster: 'prod', startedAt: '2025-03-10T11:30:00.000Z', endedAt: '2025-03-10T13:00:00.000Z', reason: 'watch_lost', detail: 'overlaps to' },
        { id: expect.stringMatching(/^\d+$/), cluster: 'prod', startedAt: '2025-03-10T11:50:00.000Z', endedAt: null, reason: 'connect_failed', detail: 'open' },
      ],
      hasMore: false,
      range: { from: '2025-03-10T11:40:00.000Z', to: '2025-03-10T12:00:00.000Z' },
    });
  });

  it('answers every cluster without a cluster filter', async () => {
    const answer = await callGet<GapsResponse>(GET, '/api/gaps?from=2025-03-10T12:05:00Z&to=2025-03-10T12:15:00Z');
    expect(answer.body.gaps.map((gap) => gap.detail)).toEqual(['spans the range', 'open since before', 'overlaps to', 'open', 'starts at to', 'open, after']);
  });

  it.each([
    ['from=garbage', 400, /^invalid from: must be an ISO 8601 date-time/],
    ['to=2025-03-10', 400, /^invalid to: must be an ISO 8601 date-time/],
    ['cluster=prod&namespace=kube-system', 400, /^unknown query parameter namespace \(accepted: cluster, from, to, limit\)$/],
    ['cluster=nope', 404, /^cluster nope not found$/],
  ])('answers ?%s with %i', async (query, status, error) => {
    const answer = await callGet<{ error: string }>(GET, `/api/gaps?${query}`);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(error);
  });
});
