import type { Logger } from '../log';
import type { PgStore } from './pg-store';
import { PeriodicJob, type Clock } from './periodic-job';

export type ContextRetentionOptions = { store: PgStore; log: Logger; retentionMs: number; clock?: Clock; intervalMs?: number; batchSize?: number };

export type PrunedContext = { events: number; restarts: number; pods: number };

// Deletes in small batches so a first run over a long backlog never holds locks for long.
async function pruneInBatches(store: PgStore, sql: string, cutoff: Date, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await store.pool.query(sql, [cutoff, batchSize]);
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return total;
  }
}

// The failover context older than the retention: Events that ended before it, restarts seen before it, and
// pods deleted before it (a pod still alive is kept however old: it may hold a lease today).
export async function pruneFailoverContext(store: PgStore, now: number, retentionMs: number, batchSize = 5_000): Promise<PrunedContext> {
  const cutoff = new Date(now - retentionMs);
  const events = await pruneInBatches(store, `DELETE FROM "KubeEvent" WHERE id IN (SELECT id FROM "KubeEvent" WHERE "lastAt" < $1 LIMIT $2)`, cutoff, batchSize);
  const restarts = await pruneInBatches(store, `DELETE FROM "ContainerRestart" WHERE id IN (SELECT id FROM "ContainerRestart" WHERE "observedAt" < $1 LIMIT $2)`, cutoff, batchSize);
  const pods = await pruneInBatches(store, `DELETE FROM "PodSighting" WHERE id IN (SELECT id FROM "PodSighting" WHERE "deletedAt" < $1 LIMIT $2)`, cutoff, batchSize);
  return { events, restarts, pods };
}

// Runs the pruning now and then every hour (LEASETRAIL_CONTEXT_RETENTION_DAYS).
export class ContextRetentionJob extends PeriodicJob<PrunedContext> {
  constructor(private readonly options: ContextRetentionOptions) {
    super({ what: 'pruning failover context', log: options.log, intervalMs: options.intervalMs ?? 60 * 60_000, clock: options.clock });
  }

  protected async run(): Promise<PrunedContext> {
    const { store, log, retentionMs, batchSize } = this.options;
    const pruned = await pruneFailoverContext(store, this.clock.now(), retentionMs, batchSize);
    if (pruned.events + pruned.restarts + pruned.pods > 0) log.info(pruned, 'pruned failover context past its retention');
    return pruned;
  }
}
