import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { loggerFor } from '../../../lib/log';
import { findFreePort, startEmbeddedPostgres } from '../../../lib/store/embedded-postgres';
import { listMigrationFiles } from '../../../lib/store/migrate';
import { isAlive, startScript, waitForOutput, type Started } from '../helpers/processes';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-start-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function start(env: Record<string, string | undefined>): Started {
  const started = startScript('scripts/start.ts', {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: undefined,
    KUBECONFIG: path.join(os.tmpdir(), 'leasetrail-no-kubeconfig'),
    ...env,
  });
  cleanups.push(async () => {
    if (started.child.exitCode === null) {
      started.child.kill('SIGINT');
      await started.exited;
    }
  });
  return started;
}

async function serve(env: Record<string, string | undefined>): Promise<{ started: Started; url: string }> {
  const started = start(env);
  const [, url] = await waitForOutput(started, /Leasetrail is running at (http:\/\/\S+)/, 170_000);
  return { started, url: url! };
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGINT');
  return started.exited;
}

async function waitForPage(url: string, text: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const body = await (await fetch(url)).text();
    if (body.includes(text)) return body;
    if (Date.now() > deadline) throw new Error(`${url} never showed ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function latestMigration(): Promise<string | undefined> {
  return (await listMigrationFiles()).at(-1)?.name;
}

describe('the run command fails fast with one clear line', () => {
  it('on an unparseable DATABASE_URL', async () => {
    const started = start({ DATABASE_URL: 'mysql://nope', PORT: String(await findFreePort()) });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(
      'leasetrail: invalid DATABASE_URL: must be a postgres:// or postgresql:// URL with a host, e.g. postgresql://user:pass@localhost:5432/leasetrail',
    );
  });

  it('on an unreachable database', async () => {
    const closedPort = await findFreePort();
    const started = start({ DATABASE_URL: `postgresql://u:secret@127.0.0.1:${closedPort}/leasetrail`, PORT: String(await findFreePort()) });
    expect(await started.exited).toBe(1);
    const lines = started.output().trim().split('\n');
    expect(lines.at(-1)).toBe(`leasetrail: cannot reach the database at 127.0.0.1:${closedPort}/leasetrail (ECONNREFUSED); check DATABASE_URL`);
    expect(started.output()).not.toContain('secret');
  });

  it('on a port already in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => blocker.close(resolve)));
    const port = (blocker.address() as net.AddressInfo).port;
    const started = start({ PORT: String(port), LEASETRAIL_DATA_DIR: await tempDir() });
    expect(await started.exited).toBe(1);
    expect(started.output().trim()).toBe(`leasetrail: port ${port} is already in use; set PORT to a free port`);
  });
});

describe('the run command with embedded PostgreSQL', () => {
  it('serves the app watching the simulated fleet, keeps stored data across a restart, and stops PostgreSQL on Ctrl-C', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const pgPort = await findFreePort();
    const env = { LEASETRAIL_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), PORT: String(await findFreePort()) };

    const first = await serve(env);
    const home = await fetch(first.url);
    expect(home.status).toBe(200);
    const page = await waitForPage(first.url, 'sim-prod-eu');
    expect(page).toContain('simulated fleet');
    for (const cluster of ['sim-prod-eu', 'sim-prod-us', 'sim-staging']) expect(page).toContain(cluster);
    const health = await (await fetch(`${first.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', database: { reachable: true, migration: await latestMigration() } });

    const credentials = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8')) as { user: string; password: string };
    const client = new pg.Client({ host: '127.0.0.1', port: pgPort, database: 'leasetrail', ...credentials });
    await client.connect();
    await client.query(`INSERT INTO "Cluster" (name, source, state, "updatedAt") VALUES ('kept-across-restart', 'kubeconfig', 'connected', now())`);
    await client.end();

    const postmasterPid = Number((await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(isAlive(postmasterPid)).toBe(true);
    expect(await stop(first.started)).toBe(0);
    expect(isAlive(postmasterPid)).toBe(false);

    const second = await serve({ ...env, EMBEDDED_PG_PORT: String(await findFreePort()) });
    const again = await (await fetch(second.url)).text();
    expect(again).toContain('kept-across-restart');
    expect(await stop(second.started)).toBe(0);
  });
});

describe('GET /api/health', () => {
  it('answers 503 while the database is down and 200 again once it is back', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const log = loggerFor('test-postgres');
    const pgPort = await findFreePort();
    let database = await startEmbeddedPostgres({ dataDir, port: pgPort, log });
    cleanups.push(() => database.stop());

    const { started, url } = await serve({ DATABASE_URL: database.url, PORT: String(await findFreePort()), LEASETRAIL_CONTROLLER: 'off' });
    const up = await fetch(`${url}/api/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', version: expect.any(String), database: { reachable: true, migration: await latestMigration() } });

    await database.stop();
    const down = await fetch(`${url}/api/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'degraded', database: { reachable: false, migration: null } });

    database = await startEmbeddedPostgres({ dataDir, port: pgPort, log });
    const back = await fetch(`${url}/api/health`);
    expect(back.status).toBe(200);
    expect(await stop(started)).toBe(0);
  });
});
