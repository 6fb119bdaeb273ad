import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { getEnv } from './env';

export type { Logger };

// pino-pretty runs as a stream in-process (no worker transport), so bundling and tests need no extra files.
function createRootLogger(): Logger {
  const env = getEnv();
  const format = env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty');
  if (format === 'json') return pino({ level: env.LOG_LEVEL, base: { app: 'leasetrail' } });
  return pino(
    { level: env.LOG_LEVEL },
    pretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
}

export const logger: Logger = createRootLogger();

export function loggerFor(component: string, bindings: Record<string, unknown> = {}): Logger {
  return logger.child({ component, ...bindings });
}
