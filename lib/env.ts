import path from 'node:path';
import { z } from 'zod';

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL with a host, e.g. postgresql://user:pass@localhost:5432/leasetrail');

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: postgresUrl.optional(),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LEASETRAIL_DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.default(0),
  // As root, where the embedded PostgreSQL's binaries (and the data of a folder its user cannot enter) are staged.
  LEASETRAIL_PG_STAGING_DIR: z.string().refine((value) => value.startsWith('/'), { error: 'must be an absolute path' }).default('/var/lib/leasetrail'),
  // Bearer token Prometheus sends to scrape /metrics; unset: /metrics is as open as the rest of the API.
  // When set, `npm run controller` serves /metrics, /livez and /readyz on this port (0: any free port).
  LEASETRAIL_METRICS_PORT: port.optional(),
  LEASETRAIL_METRICS_TOKEN: z.string().min(16, { error: 'must be at least 16 characters' }).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  KUBECONFIG: z.string().optional(),
  KUBERNETES_SERVICE_HOST: z.string().optional(),
  LEASETRAIL_CONFIG: z.string().optional(),
  LEASETRAIL_CONTROLLER: z.enum(['on', 'off']).default('on'),
  // Threads the clusters are spread over (each thread parses its clusters' watch streams).
  LEASETRAIL_CONTROLLER_THREADS: z.coerce
    .number({ error: 'must be a whole number of threads' })
    .int({ error: 'must be a whole number of threads' })
    .min(1, { error: 'must be at least 1' })
    .max(64, { error: 'must be at most 64' })
    .default(1),
  LEASETRAIL_SIMULATE: z.enum(['auto', 'always', 'never']).default('auto'),
  HOME: z.string().optional(),
});

export type Env = z.infer<typeof envSchema> & { dataDir: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

// Empty strings count as unset, as shells and .env files produce them for "no value".
function withoutEmpty(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(withoutEmpty(source));
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid ${name}: ${issue?.message ?? 'unknown problem'}`);
  }
  return { ...result.data, dataDir: path.resolve(result.data.LEASETRAIL_DATA_DIR) };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
