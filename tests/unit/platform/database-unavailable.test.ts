import { describe, expect, it } from 'vitest';
import { setDatabaseStatus } from '@/lib/store/database-status';
import { describeDatabaseUnavailable, isDatabaseUnavailable } from '@/lib/store/database-unavailable';
import { handleApiError } from '@/lib/http/handle-api-error';

// Shapes taken from real failures: pg's refused connection, Prisma's wrapping of the adapter's 57P03.
const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const prismaStartingUp = Object.assign(new Error('Invalid `prisma.cluster.findMany()` invocation: Database error. Code: `57P03`'), {
  code: 'P2039',
  meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { originalCode: '57P03', kind: 'postgres', code: '57P03', message: 'the database system is starting up' } } },
});
const aggregate = new AggregateError([refused], '');

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', refused],
    ['Prisma wrapping the adapter error of a starting server', prismaStartingUp],
    ['an AggregateError of refused addresses', aggregate],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a cause chain', new Error('query failed', { cause: refused })],
  ])('is true for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  it.each([
    ['a query error', Object.assign(new Error('relation "x" does not exist'), { code: '42P01' })],
    ['a unique violation', Object.assign(new Error('duplicate key'), { code: '23505' })],
    ['a plain bug', new TypeError('x is undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('is false for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe('handleApiError while the database is down', () => {
  it('answers 503 with the reason the supervisor knows, never 500', async () => {
    setDatabaseStatus({ state: 'restarting', reason: 'embedded PostgreSQL exited unexpectedly (signal SIGKILL); restarting it', since: '2026-01-01T00:00:00.000Z', restarts: 0 });
    try {
      const response = handleApiError(prismaStartingUp);
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('2');
      expect(await response.json()).toEqual({ error: 'the database is unavailable: embedded PostgreSQL exited unexpectedly (signal SIGKILL); restarting it; retry shortly' });
    } finally {
      setDatabaseStatus(undefined);
    }
    expect(describeDatabaseUnavailable()).toBe('the database is unavailable; retry shortly (see /api/health)');
    expect(handleApiError(new TypeError('bug')).status).toBe(500);
  });
});
