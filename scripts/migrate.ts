import path from 'node:path';
import { ConfigError, parseEnv } from '../lib/env';
import { migrate } from '../lib/store/migrate';
import { describeDatabaseError } from '../lib/server/database-errors';

// Applies the migrations to DATABASE_URL and exits: a Kubernetes init container or a release step.
async function main(): Promise<void> {
  const env = parseEnv();
  if (!env.DATABASE_URL) throw new ConfigError('DATABASE_URL is required to migrate');
  const databaseUrl = env.DATABASE_URL;
  const { loggerFor } = await import('../lib/log');
  const log = loggerFor('migrate');
  const { applied, latest } = await migrate(databaseUrl, { dir: path.resolve(__dirname, '..', 'prisma', 'migrations'), log }).catch((error: unknown) => {
    throw describeDatabaseError(error, databaseUrl);
  });
  process.stdout.write(`migrations applied: ${applied.length}; schema at ${latest ?? 'nothing'}\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`leasetrail migrate: ${error instanceof ConfigError ? message : `failed: ${message}`}\n`);
  process.exit(1);
});
