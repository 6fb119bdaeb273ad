import path from 'node:path';
import pg from 'pg';
import { ConfigError, parseEnv } from '../lib/env';
import { startMetricsServer, type MetricsServer } from '../lib/metrics/metrics-server';
import { startControllerFromEnv } from '../lib/server/start-controller';
import { migrate } from '../lib/store/migrate';
import { describeDatabaseError } from '../lib/server/database-errors';

// The controller alone, without the web tier: `npm run controller` with DATABASE_URL set.
async function main(): Promise<void> {
  const env = parseEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required to run the controller alone (npm start runs it with an embedded database)');
  const databaseUrl = env.DATABASE_URL;
  const { loggerFor } = await import('../lib/log');
  const log = loggerFor('controller');
  await migrate(databaseUrl, { dir: path.resolve(__dirname, '..', 'prisma', 'migrations'), log }).catch((error: unknown) => {
    throw describeDatabaseError(error, databaseUrl);
  });
  const running = await startControllerFromEnv(env, databaseUrl, log);
  let isStopping = false;
  let metrics: MetricsServer | undefined;
  const probePool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 2_000 });
  probePool.on('error', () => undefined);
  if (env.LEASETRAIL_METRICS_PORT !== undefined) {
    metrics = await startMetricsServer({
      host: env.HOST,
      port: env.LEASETRAIL_METRICS_PORT,
      token: env.LEASETRAIL_METRICS_TOKEN,
      isReady: async () => {
        if (isStopping) return { ready: false, reason: 'shutting down' };
        await probePool.query('SELECT 1');
        return { ready: true };
      },
    });
    process.stdout.write(`controller metrics on port ${metrics.port}\n`);
  }
  process.stdout.write(`controller watching ${running.targets.length} cluster(s): ${running.targets.map((t) => t.name).join(', ')}\n`);

  const shutdown = () => {
    if (isStopping) process.exit(130);
    isStopping = true;
    setTimeout(() => process.exit(1), 9_000).unref();
    Promise.all([running.stop(), metrics?.close(), probePool.end()]).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`leasetrail controller: ${error instanceof ConfigError ? message : `failed to start: ${message}`}\n`);
  process.exit(1);
});
