import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import next from 'next';
import { ConfigError, type Env } from '../env';
import type { Logger } from '../log';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../store/embedded-postgres';
import { migrate } from '../store/migrate';
import { startControllerFromEnv, type RunningController } from './start-controller';
import { describeDatabaseError } from './database-errors';

export type RunningServer = { url: string; databaseUrl: string; controller: RunningController | undefined; stop: () => Promise<void> };

const buildInputs = ['app', 'components', 'lib', 'public', 'next.config.js', 'postcss.config.mjs', 'package-lock.json', 'tsconfig.json'];
const ignoredDirs = new Set(['generated', 'node_modules']);

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.isDirectory() && ignoredDirs.has(entry.name)) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

export function isBuildStale(root: string): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  return buildInputs.some((input) => newestMtime(path.join(root, input)) > builtAt);
}

async function buildApp(root: string, log: Logger): Promise<void> {
  log.info('building the web app (first run or sources changed)');
  const nextBin = require.resolve('next/dist/bin/next');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed with exit code ${code}`))));
  });
}

export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`port ${port} is already in use; set PORT to a free port`) : error),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ConfigError(`port ${port} is already in use; set PORT to a free port`) : error),
    );
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export type RunOptions = { env: Env; root: string; log: Logger; build?: boolean };

export async function runServer({ env, root, log, build = true }: RunOptions): Promise<RunningServer> {
  await assertPortFree(env.HOST, env.PORT);

  let embedded: EmbeddedDatabase | undefined;
  let controller: RunningController | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: env.dataDir, port: env.EMBEDDED_PG_PORT, log: log.child({ component: 'postgres' }) });
    databaseUrl = embedded.url;
    log.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL is up');
  }
  process.env.DATABASE_URL = databaseUrl;

  try {
    const { applied, latest } = await migrate(databaseUrl, { dir: path.join(root, 'prisma', 'migrations'), log }).catch((error: unknown) => {
      throw describeDatabaseError(error, databaseUrl);
    });
    log.info({ applied: applied.length, latest }, 'database schema is up to date');

    if (build && isBuildStale(root)) await buildApp(root, log);
    if (env.LEASETRAIL_CONTROLLER === 'on') controller = await startControllerFromEnv(env, databaseUrl, log);

    const app = next({ dev: false, dir: root, hostname: env.HOST, port: env.PORT });
    await app.prepare();
    const handle = app.getRequestHandler();
    const server = http.createServer((req, res) => void handle(req, res));
    const port = await listen(server, env.HOST, env.PORT);
    const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
    const url = `http://${shownHost}:${port}`;

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await app.close();
        await controller?.stop();
        await embedded?.stop();
      })();
      return stopping;
    };
    return { url, databaseUrl, controller, stop };
  } catch (error) {
    await controller?.stop();
    await embedded?.stop();
    throw error;
  }
}
