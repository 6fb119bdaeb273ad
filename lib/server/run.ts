import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import next from 'next';
import type { NextConfig } from 'next';
import { ConfigError, type Env } from '../env';
import type { Logger } from '../log';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../store/embedded-postgres';
import { migrate } from '../store/migrate';
import { startControllerFromEnv, type RunningController } from './start-controller';
import { describeDatabaseError } from './database-errors';
import { peerHeader } from '../auth/proxy-identity';
import { startDrain } from './lifecycle';
import { loadPrecompressedAssets, servePrecompressed } from './static-assets';
import { apiRoutesOfBuild, warmUp } from './warm-up';
import { createWebServer } from './web-server';
import { closePreviewPool, registerPreviewWorkerFile } from './preview-pool';

export type RunningServer = { url: string; databaseUrl: string; controller: RunningController | undefined; stop: () => Promise<void> };

// The standalone build records the config it was built with; the artefact carries no next.config.js.
function readBuiltNextConfig(root: string): NextConfig | undefined {
  const file = path.join(root, '.next', 'required-server-files.json');
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as { config: NextConfig }).config;
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

function isDecodablePath(url: string): boolean {
  try {
    decodeURIComponent(url.split('?')[0]!);
    return true;
  } catch {
    return false;
  }
}

export type RunOptions = { env: Env; root: string; log: Logger };

export async function runServer({ env, root, log }: RunOptions): Promise<RunningServer> {
  await assertPortFree(env.HOST, env.PORT);
  // Rule previews run in worker threads started from this file's folder: dist/preview-worker.cjs in the
  // production bundle, lib/server/preview-worker.cjs (through tsx) from source.
  registerPreviewWorkerFile(path.join(__dirname, 'preview-worker.cjs'));

  let embedded: EmbeddedDatabase | undefined;
  let controller: RunningController | undefined;
  let databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({
      dataDir: env.dataDir,
      port: env.EMBEDDED_PG_PORT,
      stagingDir: env.LEASETRAIL_PG_STAGING_DIR,
      log: log.child({ component: 'postgres' }),
    });
    databaseUrl = embedded.url;
    log.info({ dataDir: embedded.dataDir, port: embedded.port }, 'embedded PostgreSQL is up');
  }
  process.env.DATABASE_URL = databaseUrl;

  try {
    const { applied, latest } = await migrate(databaseUrl, { dir: path.join(root, 'prisma', 'migrations'), log }).catch((error: unknown) => {
      throw describeDatabaseError(error, databaseUrl);
    });
    log.info({ applied: applied.length, latest }, 'database schema is up to date');

    if (env.LEASETRAIL_CONTROLLER === 'on') controller = await startControllerFromEnv(env, databaseUrl, log);

    const conf = readBuiltNextConfig(root);
    // What Next's own standalone server.js does: the built configuration is the configuration (no
    // next.config to read in the artefact), and Next then does not warn that "next start" does not work
    // with `output: standalone` nor guess a workspace root from lockfiles at every start.
    if (conf) process.env.__NEXT_PRIVATE_STANDALONE_CONFIG ??= JSON.stringify(conf);
    const app = next({ dev: false, dir: root, hostname: env.HOST, port: env.PORT, ...(conf ? { conf } : {}) });
    await app.prepare();
    // Next then loads every route's code in the background: about a second of module compilation on this
    // thread, which the first requests and health probes queued behind. It is done before listening.
    // (Not a public API: when a Next version drops it, this is skipped and routes load on first use.)
    const nextServer = (app as unknown as { server?: { unstable_preloadEntries?: () => Promise<void> } }).server;
    await nextServer?.unstable_preloadEntries?.();
    const handle = app.getRequestHandler();
    const precompressed = loadPrecompressedAssets(path.join(root, '.next', 'static'));
    const onRequest: http.RequestListener = (req, res) => {
      // Next decodes route parameters before any of our code runs and answers a malformed one with a 500.
      if (!isDecodablePath(req.url ?? '/')) {
        res.writeHead(400, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end('{"error":"invalid path: bad percent-encoding"}');
        return;
      }
      // The trusted-proxy check needs the socket's address; a client-sent copy is never believed.
      delete req.headers[peerHeader];
      if (req.socket.remoteAddress) req.headers[peerHeader] = req.socket.remoteAddress;
      if (servePrecompressed(precompressed, req, res)) return;
      void handle(req, res);
    };
    await warmUp({
      listener: onRequest,
      routes: apiRoutesOfBuild(root),
      host: env.LEASETRAIL_PUBLIC_URL ? new URL(env.LEASETRAIL_PUBLIC_URL).host : 'localhost',
      log,
    });
    const server = createWebServer(onRequest);
    const port = await listen(server, env.HOST, env.PORT);
    const shownHost = env.HOST === '0.0.0.0' || env.HOST === '::' ? 'localhost' : env.HOST;
    const url = `http://${shownHost}:${port}`;

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        // Readiness fails and live streams are told to reconnect before the listener closes.
        startDrain();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const graceMs = 2_000;
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise<void>((resolve) => (grace = setTimeout(resolve, graceMs)))]);
        clearTimeout(grace);
        server.closeAllConnections();
        await closed;
        await app.close();
        await closePreviewPool();
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
