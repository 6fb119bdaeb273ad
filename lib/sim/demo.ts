import { startFleet, type Fleet, type FleetOptions } from './fleet';
import { certManagerProfile, demoOperatorProfile, ingressNginxProfile, kubeControllerManagerProfile, kubeSchedulerProfile } from './profiles';

export type DemoFleetOptions = {
  seed?: string | number;
  portBase?: number;
  kubeconfigPath?: string;
  chaos?: boolean;
  /** mean time between chaos operations */
  chaosIntervalMs?: number;
};

/** Three clusters with a few leases each and node heartbeats: what `npm start` watches when no cluster is configured. */
export function demoFleetOptions(options: DemoFleetOptions = {}): FleetOptions {
  return {
    clusters: [
      { name: 'sim-prod-eu', leases: [kubeControllerManagerProfile, kubeSchedulerProfile, certManagerProfile] },
      { name: 'sim-prod-us', leases: [kubeControllerManagerProfile, kubeSchedulerProfile, ingressNginxProfile] },
      { name: 'sim-staging', leases: [kubeControllerManagerProfile, kubeSchedulerProfile, demoOperatorProfile] },
    ],
    candidates: 3,
    heartbeatNodes: 3,
    seed: options.seed ?? 'leasetrail-demo',
    restartDelayMs: 10_000,
    bookmarkIntervalMs: 10_000,
    // As real clusters are: HTTPS with its own CA, tokens, and a client certificate for one cluster.
    secure: { clientCertificateClusters: ['sim-staging'] },
    ...(options.portBase !== undefined ? { portBase: options.portBase } : {}),
    ...(options.kubeconfigPath !== undefined ? { kubeconfigPath: options.kubeconfigPath } : {}),
  };
}

/** Start the demo fleet; unless chaos is off, gentle chaos (about every three minutes) runs until the fleet stops. */
export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<Fleet> {
  const fleetOptions = demoFleetOptions(options);
  const fleet = await startFleet(fleetOptions);
  if (options.chaos ?? true) {
    void fleet.runChaos({ seed: fleetOptions.seed ?? 'leasetrail-demo', meanIntervalMs: options.chaosIntervalMs ?? 180_000, restartAfterMs: 20_000 });
  }
  return fleet;
}
