import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../../lib/sim';
import { fastProfile, query, waitFor } from '../controller/support';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { killProcess, type Started } from '../helpers/processes';
// @ts-expect-error -- a plain .mjs script without types
import { bundleEntries } from '../../../scripts/build.mjs';

// The controller as production runs it: esbuild's bundle (`npm run build` makes the same files), plain
// node, its worker threads started from the compiled dist/controller-worker.cjs beside it (no tsx).
const root = path.resolve(__dirname, '..', '..', '..');
let dir: string;
let fleet: Fleet;
let db: MigratedDatabase;
let started: Started | undefined;

beforeAll(async () => {
  // Inside the project, so the bundle finds node_modules as the artefact's own install would.
  dir = await mkdtemp(path.join(root, '.bundle-test-'));
  await (bundleEntries as (outdir: string) => Promise<void>)(path.join(dir, 'dist'));
  await symlink(path.join(root, 'prisma'), path.join(dir, 'prisma'));
  db = await createMigratedDatabase('bundle');
  fleet = await startFleet({ clusters: ['alpha', 'beta'], leases: [fastProfile], candidates: 2, seed: 31, restartDelayMs: 300, kubeconfigPath: path.join(dir, 'kubeconfig') });
}, 120_000);

afterAll(async () => {
  if (started) await killProcess(started);
  await fleet?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

// Preloaded into the controller process: every module request naming Prisma, appended to a file as it happens.
const prismaWatch = `const fs = require('node:fs');
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, ...rest) {
  if (/prisma/i.test(request)) fs.appendFileSync(process.env.PRISMA_REQUESTS_LOG, request + '\\n');
  return load.call(this, request, ...rest);
};
`;

describe('the bundled controller', () => {
  it('runs from the compiled bundle with worker threads and stores what it watches over protobuf', { timeout: 120_000 }, async () => {
    expect(existsSync(path.join(dir, 'dist', 'controller-worker.cjs'))).toBe(true);
    // client-node is inlined and tree-shaken, not loaded whole from node_modules.
    const bundle = await readFile(path.join(dir, 'dist', 'controller-worker.cjs'), 'utf8');
    expect(bundle).not.toMatch(/require\("@kubernetes\/client-node"\)/);
    expect(bundle).not.toMatch(/require\(["']tsx/);

    // Prisma stays out of the controller process: not in its bundle, not loaded while it stores leases, raises an
    // alert (the engine's reads and writes) and rolls up (the rollup jobs' transactions).
    const controllerBundle = await readFile(path.join(dir, 'dist', 'controller.cjs'), 'utf8');
    expect(controllerBundle.match(/require\("[^"]*prisma[^"]*"\)|generated\/prisma/gi) ?? []).toEqual([]);
    const watchPath = path.join(dir, 'prisma-watch.cjs');
    const requestsLog = path.join(dir, 'prisma-requests.log');
    await writeFile(watchPath, prismaWatch);
    await writeFile(requestsLog, '');
    await query(
      db.url,
      `INSERT INTO "AlertRule" (name, kind, params, "forSeconds", "updatedAt") VALUES ('slow renewals', 'renew_latency', $1::jsonb, 0, now())`,
      [JSON.stringify({ windowSeconds: 30, percentOfLeaseDuration: 1, minSamples: 1 })],
    );

    const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS'));
    const env = { NODE_ENV: 'production', PRISMA_REQUESTS_LOG: requestsLog, DATABASE_URL: db.url, KUBECONFIG: path.join(dir, 'kubeconfig'), LEASETRAIL_SIMULATE: 'never', LEASETRAIL_CONTROLLER_THREADS: '2', LOG_LEVEL: 'warn' };
    const child = spawn(process.execPath, ['--require', watchPath, path.join('dist', 'controller.cjs')], {
      cwd: dir,
      env: { ...clean, ...env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started = { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) };

    const leaseKey = `${fastProfile.namespace}/${fastProfile.leaseName}`;
    const stored = await waitFor(
      'both clusters’ leaders stored by the bundled controller',
      async () => {
        if (child.exitCode !== null) throw new Error(`the controller exited with ${child.exitCode}:\n${output}`);
        const rows = await query<{ cluster: string; holder: string | null }>(
          db.url,
          `SELECT c.name AS cluster, l."holderIdentity" AS holder FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" WHERE l.name = $1 ORDER BY c.name`,
          [fastProfile.leaseName],
        );
        return rows.length === 2 && rows.every((row) => row.holder !== null && row.holder === fleet.leaderOf(row.cluster, leaseKey)) ? rows : undefined;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${output.slice(-3_000)}`);
    });
    expect(stored.map((row) => row.cluster)).toEqual(['alpha', 'beta']);
    for (const cluster of fleet.clusters) expect(cluster.apiServer.stats().requests.protobuf ?? 0).toBeGreaterThan(0);
    expect(output).toContain('controller watching 2 cluster(s)');

    const raised = await waitFor(
      'the alert engine raising the renew latency alert, and both rollup jobs recording progress',
      async () => {
        const alerts = await query<{ subjectKey: string; state: string }>(db.url, `SELECT "subjectKey", state FROM "Alert" ORDER BY id`);
        const progress = await query<{ job: string }>(db.url, `SELECT job FROM "RollupProgress" ORDER BY job`);
        return alerts.length > 0 && progress.length === 2 ? alerts : undefined;
      },
      60_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${output.slice(-3_000)}`);
    });
    expect(raised[0]!.subjectKey).toMatch(/^(alpha|beta)\/kube-system\/fast-operator$/);
    expect(await readFile(requestsLog, 'utf8')).toBe('');
  });
});
