import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET } from '../../../app/api/leases/[cluster]/[namespace]/[name]/transitions/route';
import type { TransitionsResponse } from '../../../lib/api/dto';
import { NotFoundError } from '../../../lib/errors';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { listTransitions } from '../../../lib/store/transitions';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;
let kcm: Lease;

const key = { cluster: 'prod', namespace: 'kube-system', name: 'kube-controller-manager' };
const at = (time: string) => new Date(`2025-03-10T${time}Z`);
const hoursAgo = (hours: number) => new Date(Date.now() - hours * 60 * 60 * 1000);

beforeAll(async () => {
  db = await createMigratedDatabase('api_transitions');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod');
  kcm = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-controller-manager' });
  const scheduler = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler' });
  await seedTransitions(db.store, kcm, [
    { at: at('09:59:59.999'), toHolder: 'cp-1', cause: 'first', leaseTransitions: 0 },
    { at: at('10:00:00'), toHolder: 'cp-1', cause: 'first', leaseTransitions: 1 },
    {
      at: at('10:05:00.250'),
      observedAt: at('10:05:00.480'),
      fromHolder: 'cp-1',
      toHolder: 'cp-2',
      cause: 'early_takeover',
      isRestart: false,
      overlapMs: 4750,
      leaseTransitions: 2,
    },
    { at: at('10:20:00'), kind: 'expired', fromHolder: 'cp-2', toHolder: null },
    { at: at('10:20:31'), fromHolder: 'cp-2', toHolder: 'cp-2', cause: 'expiry', isRestart: true, leaderlessMs: 31000, leaseTransitions: 3 },
    { at: at('10:40:00'), kind: 'missed', fromHolder: 'cp-2', toHolder: 'cp-2', missedCount: 2, leaseTransitions: 5 },
    { at: at('11:00:00'), fromHolder: 'cp-2', toHolder: 'cp-3', cause: 'release', leaderlessMs: 900, leaseTransitions: 6 },
    { at: hoursAgo(25), toHolder: 'old' },
    { at: hoursAgo(1), fromHolder: 'cp-3', toHolder: 'cp-1', cause: 'expiry' },
  ]);
  await seedTransitions(db.store, scheduler, [{ at: at('10:10:00'), toHolder: 'sched-1', cause: 'first' }]);
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('listTransitions', () => {
  it('returns the transitions of one lease in [from, to), oldest first', async () => {
    const { transitions, hasMore } = await listTransitions(db.store, { key, range: { from: at('10:00:00'), to: at('11:00:00') }, limit: 100 });
    expect(transitions.map((t) => [t.at.toISOString(), t.kind, t.toHolder])).toEqual([
      ['2025-03-10T10:00:00.000Z', 'acquired', 'cp-1'],
      ['2025-03-10T10:05:00.250Z', 'acquired', 'cp-2'],
      ['2025-03-10T10:20:00.000Z', 'expired', null],
      ['2025-03-10T10:20:31.000Z', 'acquired', 'cp-2'],
      ['2025-03-10T10:40:00.000Z', 'missed', 'cp-2'],
    ]);
    expect(hasMore).toBe(false);
  });

  it('stops at the limit and says there is more', async () => {
    const { transitions, hasMore } = await listTransitions(db.store, { key, range: { from: at('10:00:00'), to: at('11:00:00') }, limit: 2 });
    expect(transitions.map((t) => t.at.toISOString())).toEqual(['2025-03-10T10:00:00.000Z', '2025-03-10T10:05:00.250Z']);
    expect(hasMore).toBe(true);
  });

  it('throws NotFoundError for a lease it does not know', async () => {
    const range = { from: at('10:00:00'), to: at('11:00:00') };
    await expect(listTransitions(db.store, { key: { ...key, name: 'kube-proxy' }, range, limit: 10 })).rejects.toThrow(
      new NotFoundError('lease kube-system/kube-proxy not found in cluster prod'),
    );
  });
});

describe('GET /api/leases/{cluster}/{namespace}/{name}/transitions', () => {
  const url = (query: string) => `/api/leases/prod/kube-system/kube-controller-manager/transitions?${query}`;

  it('answers every fact of a transition with ISO 8601 UTC times and string ids', async () => {
    const answer = await callGet<TransitionsResponse>(GET, url('from=2025-03-10T10:05:00Z&to=2025-03-10T10:30:00Z'), key);
    expect(answer.status).toBe(200);
    expect(answer.body.range).toEqual({ from: '2025-03-10T10:05:00.000Z', to: '2025-03-10T10:30:00.000Z' });
    expect(answer.body.hasMore).toBe(false);
    expect(answer.body.transitions).toEqual([
      {
        id: expect.stringMatching(/^\d+$/),
        kind: 'acquired',
        cause: 'early_takeover',
        at: '2025-03-10T10:05:00.250Z',
        observedAt: '2025-03-10T10:05:00.480Z',
        fromHolder: 'cp-1',
        toHolder: 'cp-2',
        isRestart: false,
        leaderlessMs: null,
        overlapMs: 4750,
        leaseTransitions: 2,
        missedCount: 0,
      },
      expect.objectContaining({ kind: 'expired', cause: null, fromHolder: 'cp-2', toHolder: null }),
      expect.objectContaining({ kind: 'acquired', cause: 'expiry', isRestart: true, leaderlessMs: 31000, leaseTransitions: 3 }),
    ]);
  });

  it('reads an offset time zone and answers in UTC', async () => {
    const answer = await callGet<TransitionsResponse>(GET, url('from=2025-03-10T11:35:00%2B01:00&to=2025-03-10T12:45:00%2B01:00'), key);
    expect(answer.body.range).toEqual({ from: '2025-03-10T10:35:00.000Z', to: '2025-03-10T11:45:00.000Z' });
    expect(answer.body.transitions.map((t) => [t.kind, t.missedCount])).toEqual([
      ['missed', 2],
      ['acquired', 0],
    ]);
  });

  it('covers the last 24 hours by default', async () => {
    const before = Date.now();
    const answer = await callGet<TransitionsResponse>(GET, url(''), key);
    const to = Date.parse(answer.body.range.to);
    expect(to).toBeGreaterThanOrEqual(before);
    expect(to - Date.parse(answer.body.range.from)).toBe(24 * 60 * 60 * 1000);
    expect(answer.body.transitions.map((t) => t.toHolder)).toEqual(['cp-1']);
  });

  it('reaches from `from` to now, and looks back a day from `to`', async () => {
    const from = hoursAgo(30).toISOString();
    const sinceFrom = await callGet<TransitionsResponse>(GET, url(`from=${from}`), key);
    expect(sinceFrom.body.transitions.map((t) => t.toHolder)).toEqual(['old', 'cp-1']);
    const untilTo = await callGet<TransitionsResponse>(GET, url('to=2025-03-10T10:05:00Z'), key);
    expect(untilTo.body.range.from).toBe('2025-03-09T10:05:00.000Z');
    expect(untilTo.body.transitions.map((t) => t.at)).toEqual(['2025-03-10T09:59:59.999Z', '2025-03-10T10:00:00.000Z']);
  });

  it('honours limit', async () => {
    const answer = await callGet<TransitionsResponse>(GET, url('from=2025-03-10T09:00:00Z&to=2025-03-10T12:00:00Z&limit=3'), key);
    expect(answer.body.transitions).toHaveLength(3);
    expect(answer.body.hasMore).toBe(true);
  });

  it.each([
    ['from=yesterday', /^invalid from: must be an ISO 8601 date-time with a zone/],
    ['to=2025-03-10T10:00:00', /^invalid to: must be an ISO 8601 date-time with a zone/],
    ['from=2025-03-10T11:00:00+01:00', /^invalid from: must be an ISO 8601 date-time with a zone, .*%2B/],
    ['from=2025-03-10T10:00:00Z&to=2025-03-10T10:00:00Z', /^invalid from: must be before to \(from 2025-03-10T10:00:00.000Z, to 2025-03-10T10:00:00.000Z\)$/],
    ['from=2025-03-10T11:00:00Z&to=2025-03-10T10:00:00Z', /^invalid from: must be before to/],
    ['from=2025-01-15T00:00:00Z&to=2025-03-10T00:00:00Z', /^invalid from: must be at most 31 days before to \(the range spans 54.0 days\)$/],
    ['from=2025-03-10T10:00:00Z&to=2025-03-10T10:01:00Z&lmit=5', /^unknown query parameter lmit \(accepted: from, to, limit\)$/],
  ])('answers 400 to ?%s', async (query, error) => {
    const answer = await callGet<{ error: string }>(GET, url(query), key);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(error);
  });

  it('accepts a range of exactly 31 days', async () => {
    const answer = await callGet(GET, url('from=2025-02-07T10:00:00Z&to=2025-03-10T10:00:00Z'), key);
    expect(answer.status).toBe(200);
  });

  it('answers 404 to an unknown lease', async () => {
    const answer = await callGet(GET, '/api/leases/prod/kube-system/x/transitions', { ...key, name: 'x' });
    expect(answer).toMatchObject({ status: 404, body: { error: 'lease kube-system/x not found in cluster prod' } });
  });
});
