import type pg from 'pg';
import { BudgetExceededError, ClientGoneError } from '../errors';
import type { Store } from './client';

export type BudgetedQuery = <R extends pg.QueryResultRow>(query: { text: string; values: unknown[] }) => Promise<R[]>;

const isQueryCanceled = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';

// A heavy read runs in one read-only transaction, each statement stopped by PostgreSQL when the read's
// whole budget is spent: the waiting happens in the database, not on the event loop that answers health
// and the live stream, and a range too big for the budget gets a clear answer instead of a stalled process.
// When `signal` aborts (the client hung up), the running statement is cancelled in PostgreSQL at once
// (pg_cancel_backend from another connection) and no further statement starts: the connection, the heavy
// slot and the database's CPU are not spent on an answer nobody reads.
export async function readWithinBudget<T>(
  store: Store,
  input: { budgetMs: number; what: string; now?: () => number; signal?: AbortSignal },
  read: (query: BudgetedQuery) => Promise<T>,
): Promise<T> {
  const now = input.now ?? (() => performance.now());
  const deadline = now() + input.budgetMs;
  const exceeded = () => new BudgetExceededError(`${input.what} took longer than its ${input.budgetMs / 1000} s budget: narrow the range, or filter by cluster or namespace`);
  const gone = () => new ClientGoneError(`${input.what} was cancelled: its client went away`);
  if (input.signal?.aborted) throw gone();
  const client = await store.pool.connect();
  let isBroken = false;
  let running = false;
  let cancelling: Promise<unknown> | undefined;
  const cancel = () => {
    const pid = (client as pg.PoolClient & { processID?: number }).processID;
    if (!running || pid === undefined) return;
    cancelling = store.pool.query('SELECT pg_cancel_backend($1)', [pid]).catch(() => undefined);
  };
  input.signal?.addEventListener('abort', cancel, { once: true });
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const query: BudgetedQuery = async (statement) => {
      if (input.signal?.aborted) throw gone();
      const remaining = Math.floor(deadline - now());
      if (remaining <= 0) throw exceeded();
      await client.query(`SET LOCAL statement_timeout = ${remaining}`);
      running = true;
      try {
        const { rows } = await client.query(statement.text, statement.values);
        return rows;
      } finally {
        running = false;
      }
    };
    const result = await read(query);
    if (input.signal?.aborted) throw gone();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A cancel sent as the statement ended may land on the next one: it is awaited before the rollback.
    await cancelling;
    await client.query('ROLLBACK').catch(() => {
      isBroken = true;
    });
    if (input.signal?.aborted) throw gone();
    throw isQueryCanceled(error) ? exceeded() : error;
  } finally {
    input.signal?.removeEventListener('abort', cancel);
    client.release(isBroken);
  }
}
