import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { loadInClusterTarget, loadKubeconfigTargets, type ClusterTarget } from '../../../lib/kube/cluster-sources';
import type { Controller } from '../../../lib/kube/controller';
import { startFleet, type Fleet } from '../../../lib/sim';
import { fastProfile, query, startController, waitFor } from '../controller/support';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seenAtOf } from '../../../lib/store/renew-sample-sql';

// Clusters as they really are: HTTPS with their own CA and authentication (bearer token, client certificate,
// an exec credential plugin whose tokens expire, an in-cluster service-account token that rotates).
const execFileAsync = promisify(execFile);
const lease = `${fastProfile.namespace}/${fastProfile.leaseName}`;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-secure-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function secureFleet(options: { acceptToken?: (token: string) => boolean; minRequestTimeoutSeconds?: number; kubeconfigPath?: string } = {}): Promise<Fleet> {
  const fleet = await startFleet({
    clusters: ['alpha', 'beta'],
    leases: [fastProfile],
    candidates: 2,
    seed: 5,
    secure: { clientCertificateClusters: ['beta'], ...(options.acceptToken ? { acceptToken: options.acceptToken } : {}) },
    ...(options.minRequestTimeoutSeconds ? { minRequestTimeoutSeconds: options.minRequestTimeoutSeconds } : {}),
    ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
  });
  cleanups.push(() => fleet.stop());
  return fleet;
}

async function migratedDatabase(): Promise<MigratedDatabase> {
  const db = await createMigratedDatabase('secure');
  cleanups.push(() => db.drop());
  return db;
}

function run(db: MigratedDatabase, targets: ClusterTarget[]): Controller {
  const controller = startController(db.url, targets);
  cleanups.push(() => controller.stop());
  return controller;
}

function getStatus(url: string, options: https.RequestOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    https
      .get(`${url}/apis/coordination.k8s.io/v1/leases`, options, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

async function storedHolders(db: MigratedDatabase): Promise<Record<string, string | null>> {
  const rows = await query<{ cluster: string; holder: string | null }>(
    db.url,
    `SELECT c.name AS cluster, l."holderIdentity" AS holder FROM "Lease" l JOIN "Cluster" c ON c.id = l."clusterId" WHERE l.name = $1`,
    [fastProfile.leaseName],
  );
  return Object.fromEntries(rows.map((row) => [row.cluster, row.holder]));
}

async function newestRenewal(db: MigratedDatabase, cluster: string): Promise<number> {
  const [row] = await query<{ at: Date | null }>(
    db.url,
    `SELECT max(${seenAtOf('r')}) AS at FROM "RenewSample" r JOIN "Lease" l ON l.id = r."leaseId" JOIN "Cluster" c ON c.id = l."clusterId" WHERE c.name = $1`,
    [cluster],
  );
  return row?.at?.getTime() ?? 0;
}

describe('the simulated fleet as real clusters', () => {
  it('serves HTTPS with its own CA and refuses requests without credentials', async () => {
    const fleet = await secureFleet();
    const alpha = fleet.accessOf('alpha');
    expect(alpha.url).toMatch(/^https:\/\//);
    await expect(getStatus(alpha.url, {})).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    expect(await getStatus(alpha.url, { ca: alpha.caPem })).toBe(401);
    expect(await getStatus(alpha.url, { ca: alpha.caPem, headers: { authorization: 'Bearer not-the-token' } })).toBe(401);
    expect(await getStatus(alpha.url, { ca: alpha.caPem, headers: { authorization: `Bearer ${alpha.token}` } })).toBe(200);
    const beta = fleet.accessOf('beta');
    expect(beta.token).toBeUndefined();
    expect(await getStatus(beta.url, { ca: beta.caPem, cert: beta.clientCertificate!.certPem, key: beta.clientCertificate!.keyPem })).toBe(200);
    // A client certificate of another cluster's name is not this cluster's user.
    expect(await getStatus(alpha.url, { ca: alpha.caPem, cert: beta.clientCertificate!.certPem, key: beta.clientCertificate!.keyPem })).toBe(401);
  });

  it('writes a kubeconfig with CA and credentials that kubectl lists and watches through', { timeout: 60_000 }, async () => {
    const kubeconfig = path.join(await tempDir(), 'kubeconfig');
    await secureFleet({ kubeconfigPath: kubeconfig });
    for (const context of ['alpha', 'beta']) {
      const { stdout } = await execFileAsync('kubectl', ['--kubeconfig', kubeconfig, '--context', context, 'get', 'leases', '-A', '-o', 'name']);
      expect(stdout).toContain(`lease.coordination.k8s.io/${fastProfile.leaseName}`);
    }
    const watch = spawn('kubectl', ['--kubeconfig', kubeconfig, '--context', 'beta', 'get', 'leases', '-n', fastProfile.namespace, '-w', '--output-watch-events'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      const exited = new Promise((resolve) => watch.once('exit', resolve));
      if (watch.exitCode === null) watch.kill('SIGTERM');
      await exited;
    });
    let output = '';
    watch.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    watch.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The first line is the listed object; MODIFIED lines are renewals arriving on the watch.
    await waitFor('kubectl to stream a renewal', () => /MODIFIED\s+\S*fast-operator/.test(output), 20_000);
  });

  it('is watched by the controller through that kubeconfig: token and client certificate', { timeout: 60_000 }, async () => {
    const kubeconfig = path.join(await tempDir(), 'kubeconfig');
    const fleet = await secureFleet({ kubeconfigPath: kubeconfig });
    const db = await migratedDatabase();
    const { targets, problems } = loadKubeconfigTargets([kubeconfig]);
    expect(problems).toEqual([]);
    run(db, targets);
    const leaders = { alpha: await waitFor('alpha leader', () => fleet.leaderOf('alpha', lease)), beta: await waitFor('beta leader', () => fleet.leaderOf('beta', lease)) };
    await waitFor('both holders stored', async () => {
      const holders = await storedHolders(db);
      return holders.alpha === leaders.alpha && holders.beta === leaders.beta;
    });
    for (const cluster of ['alpha', 'beta']) expect(fleet.cluster(cluster).apiServer.stats().requests.unauthorized ?? 0).toBe(0);
  });

  it('refreshes an exec credential plugin token that expires in the middle of the watch', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const plugin = path.join(dir, 'get-token.mjs');
    const counter = path.join(dir, 'calls');
    const lifetimeMs = 1_500;
    // Like `aws eks get-token`: a short-lived token with its expiry, one call per token.
    await writeFile(
      plugin,
      `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const file = process.env.TOKEN_COUNTER;
const calls = (existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0) + 1;
writeFileSync(file, String(calls));
const expiresAt = Date.now() + ${lifetimeMs};
process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: 'exec-' + calls + '-' + expiresAt, expirationTimestamp: new Date(expiresAt).toISOString() } }));
`,
    );
    const presented = new Set<string>();
    const rejectedExpired: string[] = [];
    const acceptToken = (token: string) => {
      const match = /^exec-(\d+)-(\d+)$/.exec(token);
      if (!match) return false;
      if (Number(match[2]) <= Date.now()) {
        rejectedExpired.push(token);
        return false;
      }
      presented.add(token);
      return true;
    };
    const fleet = await secureFleet({ acceptToken });
    const alpha = fleet.accessOf('alpha');
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'alpha', server: alpha.url, caData: Buffer.from(alpha.caPem!).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'exec', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [plugin], env: [{ name: 'TOKEN_COUNTER', value: counter }], interactiveMode: 'Never' } }],
      contexts: [{ name: 'alpha', cluster: 'alpha', user: 'exec' }],
      currentContext: 'alpha',
    });
    const db = await migratedDatabase();
    run(db, [{ name: 'alpha', source: 'kubeconfig', server: alpha.url, kubeConfig }]);
    const leader = await waitFor('alpha leader', () => fleet.leaderOf('alpha', lease));
    await waitFor('the holder stored', async () => (await storedHolders(db)).alpha === leader);
    // The watch outlives its token (as on a real API server, a token is checked when a request starts);
    // once it has expired, the API server restarts and every request after that needs a fresh token.
    const calls = Number(await readFile(counter, 'utf8'));
    const issued = [...presented];
    await waitFor('the tokens issued so far to expire', () => issued.every((token) => Number(token.split('-')[2]) < Date.now()), 5_000);
    await fleet.restartApiServer('alpha', { downtimeMs: 200 });
    const restartedAt = Date.now();
    await waitFor('renewals stored after the restart', async () => (await newestRenewal(db, 'alpha')) > restartedAt + 500, 20_000);
    expect(Number(await readFile(counter, 'utf8'))).toBeGreaterThan(calls);
    expect([...presented].some((token) => !issued.includes(token))).toBe(true);
    expect(rejectedExpired).toEqual([]);
    expect(fleet.cluster('alpha').apiServer.stats().requests.unauthorized ?? 0).toBe(0);
  });

  it('runs in-cluster with a service-account token file and CA, and follows a rotated token', { timeout: 60_000 }, async () => {
    const root = await tempDir();
    const accountDir = path.join(root, 'var', 'run', 'secrets', 'kubernetes.io', 'serviceaccount');
    await mkdir(accountDir, { recursive: true });
    const valid = new Set(['sa-token-1']);
    const seen = new Set<string>();
    const fleet = await secureFleet({
      acceptToken: (token) => {
        if (!valid.has(token)) return false;
        seen.add(token);
        return true;
      },
    });
    const alpha = fleet.accessOf('alpha');
    await writeFile(path.join(accountDir, 'ca.crt'), alpha.caPem!);
    await writeFile(path.join(accountDir, 'token'), 'sa-token-1\n');
    await writeFile(path.join(accountDir, 'namespace'), 'leasetrail');
    const url = new URL(alpha.url);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    let target: ClusterTarget;
    try {
      target = loadInClusterTarget('alpha', root);
    } finally {
      for (const [name, value] of [['KUBERNETES_SERVICE_HOST', saved.host], ['KUBERNETES_SERVICE_PORT', saved.port]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    expect(target.server).toBe(alpha.url);
    const db = await migratedDatabase();
    run(db, [target]);
    const leader = await waitFor('alpha leader', () => fleet.leaderOf('alpha', lease));
    await waitFor('the holder stored', async () => (await storedHolders(db)).alpha === leader);

    // The kubelet swaps the token file atomically; the old token is revoked right after.
    await writeFile(path.join(accountDir, '..token.new'), 'sa-token-2\n');
    valid.add('sa-token-2');
    await rename(path.join(accountDir, '..token.new'), path.join(accountDir, 'token'));
    valid.delete('sa-token-1');
    await fleet.restartApiServer('alpha', { downtimeMs: 200 });
    const restartedAt = Date.now();
    await waitFor('the rotated token in use', () => seen.has('sa-token-2'), 10_000);
    await waitFor('renewals stored after the rotation', async () => (await newestRenewal(db, 'alpha')) > restartedAt + 500, 15_000);
    expect(fleet.cluster('alpha').apiServer.stats().requests.unauthorized ?? 0).toBe(0);
  });
});
