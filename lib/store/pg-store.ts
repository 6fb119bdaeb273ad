import pg from 'pg';
import type { Sql } from './sql';

// The store without Prisma: what the controller process runs on (the alert engine, notification delivery,
// the rollup, partition and retention jobs), so its process never loads Prisma's client and query
// compiler. The web tier's Store (client.ts) is this plus Prisma, so every function taking a PgStore
// serves both.
export type PgStore = { pool: pg.Pool };

// A pool, a client checked out of it, or a transaction's client.
export type Queryable = pg.Pool | pg.PoolClient | pg.Client;

export function createPool(databaseUrl: string, options: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.max ?? 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its server (PostgreSQL restarted) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function createPgStore(databaseUrl: string, options: { max?: number } = {}): PgStore {
  return { pool: createPool(databaseUrl, options) };
}

export async function closePgStore(store: PgStore): Promise<void> {
  await store.pool.end();
}

const int8 = 20;
const int8Array = 1016;
const parserOf = pg.types.getTypeParser as unknown as (oid: number, format?: 'text' | 'binary') => (text: string) => unknown;
const parseInt8Array = parserOf(int8Array) as (text: string) => Array<string | null>;

// bigint columns (ids) as BigInt, as Prisma returns them; node-postgres' default is a string.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === int8) return (text: string) => BigInt(text);
    if (oid === int8Array) return (text: string) => parseInt8Array(text).map((value) => (value === null ? null : BigInt(value)));
    return parserOf(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export async function queryRows<T>(db: Queryable, query: Sql): Promise<T[]> {
  const { rows } = await db.query<T & pg.QueryResultRow>({ text: query.text, values: query.values, types });
  return rows;
}

export async function queryRow<T>(db: Queryable, query: Sql): Promise<T | undefined> {
  return (await queryRows<T>(db, query))[0];
}

// Rows changed (INSERT, UPDATE, DELETE).
export async function execute(db: Queryable, query: Sql): Promise<number> {
  const { rowCount } = await db.query({ text: query.text, values: query.values });
  return rowCount ?? 0;
}

export type TransactionOptions = { timeoutMs?: number };

// One client, BEGIN … COMMIT (READ COMMITTED, as Prisma's interactive transactions): rolled back when
// `run` throws. timeoutMs bounds every statement and any wait between them (what Prisma's `timeout` was for:
// a stuck transaction never holds its locks for long; default 5 s like Prisma's).
export async function inTransaction<T>(pool: pg.Pool, run: (client: pg.PoolClient) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const timeoutMs = Math.max(1, Math.floor(options.timeoutMs ?? 5_000));
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${timeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${timeoutMs}`);
    const result = await run(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (isBroken = true));
    throw error;
  } finally {
    client.release(isBroken);
  }
}

// A unique constraint refused the write: PostgreSQL's 23505 as node-postgres reports it, or Prisma's P2002.
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'P2002';
}
