import path from 'node:path';
import { ConfigError, parseEnv } from '../lib/env';
import { startControllerFromEnv } from '../lib/kube/start-controller';
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
  process.stdout.write(`controller watching ${running.targets.length} cluster(s): ${running.targets.map((t) => t.name).join(', ')}\n`);

  let stopping = false;
  const shutdown = () => {
    if (stopping) process.exit(130);
    stopping = true;
    running.stop().then(
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
