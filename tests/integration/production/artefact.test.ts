import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRoutesOfBuild } from '../../../lib/server/warm-up';
import { findFreePort } from '../../../lib/store/embedded-postgres';
import { isAlive, waitForOutput, type Started } from '../helpers/processes';

// The production artefact (`npm run build`), copied into a folder only root may enter (as a container's
// /app or a newcomer's /root/… would be), installed with production dependencies only, started with plain node.
const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');
const artefact = path.join(root, '.next', 'standalone');

let folder: string;
let stagingDir: string;

beforeAll(async () => {
  if (!existsSync(path.join(artefact, 'dist', 'start.cjs'))) throw new Error('no production artefact: run `npm run build` first (npm test does)');
  folder = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-artefact-'));
  stagingDir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-staging-'));
  await cp(artefact, folder, { recursive: true, verbatimSymlinks: true });
  await execFileAsync('npm', ['install', '--omit=dev', '--omit=peer', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: folder, env: { ...process.env, NODE_ENV: 'production' } });
}, 240_000);

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
  await rm(stagingDir, { recursive: true, force: true });
});

function startArtefact(env: Record<string, string>): Started {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'DATABASE_URL'));
  const child = spawn(process.execPath, ['dist/start.cjs'], { cwd: folder, env: { ...clean, ...env } as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const value = await read().catch((error: unknown) => {
      lastError = error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}


describe('the production artefact', () => {
  it('installs without development dependencies', async () => {
    for (const tool of ['tsx', 'typescript', 'esbuild', 'vitest', 'prisma', '@playwright/test']) {
      expect(existsSync(path.join(folder, 'node_modules', tool)), `${tool} is installed`).toBe(false);
    }
    expect((await stat(folder)).mode & 0o077).toBe(0);
  });

  it('starts with plain node as root in a private folder, survives PostgreSQL being killed, and drains on SIGTERM', { timeout: 240_000 }, async () => {
    // The process gets a temporary folder of its own, so anything it leaves there is visible.
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-artefact-tmp-'));
    const port = await findFreePort();
    const started = startArtefact({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      KUBECONFIG: path.join(folder, 'no-kubeconfig'),
      LEASETRAIL_CONTROLLER_THREADS: '2',
      LEASETRAIL_PG_STAGING_DIR: stagingDir,
      TMPDIR: tmp,
    });
    try {
      const [, url] = await waitForOutput(started, /Leasetrail is running at (http:\/\/\S+)/, 120_000);
      const base = url!;

      // Every API route of the build was loaded before the listener opened (Next answered each OPTIONS
      // itself, so its module was instantiated), so no first request — nor a probe behind it — pays for it.
      await waitForOutput(started, /"msg":"Leasetrail is ready"/, 30_000);
      const routes = apiRoutesOfBuild(folder);
      expect(routes.length).toBeGreaterThan(30);
      const warmed = started
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { msg?: string; routes?: number; failed?: string[] })
        .find((line) => line.msg === 'routes loaded ahead of the first request' || line.msg === 'some routes could not be loaded ahead of the first request');
      expect(warmed).toMatchObject({ msg: 'routes loaded ahead of the first request', routes: routes.length, failed: [] });
      // Both lines go through the same logger (the banner is written apart from it, so its place in the output proves nothing).
      expect(started.output().indexOf('routes loaded ahead of the first request')).toBeLessThan(started.output().indexOf('Leasetrail is ready'));
      // Started as Next's standalone server starts: no warning that confuses whoever reads the log.
      expect(started.output()).not.toContain('does not work with "output: standalone"');
      expect(started.output()).not.toContain('multiple lockfiles');

      // The controller's worker threads run from the bundle: the simulated fleet's clusters get connected.
      const clusters = await waitFor(async () => {
        const body = (await (await fetch(`${base}/api/clusters`)).json()) as { clusters: Array<{ name: string; lastEventAt: string | null }> };
        return body.clusters.length >= 3 && body.clusters.every((cluster) => cluster.lastEventAt !== null) ? body.clusters : undefined;
      }, 'events from three clusters', 60_000).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}\n${started.output().slice(-3_000)}`);
      });
      expect(clusters.map((cluster) => cluster.name).sort()).toEqual(['sim-prod-eu', 'sim-prod-us', 'sim-staging']);
      expect((await fetch(`${base}/api/health/live`)).status).toBe(200);
      expect((await fetch(`${base}/api/health/ready`)).status).toBe(200);
      const isRoot = process.getuid?.() === 0;
      if (isRoot) expect(started.output()).toContain('staging the PostgreSQL binaries where the postgres user can reach them');

      // The data folder holds the credentials, readable by its owner only; the cluster itself sits where the postgres user can reach it.
      const dataDir = path.join(folder, '.data');
      expect((await stat(path.join(dataDir, 'credentials.json'))).mode & 0o077).toBe(0);
      const clusterDir = isRoot ? (await readFile(path.join(dataDir, 'pg-location'), 'utf8')).trim() : path.join(dataDir, 'pg');
      if (isRoot) expect(clusterDir.startsWith(stagingDir)).toBe(true);
      expect(await readdir(tmp)).toEqual([]);
      expect(await readFile(path.join(clusterDir, 'pg_hba.conf'), 'utf8')).toMatch(/^host\s+all\s+all\s+127\.0\.0\.1\/32\s+scram-sha-256\s*$/m);

      const postmasterPid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      process.kill(postmasterPid, 'SIGKILL');
      const outage = await waitFor(async () => {
        const response = await fetch(`${base}/api/fleet`);
        return response.status === 503 ? ((await response.json()) as { error: string }) : undefined;
      }, 'a 503 while PostgreSQL is down', 10_000);
      expect(outage.error).toMatch(/^the database is unavailable/);
      const health = await waitFor(async () => {
        const response = await fetch(`${base}/api/health`);
        const body = (await response.json()) as { database: { reachable: boolean; embedded?: { state: string; reason?: string } } };
        return response.status === 503 && body.database.embedded?.state === 'restarting' ? body : undefined;
      }, 'health saying why', 10_000).catch(() => undefined);
      // The restart may be quicker than the probe; either way the reason was logged and PostgreSQL comes back.
      if (health) expect(health.database.embedded?.reason).toContain('embedded PostgreSQL exited unexpectedly (signal SIGKILL)');
      expect(started.output()).toContain('embedded PostgreSQL exited unexpectedly (signal SIGKILL); restarting it');
      await waitFor(async () => ((await fetch(`${base}/api/fleet`)).status === 200 ? true : undefined), 'the API back after the restart', 30_000);
      const restarted = (await (await fetch(`${base}/api/health`)).json()) as { database: { embedded: { state: string; restarts: number } } };
      expect(restarted.database.embedded).toMatchObject({ state: 'running', restarts: 1 });
      const newPid = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(newPid).not.toBe(postmasterPid);

      // SIGTERM: the live stream is told to reconnect, then the process stops everything and exits 0 within 10 s.
      const stream = await fetch(`${base}/api/stream`);
      const reader = stream.body!.getReader();
      let received = '';
      const reconnect = (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return received;
          received += new TextDecoder().decode(value);
        }
      })();
      await waitFor(async () => (received.includes(': connected') ? true : undefined), 'the stream to open', 5_000);
      const signalledAt = Date.now();
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(await reconnect).toContain('event: reconnect');
      expect(isAlive(newPid)).toBe(false);
      expect(await readdir(tmp)).toEqual([]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
      if (started.child.exitCode === null) {
        started.child.kill('SIGKILL');
        await started.exited;
      }
    }
  });
});
