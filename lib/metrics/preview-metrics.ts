import { Counter, Gauge } from 'prom-client';
import { getRegistry } from './registry';

// Rule previews run by the web tier's preview worker threads (lib/server/preview-pool.ts), by how they ended.
export type PreviewOutcome = 'answered' | 'refused' | 'cancelled' | 'failed';

function createPreviewMetrics() {
  const registers = [getRegistry()];
  return {
    runs: new Counter({ name: 'leasetrail_preview_worker_runs_total', help: 'Rule previews run in a worker thread, by outcome', labelNames: ['outcome'], registers }),
    busy: new Gauge({ name: 'leasetrail_preview_worker_busy_threads', help: 'Preview worker threads running a preview now', registers }),
    queued: new Gauge({ name: 'leasetrail_preview_worker_queued', help: 'Previews waiting for a free preview worker thread', registers }),
  };
}

const key = Symbol.for('leasetrail.preview-metrics');

function metrics(): ReturnType<typeof createPreviewMetrics> {
  const holder = globalThis as { [key]?: ReturnType<typeof createPreviewMetrics> };
  holder[key] ??= createPreviewMetrics();
  return holder[key];
}

export function recordPreviewRun(outcome: PreviewOutcome): void {
  metrics().runs.inc({ outcome });
}

export function recordPreviewLoad(load: { busy: number; queued: number }): void {
  metrics().busy.set(load.busy);
  metrics().queued.set(load.queued);
}
