import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { rssPerThousandLeases } from './figures';
import { benchIngest, type IngestResult } from './ingest';

// How cost grows with the fleet: the ingest benchmark at several fleet sizes (1,000 leases per cluster,
// so 100k leases are 100 clusters as in the memory target). #18b adds storage rows to the same files.
export type GrowthRow = {
  leases: number;
  clusters: number;
  // null for a run that did not store every renewal.
  ingestPerSecond: number | null;
  // null when the size's rig failed before the baseline was loaded.
  copyPerSecond: number | null;
  ratio: number | null;
  complete: boolean;
  incompleteReason: string | null;
  // null when the size's rig failed before any renewal was released.
  lost: number | null;
  rssPeakMiB: number | null;
  rssSteadyMiB: number | null;
  loadAverage: number;
};

export type GrowthResult = { figure: 'growth'; rows: GrowthRow[]; rssPerThousandLeasesMiB: number | null; conditions: string };

export const growthSizes = [10_000, 50_000, 100_000, 200_000];
const leasesPerCluster = 1_000;
const updates = 150_000;

export async function benchGrowth(sizes = growthSizes): Promise<GrowthResult> {
  const rows: GrowthRow[] = [];
  for (const leases of sizes) {
    const clusters = leases / leasesPerCluster;
    let result: IngestResult;
    try {
      result = await benchIngest({ clusters, leasesPerCluster, updates, threads: Math.min(2, os.availableParallelism()), tls: true });
    } catch (error) {
      // A size whose rig fails (the first lists never all stored, the controller died) is a row that says so;
      // the other sizes are still measured.
      const reason = error instanceof Error ? error.message : String(error);
      rows.push({ leases, clusters, ingestPerSecond: null, copyPerSecond: null, ratio: null, complete: false, incompleteReason: reason, lost: null, rssPeakMiB: null, rssSteadyMiB: null, loadAverage: Math.round(os.loadavg()[0]! * 100) / 100 });
      await writeGrowth(rows, sizes);
      process.stdout.write(`  ${leases.toLocaleString('en')} leases: FAILED (${reason})\n`);
      continue;
    }
    rows.push({
      leases,
      clusters: result.clusters,
      ingestPerSecond: result.pipeline.perSecond,
      copyPerSecond: result.copy.perSecond,
      ratio: result.ratio,
      complete: result.complete,
      incompleteReason: result.incompleteReason,
      lost: result.lost,
      rssPeakMiB: result.rssPeakMiB,
      rssSteadyMiB: result.rssSteadyMiB,
      loadAverage: result.loadAverage.atEnd,
    });
    // Written after every size, so a run cut short still leaves its rows.
    await writeGrowth(rows, sizes);
    const rate = result.pipeline.perSecond === null ? `incomplete (${result.incompleteReason ?? ''})` : `${result.pipeline.perSecond.toLocaleString('en')}/s (×${result.ratio} COPY)`;
    process.stdout.write(`  ${leases.toLocaleString('en')} leases: ${rate}, RSS peak ${result.rssPeakMiB} MiB, steady ${result.rssSteadyMiB} MiB, load ${result.loadAverage.atEnd}\n`);
  }
  return writeGrowth(rows, sizes);
}

async function writeGrowth(rows: GrowthRow[], sizes: number[]): Promise<GrowthResult> {
  const rssPerThousandLeasesMiB = rssPerThousandLeases(rows);
  const result: GrowthResult = {
    figure: 'growth',
    rows,
    rssPerThousandLeasesMiB,
    conditions:
      `the ingest benchmark at ${sizes.map((n) => n.toLocaleString('en')).join(', ')} leases (${leasesPerCluster.toLocaleString('en')} per simulated cluster), ` +
      `${updates.toLocaleString('en')} renewals released as a backlog each, over HTTPS watches on HTTP/2 as kube-apiserver serves them (at 200 clusters plain HTTP/1.1 would need a socket per watch, ≈ 20,000); RSS peak is the controller process's from its start (initial lists included), RSS steady is after the backlog was stored and the controller idled 15 s, and MiB per 1,000 leases comes from steady RSS; rates and ratios are null for runs that lost renewals; load is the 1-minute load average at the end of each run`,
  };
  await writeFile('bench/growth-ingest.json', `${JSON.stringify({ measuredAt: new Date().toISOString(), ...result }, null, 2)}\n`);
  await writeFile('bench/growth-ingest.svg', renderGrowthChart(rows));
  return result;
}

const width = 720;
const panelHeight = 220;
const margin = { left: 70, right: 20, top: 30, bottom: 40 };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// One panel: a line over the fleet sizes, a dashed target line, axis labels.
function panel(allRows: GrowthRow[], top: number, title: string, value: (row: GrowthRow) => number, target: number, unit: string, isMeasured: (row: GrowthRow) => boolean = () => true): string {
  const rows = allRows.filter(isMeasured);
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = panelHeight - margin.top - margin.bottom;
  const maxLeases = Math.max(...allRows.map((row) => row.leases));
  const maxValue = Math.max(target, ...rows.map(value)) * 1.15;
  const x = (leases: number) => margin.left + (leases / maxLeases) * plotWidth;
  const y = (v: number) => top + margin.top + plotHeight - (v / maxValue) * plotHeight;
  const points = rows.map((row) => `${x(row.leases).toFixed(1)},${y(value(row)).toFixed(1)}`).join(' ');
  const ticks = allRows
    .map((row) => `<text x="${x(row.leases).toFixed(1)}" y="${top + panelHeight - 18}" text-anchor="middle" font-size="11">${(row.leases / 1_000).toLocaleString('en')}k</text>`)
    .join('');
  const labels = rows
    .map((row) => `<circle cx="${x(row.leases).toFixed(1)}" cy="${y(value(row)).toFixed(1)}" r="3.5" fill="${row.complete ? '#2563eb' : '#dc2626'}"/><text x="${x(row.leases).toFixed(1)}" y="${(y(value(row)) - 8).toFixed(1)}" text-anchor="middle" font-size="11">${escapeXml(Math.round(value(row)).toLocaleString('en'))}</text>`)
    .join('');
  return (
    `<text x="${margin.left}" y="${top + 18}" font-size="13" font-weight="bold">${escapeXml(title)}</text>` +
    `<line x1="${margin.left}" y1="${top + margin.top + plotHeight}" x2="${width - margin.right}" y2="${top + margin.top + plotHeight}" stroke="#888"/>` +
    `<line x1="${margin.left}" y1="${y(target).toFixed(1)}" x2="${width - margin.right}" y2="${y(target).toFixed(1)}" stroke="#16a34a" stroke-dasharray="5 4"/>` +
    `<text x="${width - margin.right}" y="${(y(target) - 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#16a34a">target ${escapeXml(target.toLocaleString('en'))} ${escapeXml(unit)}</text>` +
    `<polyline points="${points}" fill="none" stroke="#2563eb" stroke-width="2"/>${labels}${ticks}`
  );
}

export function renderGrowthChart(rows: GrowthRow[]): string {
  const height = panelHeight * 2 + 30;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/>` +
    panel(rows, 0, 'Ingest, renewals/s end to end (complete runs only)', (row) => row.ingestPerSecond ?? 0, 150_000, '/s', (row) => row.ingestPerSecond !== null) +
    panel(rows, panelHeight, 'Controller RSS after the backlog (steady), MiB', (row) => row.rssSteadyMiB ?? 0, 300, 'MiB', (row) => row.rssSteadyMiB !== null) +
    `<text x="${margin.left}" y="${height - 8}" font-size="11" fill="#555">leases watched (thousands); red points: runs that lost renewals; sizes missing from the top panel did not finish</text>` +
    `</svg>\n`
  );
}
