import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { getRegistry } from '@/lib/metrics/registry';
import { aggregateThreadMetrics, collectProcessMetrics, registerThreadMetricsSource } from '@/lib/metrics/thread-metrics';

// A thread's registry as lib/metrics/registry.ts builds it: prom-client's defaults plus our own metrics.
function threadRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

function lines(text: string, prefix: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(prefix));
}

function stateOf(registers: Registry[]) {
  return {
    watchState: new Gauge({ name: 'leasetrail_controller_watch_state', help: 'h', labelNames: ['cluster', 'state'], registers }),
    ingested: new Counter({ name: 'leasetrail_controller_events_ingested_total', help: 'h', labelNames: ['cluster'], registers }),
    renew: new Histogram({ name: 'leasetrail_lease_renew_interval_seconds', help: 'h', labelNames: ['cluster'], buckets: [1, 2], registers }),
  };
}

let unregister: (() => void) | undefined;
afterEach(() => {
  unregister?.();
  unregister = undefined;
});

describe('aggregateThreadMetrics', () => {
  it('shows each cluster of each thread once with its value, and the serving thread’s process metrics once', async () => {
    const main = threadRegistry();
    new Counter({ name: 'leasetrail_preview_worker_runs_total', help: 'h', labelNames: ['outcome'], registers: [main] }).inc({ outcome: 'answered' }, 3);
    const one = threadRegistry();
    const two = threadRegistry();
    const first = stateOf([one]);
    const second = stateOf([two]);
    first.watchState.set({ cluster: 'alpha', state: 'connected' }, 1);
    first.ingested.inc({ cluster: 'alpha' }, 7);
    first.renew.observe({ cluster: 'alpha' }, 1.5);
    first.renew.observe({ cluster: 'alpha' }, 3);
    second.watchState.set({ cluster: 'beta', state: 'connected' }, 1);
    second.ingested.inc({ cluster: 'beta' }, 11);
    second.renew.observe({ cluster: 'beta' }, 0.5);
    // Something only a worker thread has that is not Leasetrail's own: never exported from a thread.
    new Gauge({ name: 'nodejs_thread_only_example', help: 'h', registers: [two] }).set(5);

    const text = await (await aggregateThreadMetrics(main, [await one.getMetricsAsJSON(), await two.getMetricsAsJSON()])).metrics();

    expect(lines(text, 'leasetrail_controller_watch_state{')).toEqual(['leasetrail_controller_watch_state{cluster="alpha",state="connected"} 1', 'leasetrail_controller_watch_state{cluster="beta",state="connected"} 1']);
    expect(lines(text, 'leasetrail_controller_events_ingested_total{')).toEqual(['leasetrail_controller_events_ingested_total{cluster="alpha"} 7', 'leasetrail_controller_events_ingested_total{cluster="beta"} 11']);
    expect(lines(text, 'leasetrail_lease_renew_interval_seconds_')).toEqual([
      'leasetrail_lease_renew_interval_seconds_bucket{le="1",cluster="alpha"} 0',
      'leasetrail_lease_renew_interval_seconds_bucket{le="2",cluster="alpha"} 1',
      'leasetrail_lease_renew_interval_seconds_bucket{le="+Inf",cluster="alpha"} 2',
      'leasetrail_lease_renew_interval_seconds_sum{cluster="alpha"} 4.5',
      'leasetrail_lease_renew_interval_seconds_count{cluster="alpha"} 2',
      'leasetrail_lease_renew_interval_seconds_bucket{le="1",cluster="beta"} 1',
      'leasetrail_lease_renew_interval_seconds_bucket{le="2",cluster="beta"} 1',
      'leasetrail_lease_renew_interval_seconds_bucket{le="+Inf",cluster="beta"} 1',
      'leasetrail_lease_renew_interval_seconds_sum{cluster="beta"} 0.5',
      'leasetrail_lease_renew_interval_seconds_count{cluster="beta"} 1',
    ]);
    expect(lines(text, 'leasetrail_preview_worker_runs_total{')).toEqual(['leasetrail_preview_worker_runs_total{outcome="answered"} 3']);
    expect(text).not.toContain('nodejs_thread_only_example');

    // Every family once; the serving thread's process metrics as it reports them, including the one whose
    // cluster-mode aggregator ('omit') would have dropped it.
    const families = lines(text, '# TYPE ').map((line) => line.split(' ')[2]);
    expect(families.length).toBe(new Set(families).size);
    expect(families).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes', 'nodejs_version_info', 'process_start_time_seconds']));
    const mainStart = lines(await main.metrics(), 'process_start_time_seconds ');
    expect(mainStart).toHaveLength(1);
    expect(lines(text, 'process_start_time_seconds ')).toEqual(mainStart);
  });

  it('sums one label set reported by two threads, unless the metric’s definition names another aggregator', async () => {
    const one = new Registry();
    const two = new Registry();
    for (const [registry, value] of [
      [one, 2],
      [two, 5],
    ] as const) {
      new Counter({ name: 'leasetrail_shared_total', help: 'h', registers: [registry] }).inc(value);
      new Gauge({ name: 'leasetrail_shared_peak', help: 'h', aggregator: 'max', registers: [registry] }).set(value);
    }
    const text = await (await aggregateThreadMetrics(new Registry(), [await one.getMetricsAsJSON(), await two.getMetricsAsJSON()])).metrics();
    expect(lines(text, 'leasetrail_shared_')).toEqual(['leasetrail_shared_total 7', 'leasetrail_shared_peak 5']);
  });
});

describe('collectProcessMetrics', () => {
  it('is this thread’s registry itself while no thread is registered, and adds the registered threads’ metrics', async () => {
    expect(await collectProcessMetrics()).toBe(getRegistry());

    const worker = new Registry();
    new Gauge({ name: 'leasetrail_controller_buffer_depth', help: 'h', labelNames: ['cluster'], registers: [worker] }).set({ cluster: 'gamma' }, 42);
    unregister = registerThreadMetricsSource(async () => [await worker.getMetricsAsJSON()]);
    const text = await (await collectProcessMetrics()).metrics();
    expect(lines(text, 'leasetrail_controller_buffer_depth{')).toEqual(['leasetrail_controller_buffer_depth{cluster="gamma"} 42']);
    expect(lines(text, 'process_start_time_seconds ')).toHaveLength(1);

    unregister();
    unregister = undefined;
    expect(await collectProcessMetrics()).toBe(getRegistry());
  });
});
