import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../lib/sim';
import { findFreePort } from '../../../lib/store/embedded-postgres';
import { fastProfile } from '../controller/support';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { killProcess, startScript, waitForOutput, type Started } from '../helpers/processes';
import { waitFor } from '../helpers/wait';

// A real Prometheus scrapes a running Leasetrail (its /metrics, with the scrape token) watching a simulated
// cluster; a leader crashes and PromQL sees the expiry takeover.
const token = 'scrape-token-for-the-metrics-test';
const lease = `${fastProfile.namespace}/${fastProfile.leaseName}`;

let folder: string;
let db: MigratedDatabase;
let fleet: Fleet;
let leasetrail: Started;
let prometheus: ChildProcess;
let prometheusUrl: string;
let leasetrailUrl: string;

type Sample = { metric: Record<string, string>; value: [number, string] };

async function query(promql: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: Sample[] }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

beforeAll(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-prometheus-'));
  db = await createMigratedDatabase('metrics');
  const kubeconfig = path.join(folder, 'kubeconfig');
  fleet = await startFleet({ clusters: ['alpha'], leases: [fastProfile], candidates: 3, seed: 11, restartDelayMs: null, kubeconfigPath: kubeconfig });
  const port = await findFreePort();
  leasetrail = startScript('scripts/start.ts', {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: db.url,
    KUBECONFIG: kubeconfig,
    LEASETRAIL_SIMULATE: 'never',
    LEASETRAIL_METRICS_TOKEN: token,
    // As in a cluster: the public name is not the address Prometheus scrapes (it scrapes pods by IP).
    LEASETRAIL_PUBLIC_URL: 'http://leasetrail.example.com',
    LOG_LEVEL: 'warn',
  });
  const [, url] = await waitForOutput(leasetrail, /Leasetrail is running at (http:\/\/\S+)/, 120_000);
  leasetrailUrl = url!;

  const prometheusPort = await findFreePort();
  await writeFile(path.join(folder, 'token'), token, { mode: 0o600 });
  await writeFile(
    path.join(folder, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      '  - job_name: leasetrail',
      '    metrics_path: /metrics',
      `    authorization: { credentials_file: ${path.join(folder, 'token')} }`,
      `    static_configs: [{ targets: ["127.0.0.1:${port}"] }]`,
      '',
    ].join('\n'),
  );
  prometheus = spawn(
    'prometheus',
    [`--config.file=${path.join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`, '--log.level=warn'],
    { stdio: 'ignore' },
  );
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  await waitFor('Prometheus ready', async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => undefined))?.ok, 30_000);
}, 180_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus.once('exit', resolve));
    prometheus.kill('SIGTERM');
    await exited;
  }
  if (leasetrail) await killProcess(leasetrail);
  await fleet?.stop();
  await db?.drop();
  await rm(folder, { recursive: true, force: true });
});

describe('Prometheus scraping Leasetrail', () => {
  it('refuses a scrape without the token', async () => {
    const response = await fetch(`${leasetrailUrl}/metrics`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toContain('LEASETRAIL_METRICS_TOKEN');
    // No token at all, at an address that is not the public URL: nothing vouches for the request (421).
    expect((await fetch(`${leasetrailUrl}/metrics`)).status).toBe(421);
    // The probes are answered there: the kubelet asks at the pod's address too.
    expect((await fetch(`${leasetrailUrl}/api/health/ready`)).status).toBe(200);
  });

  it('sees the controller healthy, the holder, and an expiry takeover after a crash', { timeout: 120_000 }, async () => {
    const labels = `cluster="alpha",namespace="${fastProfile.namespace}",lease="${fastProfile.leaseName}"`;
    await waitFor('the scrape target up', async () => (await query('up{job="leasetrail"} == 1')).length === 1, 30_000);
    await waitFor('the watch connected', async () => (await query('leasetrail_controller_watch_state{cluster="alpha",state="connected"} == 1')).length === 1, 30_000);
    const leader = await waitFor('a leader', async () => fleet.leaderOf('alpha', lease));
    await waitFor('the holder in Prometheus', async () => (await query(`leasetrail_lease_holder_info{${labels},holder="${leader}"} == 1`)).length === 1, 30_000);
    await waitFor('expiry counter scraped at 0', async () => (await query(`leasetrail_lease_transitions_total{${labels},cause="expiry"} == 0`)).length === 1, 30_000);

    expect(await fleet.crashLeader('alpha', lease)).toBeTruthy();
    const increase = await waitFor(
      'an expiry takeover in PromQL',
      async () => {
        const [sample] = await query(`increase(leasetrail_lease_transitions_total{${labels},cause="expiry"}[5m])`);
        return sample && Number(sample.value[1]) > 0 ? Number(sample.value[1]) : undefined;
      },
      60_000,
    );
    expect(increase).toBeGreaterThan(0);
    expect(Number((await query('sum(leasetrail_controller_events_ingested_total{cluster="alpha"})'))[0]?.value[1])).toBeGreaterThan(0);
    expect(Number((await query(`sum(leasetrail_lease_renew_interval_seconds_count{${labels}})`))[0]?.value[1])).toBeGreaterThan(0);
    expect((await query('process_resident_memory_bytes{job="leasetrail"}')).length).toBe(1);
    expect((await query('nodejs_eventloop_lag_seconds{job="leasetrail"}')).length).toBe(1);
  });
});
