import { getLatestAppliedMigration } from './migrate';
import type { Store } from './client';

export type Health = {
  status: 'ok' | 'degraded';
  version: string;
  database: { reachable: boolean; migration: string | null; latencyMs: number | null; error?: string };
};

export async function getHealth(store: Store, version: string): Promise<Health> {
  const started = performance.now();
  try {
    const migration = await getLatestAppliedMigration((sql) => store.pool.query(sql));
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return { status: 'ok', version, database: { reachable: true, migration, latencyMs } };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'degraded', version, database: { reachable: false, migration: null, latencyMs: null, error: message } };
  }
}
