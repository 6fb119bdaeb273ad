import type { Store } from './client';
import { getDatabaseStatus, type DatabaseStatus } from './database-status';

async function getLatestAppliedMigration(store: Store): Promise<string | null> {
  const { rows } = await store.pool.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name DESC LIMIT 1`,
  );
  return rows[0]?.migration_name ?? null;
}

export type Health = {
  status: 'ok' | 'degraded';
  version: string;
  database: { reachable: boolean; migration: string | null; latencyMs: number | null; error?: string; embedded?: DatabaseStatus };
};

export async function getHealth(store: Store, version: string): Promise<Health> {
  const started = performance.now();
  const status = getDatabaseStatus();
  const embedded = status ? { embedded: status } : {};
  try {
    const migration = await getLatestAppliedMigration(store);
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 'ok', version, database: { reachable: true, migration, latencyMs, ...embedded } };
  } catch (error) {
    const message = status?.state === 'restarting' ? status.reason : error instanceof Error ? error.message : String(error);
    return { status: 'degraded', version, database: { reachable: false, migration: null, latencyMs: null, error: message, ...embedded } };
  }
}
