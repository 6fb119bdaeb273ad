import os from 'node:os';
import path from 'node:path';
import { AlertEngine } from './alerts/engine';
import { applyHeapGrowth } from './heap-policy';
import type { Env } from '../env';
import type { Logger } from '../log';
import { closePgStore, createPgStore } from '../store/pg-store';
import { PartitionJob } from '../store/partitions';
import { ContextRetentionJob } from '../store/context-retention';
import { RollupJob } from '../store/rollups';
import { listKubeconfigFiles, loadInClusterTarget, loadKubeconfigTargets, selectTargets, type ClusterTarget } from '../kube/cluster-sources';
import { Controller } from '../kube/controller';
import { loadWatchConfig } from '../kube/watch-config';

export type RunningController = { controller: Controller; alerts: AlertEngine; targets: ClusterTarget[]; isSimulated: boolean; stop: () => Promise<void> };

// Where clusters come from, in order: KUBECONFIG / ~/.kube/config, the in-cluster service account,
// and, when neither gives any (or LEASETRAIL_SIMULATE=always), the built-in simulated fleet.
export async function startControllerFromEnv(env: Env, databaseUrl: string, log: Logger): Promise<RunningController> {
  const heap = applyHeapGrowth(env.LEASETRAIL_HEAP_GROWTH_PERCENT);
  log.info({ heapGrowthPercent: heap.applied, source: heap.reason }, 'heap growth policy');
  const watchConfig = await loadWatchConfig(env.LEASETRAIL_CONFIG);
  let targets: ClusterTarget[] = [];
  if (env.LEASETRAIL_SIMULATE !== 'always') {
    const files = listKubeconfigFiles(env.KUBECONFIG, env.HOME ?? os.homedir());
    const loaded = loadKubeconfigTargets(files);
    for (const problem of loaded.problems) log.warn({ problem }, 'kubeconfig problem');
    targets = loaded.targets;
    if (targets.length === 0 && env.KUBERNETES_SERVICE_HOST) targets = [loadInClusterTarget()];
    targets = selectTargets(targets, watchConfig.contexts);
  }

  let stopFleet: (() => Promise<void>) | undefined;
  if (targets.length === 0 && env.LEASETRAIL_SIMULATE !== 'never') {
    const { startDemoFleet } = await import('../sim');
    const { setActiveFleet } = await import('../sim/active-fleet');
    const kubeconfigPath = path.join(env.dataDir, 'sim', 'kubeconfig');
    const fleet = await startDemoFleet({ kubeconfigPath });
    setActiveFleet(fleet);
    stopFleet = async () => {
      setActiveFleet(undefined);
      await fleet.stop();
    };
    targets = loadKubeconfigTargets([kubeconfigPath], 'simulated').targets;
    log.info({ kubeconfig: kubeconfigPath, clusters: targets.map((t) => t.name) }, 'no cluster configured: watching the built-in simulated fleet');
  }
  if (targets.length === 0) log.warn('no cluster to watch: set KUBECONFIG, or LEASETRAIL_SIMULATE=auto for the simulated fleet');

  const ownershipLeaseMs = env.LEASETRAIL_OWNERSHIP_LEASE_SECONDS * 1000;
  const controller = new Controller({
    databaseUrl,
    targets,
    // The simulated fleet's kubelets are there to be watched: its Nodes view is part of the demo.
    watchConfig: stopFleet ? { ...watchConfig, nodeHeartbeats: true } : watchConfig,
    log: log.child({ component: 'controller' }),
    threads: env.LEASETRAIL_CONTROLLER_THREADS,
    balanceIntervalMs: ownershipLeaseMs,
    maxLeaseSeries: env.LEASETRAIL_METRICS_MAX_LEASE_SERIES,
    watcher: { standbyRetryMs: ownershipLeaseMs, http2: env.LEASETRAIL_WATCH_HTTP2, reflector: { encoding: env.LEASETRAIL_WATCH_ENCODING }, context: { scope: env.LEASETRAIL_CONTEXT_SCOPE } },
  });
  controller.start();
  // Alerts are evaluated wherever the controller runs, on its transitions as they are stored.
  // On pg alone: nothing the controller process runs loads Prisma (its client and query compiler cost ≈ 84 MB).
  const alertStore = createPgStore(databaseUrl, { max: 4 });
  const alerts = new AlertEngine({
    store: alertStore,
    source: controller,
    log: log.child({ component: 'alerts' }),
    delivery: { messageContext: { publicUrl: env.LEASETRAIL_PUBLIC_URL ?? null, timeZone: env.LEASETRAIL_TIME_ZONE } },
  });
  alerts.start();
  // Per-minute renew rollups and per-lease timeline rollups, so long ranges and the audit never scan raw history.
  const rollupStore = createPgStore(databaseUrl, { max: 3 });
  const rollups = new RollupJob({ store: rollupStore, log: log.child({ component: 'rollups' }) });
  rollups.start();
  // Partitions of the days and months ahead, and retention by dropping whole partitions.
  const day = 86_400_000;
  const partitions = new PartitionJob({
    store: rollupStore,
    log: log.child({ component: 'partitions' }),
    maintenance: { retention: { rawSamplesMs: env.LEASETRAIL_RETENTION_RAW_DAYS * day, rollupsMs: env.LEASETRAIL_RETENTION_ROLLUP_DAYS * day } },
  });
  partitions.start();
  const retention = new ContextRetentionJob({ store: rollupStore, log: log.child({ component: 'context-retention' }), retentionMs: env.LEASETRAIL_CONTEXT_RETENTION_DAYS * day });
  retention.start();
  return {
    controller,
    alerts,
    targets,
    isSimulated: stopFleet !== undefined,
    stop: async () => {
      await partitions.stop();
      await rollups.stop();
      await retention.stop();
      await closePgStore(rollupStore);
      await alerts.stop();
      await closePgStore(alertStore);
      await controller.stop();
      await stopFleet?.();
    },
  };
}
