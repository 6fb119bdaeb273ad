import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import { startMetricsServer, type MetricsServer } from '../../../lib/metrics/metrics-server';
import { renderMetrics } from '../../../lib/metrics/scrape';
import type { ThreadMetrics } from '../../../lib/metrics/thread-metrics';
import { startFleet, type Fleet } from '../../../lib/sim';
import { closeStore, createStore, type Store } from '../../../lib/store/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, startController, targetsOf, waitFor } from './support';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;
let server: MetricsServer | undefined;
let store: Store | undefined;

afterEach(async () => {
  await server?.close();
  if (store) await closeStore(store);
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = server = store = undefined;
});

type Sample = { name: string; labels: Record<string, string>; value: number };

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key!, value!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function samplesOf(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

// What the threads themselves hold for one cluster, straight from their answers.
function threadValues(threads: ThreadMetrics[], name: string, cluster: string): number[] {
  return threads.flatMap((metrics) => metrics.filter((metric) => metric.name === name).flatMap((metric) => metric.values.filter((value) => value.labels.cluster === cluster).map((value) => value.value)));
}

const clusters = ['alpha', 'beta', 'gamma'];
const lease = { namespace: fastProfile.namespace, lease: fastProfile.leaseName };

describe('a controller spreading its clusters over threads, scraped', () => {
  // Threads compile the controller through tsx when they start (see threads.test.ts): a wide bound for that.
  it('serves every thread’s controller metrics once per cluster, with the process metrics once, on both /metrics paths', { timeout: 300_000 }, async () => {
    db = await createMigratedDatabase('thread_metrics');
    fleet = await startFleet({ clusters, leases: [fastProfile], candidates: 2, seed: 23, restartDelayMs: null });
    controller = startController(db.url, targetsOf(fleet), { threads: 2 });
    server = await startMetricsServer({ host: '127.0.0.1', port: 0, token: undefined, isReady: async () => ({ ready: true }) });
    store = createStore(db.url, { max: 2 });
    const scrapeServer = async () => {
      const response = await fetch(`http://127.0.0.1:${server!.port}/metrics`);
      expect(response.status).toBe(200);
      return response.text();
    };

    await waitFor('every cluster connected, in the threads', async () => (clusters.every((name) => controller!.status(name)?.state === 'connected') ? true : undefined), 180_000);
    await waitFor('renewals observed in every cluster, as scraped', async () => {
      const samples = parseSamples(await scrapeServer());
      return clusters.every((cluster) => samplesOf(samples, 'leasetrail_lease_renew_interval_seconds_count', { cluster, ...lease })[0]?.value) ? true : undefined;
    }, 60_000);

    for (const [path, scrape] of [
      ['metrics server', scrapeServer],
      ['web renderMetrics', () => renderMetrics(store, new Date())],
    ] as const) {
      const before = await controller.collectThreadMetrics();
      const text = await scrape();
      const after = await controller.collectThreadMetrics();
      expect(before, path).toHaveLength(2);
      const samples = parseSamples(text);

      for (const cluster of clusters) {
        // Each cluster lives in exactly one thread, and is served once with that thread's value.
        expect(threadValues(after, 'leasetrail_controller_watch_state', cluster).filter((value) => value === 1), `${path} ${cluster}`).toEqual([1]);
        expect(samplesOf(samples, 'leasetrail_controller_watch_state', { cluster }).map((sample) => [sample.labels.state, sample.value]).sort(), `${path} ${cluster}`).toEqual(
          [['connected', 1], ['connecting', 0], ['failing', 0], ['reconnecting', 0], ['standby', 0], ['stopped', 0]],
        );
        const ingested = samplesOf(samples, 'leasetrail_controller_events_ingested_total', { cluster });
        expect(ingested, `${path} ${cluster}`).toHaveLength(1);
        expect(threadValues(before, 'leasetrail_controller_events_ingested_total', cluster)).toHaveLength(1);
        expect(ingested[0]!.value).toBeGreaterThanOrEqual(threadValues(before, 'leasetrail_controller_events_ingested_total', cluster)[0]!);
        expect(ingested[0]!.value).toBeLessThanOrEqual(threadValues(after, 'leasetrail_controller_events_ingested_total', cluster)[0]!);
        const count = samplesOf(samples, 'leasetrail_lease_renew_interval_seconds_count', { cluster, ...lease });
        const infinity = samplesOf(samples, 'leasetrail_lease_renew_interval_seconds_bucket', { cluster, ...lease, le: '+Inf' });
        expect(count, `${path} ${cluster}`).toHaveLength(1);
        expect(infinity).toEqual([{ ...count[0]!, name: 'leasetrail_lease_renew_interval_seconds_bucket', labels: { ...count[0]!.labels, le: '+Inf' } }]);
        expect(samplesOf(samples, 'leasetrail_controller_buffer_depth', { cluster }), `${path} ${cluster}`).toHaveLength(1);
      }

      // One family per name, and the process metrics of this process once (no thread's copy added to them).
      const families = text.split('\n').filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
      expect(families.length, path).toBe(new Set(families).size);
      for (const name of ['process_cpu_user_seconds_total', 'process_start_time_seconds', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']) {
        expect(samplesOf(samples, name, {}), `${path} ${name}`).toHaveLength(1);
      }
      expect(samplesOf(samples, 'leasetrail_controller_thread_metrics_skipped_total', {}), path).toEqual([]);
    }

    // The web path adds the lease signals read from PostgreSQL to the same aggregated registry.
    const web = parseSamples(await renderMetrics(store, new Date()));
    expect(new Set(samplesOf(web, 'leasetrail_cluster_state', {}).map((sample) => sample.labels.cluster))).toEqual(new Set(clusters));

    // Threads that have exited are not waited for: left out at once, and counted.
    await controller.stop();
    expect(await controller.collectThreadMetrics()).toEqual([]);
    const skipped = samplesOf(parseSamples(await renderMetrics(undefined, new Date())), 'leasetrail_controller_thread_metrics_skipped_total', {});
    expect(skipped.map((sample) => [sample.labels.thread, sample.labels.reason, sample.value]).sort()).toEqual([
      ['0', 'exited', 1],
      ['1', 'exited', 1],
    ]);
    controller = undefined;
  });
});
