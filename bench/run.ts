import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { benchGrowth, type GrowthResult } from './growth';
import { benchHealthUnderLoad, type HealthUnderLoadResult } from './health-under-load';
import { benchIngest, type IngestResult } from './ingest';
import { benchLatency, type LatencyResult } from './latency';
import { describeMachine } from './machine';
import { benchMemory, type MemoryResult } from './memory';
import { benchNodes, type NodesResult } from './nodes';
import { benchQueries, type QueriesResult, type StorageResult } from './queries';
import { benchRenderTimeline, type RenderResult } from './render-timeline';
import { benchStorageGrowth, type StorageGrowthResult } from './storage';

type Figure = GrowthResult | HealthUnderLoadResult | IngestResult | LatencyResult | MemoryResult | NodesResult | Omit<QueriesResult, 'storage'> | StorageResult | RenderResult | StorageGrowthResult;

// One name may measure several figures: the query benchmark's seeded database also gives the storage figure.
const benches: Record<string, () => Promise<Figure[]>> = {
  // BENCH_INGEST=clusters,leasesPerCluster,updates for another size than 10 × 10,000 and 300,000.
  ingest: async () => {
    const [clusters, leasesPerCluster, updates] = (process.env.BENCH_INGEST ?? '').split(',').map(Number);
    const tls = process.env.BENCH_INGEST_TLS === '1';
    return [await benchIngest(clusters && leasesPerCluster && updates ? { clusters, leasesPerCluster, updates, tls } : { tls })];
  },
  growth: async () => [await benchGrowth(process.env.BENCH_GROWTH_SIZES ? process.env.BENCH_GROWTH_SIZES.split(',').map(Number) : undefined)],
  latency: async () => [await benchLatency()],
  // BENCH_MEMORY=clusters,leasesPerCluster for another size than 100 × 1,000.
  memory: async () => {
    const [clusters, leasesPerCluster] = (process.env.BENCH_MEMORY ?? '').split(',').map(Number);
    return [await benchMemory(clusters && leasesPerCluster ? { clusters, leasesPerCluster } : {})];
  },
  queries: async () => {
    const { storage, ...queries } = await benchQueries();
    return [queries, storage];
  },
  render: async () => [await benchRenderTimeline()],
  // Writes bench/storage-growth.json and bench/storage-growth.svg beside results.json.
  'storage-growth': async () => [await benchStorageGrowth()],
  'health-under-load': async () => [await benchHealthUnderLoad()],
  // BENCH_NODES_HOURS: how many hours of per-minute rollups of 5,000 nodes to seed (default 6).
  nodes: async () => [await benchNodes()],
};

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

function summarize(figure: Figure): string {
  switch (figure.figure) {
    case 'ingest':
      return `${figure.pipeline.perSecond === null ? `no rate: INCOMPLETE, ${figure.incompleteReason ?? ''}` : `${figure.pipeline.perSecond.toLocaleString('en')} updates/s end to end`} (target ≥ 150,000); plain COPY ${figure.copy.perSecond.toLocaleString('en')} rows/s; ratio ${figure.ratio ?? 'none'} (target ≥ 0.5); controller RSS peak ${figure.rssPeakMiB} MiB, steady ${figure.rssSteadyMiB} MiB; load ${figure.loadAverage.atRelease}→${figure.loadAverage.atEnd} — ${verdict(figure.met)}`;
    case 'growth':
      return `${figure.rows.map((row) => `${row.leases / 1_000}k leases: ${row.ingestPerSecond === null ? 'incomplete' : `${row.ingestPerSecond.toLocaleString('en')}/s`}, RSS peak ${row.rssPeakMiB} MiB, steady ${row.rssSteadyMiB} MiB`).join('; ')}; ${figure.rssPerThousandLeasesMiB ?? '?'} MiB per 1,000 more leases at steady state (target ≤ 0.5); written to bench/growth-ingest.{json,svg}`;
    case 'latency':
      return `write → row p50 ${figure.toRow.p50} ms / p99 ${figure.toRow.p99} ms; → browser p50 ${figure.toBrowser.p50} ms / p99 ${figure.toBrowser.p99} ms; while another process loads the disk (${figure.underDiskLoad.diskLoad ? `${Math.round(figure.underDiskLoad.diskLoad.mib / figure.underDiskLoad.diskLoad.seconds)} MiB/s written with fsync` : 'writer did not report'}): → row p50 ${figure.underDiskLoad.toRow.p50} / p99 ${figure.underDiskLoad.toRow.p99} ms, → browser p50 ${figure.underDiskLoad.toBrowser.p50} / p99 ${figure.underDiskLoad.toBrowser.p99} ms; arrived: ${figure.toRow.matched}/${figure.writes} and ${figure.underDiskLoad.toRow.matched}/${figure.underDiskLoad.writes} writes (target p99 ≤ 250 ms in both) — ${verdict(figure.met)}`;
    case 'memory':
      return `controller RSS with ${figure.leases.toLocaleString('en')} leases in ${figure.clusters} clusters: peak ${figure.rssMiB.peak} MiB, steady ${figure.rssMiB.steady} MiB (target ≤ 300 MiB); all stored after ${figure.syncSeconds} s; ${figure.controllerSockets} controller sockets (context scope ${figure.contextScope}; LEASETRAIL_WATCH_HTTP2=${figure.watchHttp2}: ${figure.apiServers.openConnections} API server connections, ${figure.apiServers.http2Sessions} HTTP/2 sessions, ${figure.apiServers.http2Streams} streams); load ${figure.loadAverage.atStart}→${figure.loadAverage.afterSync}→${figure.loadAverage.atEnd} — ${verdict(figure.met)}`;
    case 'queries':
      return `lease page 24 h p95: hot ${figure.leasePage.hot.pageMs.p95} ms, flapping ${figure.leasePage.flapping.pageMs.p95} ms, typical ${figure.leasePage.typical.pageMs.p95} ms (target ≤ 50 ms); fleet audit 24 h p95 ${figure.audit.pageMs.p95} ms (target ≤ 150 ms) — ${verdict(figure.met)}`;
    case 'storage':
      return `${figure.bytesPerSample.total} bytes per renew sample (heap ${figure.bytesPerSample.heap}, indexes ${figure.bytesPerSample.indexes}, rollups ${figure.bytesPerSample.rollups})`;
    case 'health-under-load':
      return `/api/health while ${figure.heavyReaders} clients loop heavy reads for ${figure.seconds} s: p50 ${figure.healthMs.p50} ms, p99 ${figure.healthMs.p99} ms, max ${figure.healthMs.max} ms over ${figure.healthMs.probes} probes (target max ≤ 200 ms; slowest ${figure.slowestProbes.map((slow) => `${slow.ms} ms sent at +${Math.round(slow.sentAtMs)} ms`).join(', ')}); web RSS peak ${figure.webRssMiB.peak} MiB (target ≤ 1,024); heavy answers ${JSON.stringify(figure.heavy.byStatus)} — ${verdict(figure.met)}`;
    case 'storage-growth':
      return `storage after ${figure.growth.map((row) => `${row.day} d: ${row.totalMiB} MiB (${row.bytesPerKeptSample} B per kept sample)`).join(', ')} for ${figure.leases} leases; dropping a day of ${figure.bigDrop.rows.toLocaleString('en')} samples ${figure.bigDrop.dropMs} ms, ${figure.bigDrop.rowsDeleted} rows deleted (target ≤ 1,000 ms, no bloat) — ${verdict(figure.met)}`;
    case 'nodes':
      return `Nodes view, ${figure.nodes.toLocaleString('en')} nodes in one cluster (${figure.rollupRows.toLocaleString('en')} rollup rows, ${figure.seededHours} h): ${figure.windows
        .map((window) => `${window.hours} h window ${window.isOnTheHour ? 'on the hour' : 'off the hour'} (${window.from.slice(11, 16)}–${window.to.slice(11, 16)}) ${window.pageMs.median} ms median (max ${window.pageMs.max}), with a node selected ${window.withNodeMs.median} ms, gap-over-time series alone ${window.seriesMs.median} ms, answer ${Math.round(window.answerBytes / 1024)} KiB, ${window.seriesPoints} points, ${window.bursts} bursts`)
        .join('; ')}; heartbeat_gap facts over ${figure.alerts.rawSamples.toLocaleString('en')} raw samples: engine ${figure.alerts.engine.map((read) => `${read.windowSeconds} s window ${read.ms.median} ms median (max ${read.ms.max}, ${read.nodes} nodes, ${read.gaps} gaps)`).join(', ')}, preview of 1 h ${figure.alerts.preview.ms.median} ms median (max ${figure.alerts.preview.ms.max}, ${figure.alerts.preview.periods} periods); load ${figure.loadAverage.before}→${figure.loadAverage.after}`;
    case 'render':
      return `lease timeline with ${figure.transitions.toLocaleString('en')} transitions drawn in ${figure.renderMs.median} ms median (target ≤ 400 ms) — ${verdict(figure.met)}`;
  }
}

// `npm run bench [figure ...]`: every figure (or the named ones) with the machine and the conditions
// it was measured under; figures measured earlier and not re-run stay in bench/results.json.
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in benches));
  if (unknown.length > 0) throw new Error(`unknown figure(s): ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`);
  const names = wanted.length > 0 ? wanted : Object.keys(benches);
  const machine = describeMachine();
  const file = path.join('bench', 'results.json');
  const previous = await readFile(file, 'utf8').then(
    (text) => (JSON.parse(text) as { figures?: Array<Figure & { measuredAt?: string; machine?: unknown }> }).figures ?? [],
    () => [],
  );
  const figures = new Map(previous.map((figure) => [figure.figure, figure]));
  // A figure that fails is reported with its reason and the run goes on to the next: one stalled rig must not
  // cost the figures after it. The run still exits 1, and results.json keeps the failure beside the figures.
  const failures: Array<{ name: string; error: string; at: string }> = [];
  const write = async () => {
    await mkdir('bench', { recursive: true });
    await writeFile(file, `${JSON.stringify({ machine, figures: [...figures.values()], ...(failures.length > 0 ? { failures } : {}) }, null, 2)}\n`);
  };
  for (const name of names) {
    process.stdout.write(`measuring ${name}… (${new Date().toISOString().slice(11, 19)} UTC)\n`);
    try {
      for (const figure of await benches[name]!()) {
        figures.set(figure.figure, { ...figure, measuredAt: new Date().toISOString(), machine });
        process.stdout.write(`  ${summarize(figure)}\n`);
        // The growth figure keeps the sizes it measured when one fails; the run still fails.
        const failedSizes = figure.figure === 'growth' ? figure.rows.filter((row) => row.copyPerSecond === null) : [];
        if (failedSizes.length > 0) failures.push({ name, error: failedSizes.map((row) => `${row.leases} leases: ${row.incompleteReason ?? 'failed'}`).join('; '), at: new Date().toISOString() });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      failures.push({ name, error: message, at: new Date().toISOString() });
      // An earlier run's figure of the same name is not this run's: it goes, the failure says why.
      figures.delete(name as Figure['figure']);
      process.stdout.write(`  ${name} FAILED: ${message}\n`);
    }
    // Written after every figure, so a run cut short keeps what it measured.
    await write();
  }
  if (failures.length > 0) throw new Error(`${failures.length} figure(s) failed: ${failures.map((failure) => failure.name).join(', ')}`);
  process.stdout.write(`machine: ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.cpu}, Node ${machine.node}\nwritten to ${file}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
