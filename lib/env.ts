import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { isHttpUrl } from './http-url';
import { defaultMaxLeaseSeries } from './metrics/lease-series';

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

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const httpUrl = z
  .string()
  .trim()
  .refine(isHttpUrl, 'must be an http:// or https:// URL, e.g. https://leasetrail.example.com');

const list = z
  .string()
  .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''));

const headerName = z.string().trim().toLowerCase().regex(/^[a-z0-9-]+$/, 'must be an HTTP header name, e.g. x-forwarded-user');

const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

export function isLoopbackHost(host: string): boolean {
  return loopbackHosts.has(host.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: postgresUrl.optional(),
  PORT: port.default(3000),
  // Unset: loopback without authentication, every interface with it (see resolveHost).
  HOST: z.string().min(1).optional(),
  LEASETRAIL_DATA_DIR: z.string().min(1).default('.data'),
  EMBEDDED_PG_PORT: port.default(0),
  // As root, where the embedded PostgreSQL's binaries (and the data of a folder its user cannot enter) are staged.
  LEASETRAIL_PG_STAGING_DIR: z.string().refine((value) => value.startsWith('/'), { error: 'must be an absolute path' }).default('/var/lib/leasetrail'),
  // Bearer token Prometheus sends to scrape /metrics; unset: /metrics is as open as the rest of the API.
  // When set, `npm run controller` serves /metrics, /livez and /readyz on this port (0: any free port).
  LEASETRAIL_METRICS_PORT: port.optional(),
  // Election leases with Prometheus series of their own (lease signals and renewal histograms); the rest share lease="".
  LEASETRAIL_METRICS_MAX_LEASE_SERIES: z.coerce
    .number({ error: 'must be a whole number of leases' })
    .int({ error: 'must be a whole number of leases' })
    .min(0, { error: 'must be at least 0' })
    .max(1_000_000, { error: 'must be at most 1000000' })
    .default(defaultMaxLeaseSeries),
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
  // How far V8 lets the heap grow past what the last full collection kept, in percent (V8's --heap-growing-percent);
  // 0 leaves V8's own policy (up to 4 × the live data while allocation is fast). lib/server/heap-policy.ts.
  LEASETRAIL_HEAP_GROWTH_PERCENT: z.coerce
    .number({ error: 'must be a whole number of percent' })
    .int({ error: 'must be a whole number of percent' })
    .min(0, { error: 'must be at least 0' })
    .max(300, { error: 'must be at most 300' })
    .default(50),
  // What the controller asks API servers for: Kubernetes protobuf (JSON where a server answers JSON) or JSON only.
  LEASETRAIL_WATCH_ENCODING: z.enum(['protobuf', 'json'], { error: 'must be protobuf or json' }).default('protobuf'),
  // HTTP/2 to https:// API servers that offer it, every watch of a cluster over one connection as client-go does; off: HTTP/1.1, a connection per watch.
  LEASETRAIL_WATCH_HTTP2: z.enum(['auto', 'off'], { error: 'must be auto or off' }).default('auto'),
  // Failover context (README, Why did it fail over?): pods and Events watched per namespace holding an election lease
  // (least privilege, two watches per namespace) or cluster-wide where RBAC allows it (two watches per cluster).
  LEASETRAIL_CONTEXT_SCOPE: z.enum(['namespaces', 'cluster'], { error: 'must be namespaces or cluster' }).default('namespaces'),
  LEASETRAIL_SIMULATE: z.enum(['auto', 'always', 'never']).default('auto'),
  // Retention (lib/store/partitions.ts): raw renew samples and their per-minute rollups, in days.
  LEASETRAIL_RETENTION_RAW_DAYS: z.coerce.number({ error: 'must be a number of days' }).int({ error: 'must be a whole number of days' }).min(1, { error: 'must be at least 1' }).max(3650, { error: 'must be at most 3650' }).default(7),
  LEASETRAIL_RETENTION_ROLLUP_DAYS: z.coerce.number({ error: 'must be a number of days' }).int({ error: 'must be a whole number of days' }).min(1, { error: 'must be at least 1' }).max(36500, { error: 'must be at most 36500' }).default(400),
  // How long a cluster whose owner died waits for another replica, and how often replicas rebalance.
  LEASETRAIL_OWNERSHIP_LEASE_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(0.2, { error: 'must be at least 0.2 seconds' })
    .max(300, { error: 'must be at most 300 seconds' })
    .default(5),
  // How long the failover context (kept Events, container restarts, deleted pods) is kept.
  LEASETRAIL_CONTEXT_RETENTION_DAYS: z.coerce
    .number({ error: 'must be a number of days' })
    .min(1, { error: 'must be at least 1 day' })
    .max(3650, { error: 'must be at most 3650 days' })
    .default(30),
  HOME: z.string().optional(),
  LEASETRAIL_AUTH: z.enum(['none', 'oidc', 'proxy'], { error: 'must be one of none, oidc, proxy' }).default('none'),
  LEASETRAIL_PUBLIC_URL: httpUrl.optional(),
  // The zone alert texts give times in (IANA name, e.g. Europe/Berlin).
  LEASETRAIL_TIME_ZONE: z
    .string()
    .trim()
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
  LEASETRAIL_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -base64 48)').optional(),
  LEASETRAIL_SESSION_HOURS: z.coerce.number({ error: 'must be a number of hours' }).positive('must be positive').max(24 * 30, 'must be at most 720').default(8),
  LEASETRAIL_ADMIN_GROUPS: list.default([]),
  LEASETRAIL_EDITOR_GROUPS: list.default([]),
  // "*" means every signed-in user; leave it empty to admit only the groups named for a role.
  LEASETRAIL_VIEWER_GROUPS: list.default(['*']),
  OIDC_ISSUER: httpUrl.optional(),
  OIDC_CLIENT_ID: z.string().trim().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_SCOPES: z.string().trim().min(1).default('openid profile email groups'),
  OIDC_GROUPS_CLAIM: z.string().trim().min(1).default('groups'),
  OIDC_USERNAME_CLAIM: z.string().trim().min(1).default('preferred_username'),
  LEASETRAIL_PROXY_USER_HEADER: headerName.default('x-forwarded-user'),
  LEASETRAIL_PROXY_GROUPS_HEADER: headerName.default('x-forwarded-groups'),
  LEASETRAIL_TRUSTED_PROXIES: list.default([]),
  LEASETRAIL_SECRET_KEY: z
    .string()
    .trim()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)')
    .optional(),
});

export type Env = Omit<z.infer<typeof envSchema>, 'HOST'> & { HOST: string; dataDir: string };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

// Empty strings count as unset, as shells and .env files produce them for "no value".
function withoutEmpty(source: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(source).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

type ParsedEnv = z.infer<typeof envSchema>;

function requireFor(mode: string, data: ParsedEnv, names: Array<keyof ParsedEnv>): void {
  const missing = names.find((name) => data[name] === undefined);
  if (missing) throw new ConfigError(`invalid ${missing}: required when LEASETRAIL_AUTH=${mode}`);
}

function validateTrustedProxies(entries: string[]): void {
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const bits = prefix === undefined ? undefined : Number(prefix);
    const family = net.isIP(address ?? '');
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && (!Number.isInteger(bits) || bits < 0 || bits > max))) {
      throw new ConfigError(`invalid LEASETRAIL_TRUSTED_PROXIES: ${entry} is not an IP address or CIDR (e.g. 10.0.0.0/8, fd00::/8)`);
    }
  }
}

// Without authentication anyone who reaches the port is an admin, so that is allowed on loopback only.
function resolveHost(data: ParsedEnv): string {
  if (data.LEASETRAIL_AUTH !== 'none') return data.HOST ?? '0.0.0.0';
  const host = data.HOST ?? '127.0.0.1';
  if (!isLoopbackHost(host)) {
    throw new ConfigError(`refusing to listen on ${host} without authentication: set LEASETRAIL_AUTH=oidc or proxy (see README, Access control), or leave HOST unset to stay on 127.0.0.1`);
  }
  return host;
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(withoutEmpty(source));
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = issue?.path.join('.') ?? 'environment';
    throw new ConfigError(`invalid ${name}: ${issue?.message ?? 'unknown problem'}`);
  }
  const data = result.data;
  if (data.LEASETRAIL_AUTH === 'oidc') requireFor('oidc', data, ['LEASETRAIL_PUBLIC_URL', 'LEASETRAIL_SESSION_SECRET', 'OIDC_ISSUER', 'OIDC_CLIENT_ID']);
  if (data.LEASETRAIL_AUTH === 'proxy') {
    if (data.LEASETRAIL_TRUSTED_PROXIES.length === 0) throw new ConfigError('invalid LEASETRAIL_TRUSTED_PROXIES: required when LEASETRAIL_AUTH=proxy (the addresses or CIDRs of the auth proxy)');
    validateTrustedProxies(data.LEASETRAIL_TRUSTED_PROXIES);
  }
  // Long ranges read the rollups where raw samples are gone: rollups kept shorter would leave a hole.
  if (data.LEASETRAIL_RETENTION_ROLLUP_DAYS < data.LEASETRAIL_RETENTION_RAW_DAYS) {
    throw new ConfigError('invalid LEASETRAIL_RETENTION_ROLLUP_DAYS: must be at least LEASETRAIL_RETENTION_RAW_DAYS (rollups answer the ranges raw samples no longer cover)');
  }
  return { ...data, HOST: resolveHost(data), dataDir: path.resolve(data.LEASETRAIL_DATA_DIR) };
}

let cached: Env | undefined;

export function getEnv(): Env {
  cached ??= parseEnv();
  return cached;
}
