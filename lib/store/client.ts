import { PrismaPg } from '@prisma/adapter-pg';
import { getEnv } from '../env';
import { PrismaClient } from './generated/prisma/client';
import { createPool, type PgStore } from './pg-store';

// The web tier's store: Prisma for its typed queries, over the same pool the PgStore functions use.
export type Store = PgStore & { prisma: PrismaClient };

// One pool per process: Prisma goes through it for ordinary queries and the ingest hot path
// borrows raw clients from it for COPY. Kept on globalThis so dev hot-reload does not leak pools.
const globalForStore = globalThis as unknown as { leasetrailStore?: Store };

export function createStore(databaseUrl: string, options: { max?: number } = {}): Store {
  const pool = createPool(databaseUrl, options);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { prisma, pool };
}

// The database a store connects to: for a worker thread, which opens its own connections.
export function databaseUrlOf(store: PgStore): string {
  const url = store.pool.options.connectionString;
  if (!url) throw new Error('the store was created without a connection string');
  return url;
}

export function getStore(): Store {
  if (globalForStore.leasetrailStore) return globalForStore.leasetrailStore;
  const url = getEnv().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: start Leasetrail with `npm start`, which provides one');
  globalForStore.leasetrailStore = createStore(url);
  return globalForStore.leasetrailStore;
}

export async function closeStore(store: Store): Promise<void> {
  await store.prisma.$disconnect();
  await store.pool.end();
}
