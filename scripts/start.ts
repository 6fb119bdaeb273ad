import path from 'node:path';
import { ConfigError, parseEnv } from '../lib/env';
import { runServer } from '../lib/server/run';

async function main(): Promise<void> {
  const env = parseEnv();
  const { loggerFor } = await import('../lib/log');
  const log = loggerFor('start');
  const server = await runServer({ env, root: path.resolve(__dirname, '..'), log });
  log.info({ url: server.url }, 'Leasetrail is ready');
  process.stdout.write(`\n  Leasetrail is running at ${server.url}\n\n`);

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(130);
    log.info({ signal }, 'shutting down');
    // Kubernetes sends SIGKILL after terminationGracePeriodSeconds; leave on our own terms well before.
    setTimeout(() => {
      log.error('shutdown took longer than 9 s; exiting');
      process.exit(1);
    }, 9_000).unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`leasetrail: ${error instanceof ConfigError ? message : `failed to start: ${message}`}\n`);
  process.exit(1);
});
