import type pg from 'pg';
import { BudgetExceededError } from '../errors';
import type { Store } from './client';

export type BudgetedQuery = <R extends pg.QueryResultRow>(query: { text: string; values: unknown[] }) => Promise<R[]>;

const isQueryCanceled = (error: unknown) => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '57014';

// A heavy read runs in one read-only transaction, each statement stopped by PostgreSQL when the read's
// whole budget is spent: the waiting happens in the database, not on the event loop that answers health
// and the live stream, and a range too big for the budget gets a clear answer instead of a stalled process.
export async function readWithinBudget<T>(store: Store, input: { budgetMs: number; what: string; now?: () => number }, read: (query: BudgetedQuery) => Promise<T>): Promise<T> {
  const now = input.now ?? (() => performance.now());
  const deadline = now() + input.budgetMs;
  const exceeded = () => new BudgetExceededError(`${input.what} took longer than its ${input.budgetMs / 1000} s budget: narrow the range, or filter by cluster or namespace`);
  const client = await store.pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const query: BudgetedQuery = async (statement) => {
      const remaining = Math.floor(deadline - now());
      if (remaining <= 0) throw exceeded();
      await client.query(`SET LOCAL statement_timeout = ${remaining}`);
      const { rows } = await client.query(statement.text, statement.values);
      return rows;
    };
    const result = await read(query);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      isBroken = true;
    });
    throw isQueryCanceled(error) ? exceeded() : error;
  } finally {
    client.release(isBroken);
  }
}
