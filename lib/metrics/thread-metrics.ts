import { AggregatorRegistry, Registry, type MetricObjectWithValues, type MetricValue, type PrometheusContentType } from 'prom-client';
import { getRegistry } from './registry';

// Metrics recorded in worker threads (the controller's, with LEASETRAIL_CONTROLLER_THREADS > 1) live in each
// thread's own registry; the thread that serves /metrics asks the others at scrape time and aggregates.
export type ThreadMetrics = MetricObjectWithValues<MetricValue<string>>[];
export type ThreadMetricsSource = () => Promise<ThreadMetrics[]>;
// Why a scrape went without one thread's metrics.
export type ThreadMetricsSkip = 'timeout' | 'failed' | 'exited';

// A thread's process_* and nodejs_* metrics describe the process the serving thread already reports.
export function isOwnMetric(name: string): boolean {
  return name.startsWith('leasetrail_');
}

export function ownMetrics(metrics: ThreadMetrics): ThreadMetrics {
  return metrics.filter((metric) => isOwnMetric(metric.name));
}

// This thread's process and Node.js metrics as they are, and Leasetrail's own metrics of this thread and
// the others aggregated per label set by each metric's aggregator (sum unless its definition says otherwise).
// Only our own metrics are aggregated: prom-client's defaults use aggregators meant for cluster mode
// ('omit' drops process_start_time_seconds even when one thread reports it).
export async function aggregateThreadMetrics(main: Registry, threads: ThreadMetrics[]): Promise<Registry> {
  const own = AggregatorRegistry.aggregate<PrometheusContentType>([ownMetrics(await main.getMetricsAsJSON()), ...threads.map(ownMetrics)]);
  const processOnly = new Registry();
  for (const { name } of main.getMetricsAsArray()) {
    const metric = isOwnMetric(name) ? undefined : main.getSingleMetric(name);
    if (metric) processOnly.registerMetric(metric);
  }
  return Registry.merge([processOnly, own]);
}

// Held on globalThis: the controller registers in the start bundle's module graph, the /metrics route
// handler Next compiled reads from its own.
const key = Symbol.for('leasetrail.thread-metrics-sources');

function getSources(): Set<ThreadMetricsSource> {
  const holder = globalThis as { [key]?: Set<ThreadMetricsSource> };
  holder[key] ??= new Set();
  return holder[key];
}

export function registerThreadMetricsSource(source: ThreadMetricsSource): () => void {
  getSources().add(source);
  return () => {
    getSources().delete(source);
  };
}

// What this process exports of itself: this thread's registry, with every registered thread's metrics.
export async function collectProcessMetrics(): Promise<Registry> {
  const sources = [...getSources()];
  if (sources.length === 0) return getRegistry();
  const threads = await Promise.all(sources.map((source) => source()));
  return aggregateThreadMetrics(getRegistry(), threads.flat());
}
