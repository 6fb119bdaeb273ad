import { Counter, Gauge, Histogram } from 'prom-client';
import { classifyLease } from '../leases/classify';
import type { LeaseKey } from '../leases/types';
import { CompactHistogram } from './compact-histogram';
import { defaultMaxLeaseSeries } from './lease-series';
import { getRegistry } from './registry';
import type { ThreadMetricsSkip } from './thread-metrics';

// The controller's own health and the renewals it sees, recorded where it runs (controller metrics port, or
// the web tier's /metrics when both run in one process). Series per lease only for election leases: node
// heartbeats and API server identities (one per node or server) share one series per cluster and namespace, lease="".
// With controller threads, each cluster is watched by one thread only: summing the threads' series per label set
// (prom-client's default aggregator, see thread-metrics.ts) adds disjoint series and changes no value.
export const watchStates = ['connecting', 'connected', 'reconnecting', 'failing', 'standby', 'stopped'] as const;
export type WatchState = (typeof watchStates)[number];

const renewBuckets = [0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 120];
const lagBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

function createControllerMetrics() {
  const registers = [getRegistry()];
  return {
    watchState: new Gauge({ name: 'leasetrail_controller_watch_state', help: 'Watch state of each cluster this process owns (1 for the current state)', labelNames: ['cluster', 'state'], registers }),
    eventsIngested: new Counter({ name: 'leasetrail_controller_events_ingested_total', help: 'Watch and list events stored', labelNames: ['cluster'], registers }),
    batchWrite: new Histogram({ name: 'leasetrail_controller_batch_write_seconds', help: 'Time to store one batch of events in PostgreSQL', labelNames: ['cluster'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers }),
    batchFailures: new Counter({ name: 'leasetrail_controller_batch_write_failures_total', help: 'Batches that failed to store and were retried', labelNames: ['cluster'], registers }),
    bufferDepth: new Gauge({ name: 'leasetrail_controller_buffer_depth', help: 'Events waiting to be stored', labelNames: ['cluster'], registers }),
    relists: new Counter({ name: 'leasetrail_controller_relists_total', help: 'Full lists of a cluster (start, resume failure, 410, overflow)', labelNames: ['cluster'], registers }),
    reconnects: new Counter({ name: 'leasetrail_controller_reconnects_total', help: 'Times a watch connection was lost and retried', labelNames: ['cluster'], registers }),
    // Up to LEASETRAIL_METRICS_MAX_LEASE_SERIES label sets each: compact (compact-histogram.ts), same exposition.
    renewInterval: new CompactHistogram('leasetrail_lease_renew_interval_seconds', 'Time between consecutive renewals, by the holder clock bounded by observation', ['cluster', 'namespace', 'lease'], renewBuckets, registers),
    observationLag: new CompactHistogram('leasetrail_lease_observation_lag_seconds', 'Delay between a renewTime and Leasetrail observing it', ['cluster', 'namespace', 'lease'], lagBuckets, registers),
    leaseSeriesCapped: new Gauge({ name: 'leasetrail_controller_lease_series_capped', help: 'Election leases whose renewals this controller records in the lease="" series of their cluster and namespace because the per-lease series cap was reached', registers }),
    threadMetricsSkipped: new Counter({ name: 'leasetrail_controller_thread_metrics_skipped_total', help: 'Scrapes served without the metrics of a controller thread (it did not answer in time, failed, or had exited)', labelNames: ['thread', 'reason'], registers }),
  };
}

type ControllerMetrics = ReturnType<typeof createControllerMetrics>;
const key = Symbol.for('leasetrail.controller-metrics');

function metrics(): ControllerMetrics {
  const holder = globalThis as { [key]?: ControllerMetrics };
  holder[key] ??= createControllerMetrics();
  return holder[key];
}

export function recordWatchState(cluster: string, state: WatchState): void {
  const gauge = metrics().watchState;
  for (const candidate of watchStates) gauge.set({ cluster, state: candidate }, candidate === state ? 1 : 0);
  if (state === 'reconnecting') metrics().reconnects.inc({ cluster });
}

export function recordRelist(cluster: string): void {
  metrics().relists.inc({ cluster });
}

export function recordBatchStored(cluster: string, events: number, seconds: number): void {
  metrics().eventsIngested.inc({ cluster }, events);
  metrics().batchWrite.observe({ cluster }, seconds);
}

export function recordBatchFailed(cluster: string): void {
  metrics().batchFailures.inc({ cluster });
}

export function recordBufferDepth(cluster: string, depth: number): void {
  metrics().bufferDepth.set({ cluster }, depth);
}

// Which election leases have series of their own: at most `limit` in this thread (the first seen keep them,
// until their lease is deleted); the others share the lease="" series of their cluster and namespace.
// A histogram series pair is 2 × 14 series in Prometheus (and ≈ 1.6 KB of heap here in CompactHistogram; 4.8 KB
// in prom-client's Histogram), so 100,000 election leases would be 2.8 M series there without a cap.
type SeriesBook = { limit: number; leases: Set<string>; overflow: Set<string> };
const bookKey = Symbol.for('leasetrail.controller-metrics.series');

function seriesBook(): SeriesBook {
  const holder = globalThis as { [bookKey]?: SeriesBook };
  holder[bookKey] ??= { limit: defaultMaxLeaseSeries, leases: new Set(), overflow: new Set() };
  return holder[bookKey];
}

// The per-lease series cap of this thread (LEASETRAIL_METRICS_MAX_LEASE_SERIES, split between controller threads).
export function configureLeaseSeries(limit: number): void {
  seriesBook().limit = Math.max(0, Math.floor(limit));
}

const seriesId = (key: LeaseKey) => `${key.cluster}\u0000${key.namespace}\u0000${key.name}`;

function leaseLabel(key: LeaseKey): string {
  if (classifyLease(key.namespace, key.name, {}) !== 'election') return '';
  const book = seriesBook();
  const id = seriesId(key);
  if (book.leases.has(id)) return key.name;
  if (book.leases.size < book.limit) {
    book.leases.add(id);
    return key.name;
  }
  if (!book.overflow.has(id)) {
    book.overflow.add(id);
    metrics().leaseSeriesCapped.set(book.overflow.size);
  }
  return '';
}

export function recordRenewal(key: LeaseKey, intervalMs: number | null, lagMs: number | null): void {
  const labels = { cluster: key.cluster, namespace: key.namespace, lease: leaseLabel(key) };
  if (intervalMs !== null) metrics().renewInterval.observe(labels, intervalMs / 1000);
  if (lagMs !== null && lagMs >= 0) metrics().observationLag.observe(labels, lagMs / 1000);
}

// A deleted lease's series go (a lease that comes back starts new ones), and its place under the cap is free.
export function forgetLeaseSeries(key: LeaseKey): void {
  const book = seriesBook();
  const id = seriesId(key);
  if (book.overflow.delete(id)) metrics().leaseSeriesCapped.set(book.overflow.size);
  if (!book.leases.delete(id)) return;
  const labels = { cluster: key.cluster, namespace: key.namespace, lease: key.name };
  metrics().renewInterval.remove(labels);
  metrics().observationLag.remove(labels);
}

export function recordThreadMetricsSkipped(thread: number, reason: ThreadMetricsSkip): void {
  metrics().threadMetricsSkipped.inc({ thread: String(thread), reason });
}
