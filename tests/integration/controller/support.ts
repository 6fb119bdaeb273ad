import pg from 'pg';
import type { ClusterTarget } from '../../../lib/kube/cluster-sources';
import { Controller, type ControllerOptions } from '../../../lib/kube/controller';
import { defaultWatchConfig } from '../../../lib/kube/watch-config';
import { defaultDeriveOptions } from '../../../lib/leases';
import { loggerFor } from '../../../lib/log';
import type { ElectionProfile } from '../../../lib/sim/profiles';
import type { Fleet } from '../../../lib/sim';

// client-go's shape with short timings, so a failover takes about two seconds. Not shorter: client-go
// compares records with times rounded to whole seconds, so LeaseDuration must exceed
// RenewDeadline + RetryPeriod + 1 s or a candidate could take over from a live leader.
export const fastProfile: ElectionProfile = {
  component: 'fast-operator',
  namespace: 'kube-system',
  leaseName: 'fast-operator',
  leaseDurationMs: 2_000,
  renewDeadlineMs: 700,
  retryPeriodMs: 150,
  releaseOnCancel: true,
  host: 'pod',
};

// The early-takeover tolerance stays at client-go's one second: candidates compare records with
// times rounded to whole seconds, so a legitimate takeover can come up to 1 s before expiry.
export const fastDeriveOptions = { ...defaultDeriveOptions, skewMarginMs: 400, earlyTakeoverToleranceMs: 1_000 };

export function targetsOf(fleet: Fleet): ClusterTarget[] {
  return fleet.clusters.map((cluster) => ({ name: cluster.name, source: 'simulated' as const, server: cluster.url, kubeConfig: cluster.kubeConfig }));
}

// The short timings every controller test runs with; a test that changes one part spreads these first.
export const fastWatcherOptions = {
  flushIntervalMs: 20,
  standbyRetryMs: 200,
  readTimeoutMs: 1_000,
  deriveOptions: fastDeriveOptions,
  reflector: { backoff: { initialMs: 50, maxMs: 500 }, watchdogMs: 3_000, minHealthyWatchMs: 100 },
};

export function startController(databaseUrl: string, targets: ClusterTarget[], overrides: Partial<ControllerOptions> = {}): Controller {
  const controller = new Controller({
    databaseUrl,
    targets,
    watchConfig: defaultWatchConfig,
    log: loggerFor('controller-test'),
    watcher: fastWatcherOptions,
    ...overrides,
  });
  controller.start();
  return controller;
}

export { waitFor } from '../helpers/wait';

export async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export type StoredTransitionRow = { kind: string; cause: string | null; fromHolder: string | null; toHolder: string | null; leaseTransitions: number | null; missedCount: number; isRestart: boolean };

export function storedTransitions(url: string, cluster: string, name: string): Promise<StoredTransitionRow[]> {
  return query<StoredTransitionRow>(
    url,
    `SELECT t.kind::text, t.cause::text, t."fromHolder", t."toHolder", t."leaseTransitions", t."missedCount", t."isRestart"
       FROM "Transition" t JOIN "Lease" l ON l.id = t."leaseId" JOIN "Cluster" c ON c.id = l."clusterId"
      WHERE c.name = $1 AND l.name = $2 ORDER BY t.at, t.id`,
    [cluster, name],
  );
}
