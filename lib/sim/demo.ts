import { startFleet, type Fleet, type FleetOptions } from './fleet';
import type { Scenario, ScenarioStep } from './scenario';
import { certManagerProfile, cloudControllerManagerProfile, demoOperatorProfile, ingressNginxProfile, kubeControllerManagerProfile, kubeSchedulerProfile } from './profiles';

export type DemoFleetOptions = {
  seed?: string | number;
  portBase?: number;
  kubeconfigPath?: string;
  chaos?: boolean;
  /** the staged first two minutes (two failovers, one leaderless minute half); on with chaos */
  opening?: boolean;
  /** mean time between chaos operations */
  chaosIntervalMs?: number;
};

/** Three clusters with a few leases each and node heartbeats: what `npm start` watches when no cluster is configured. */
export function demoFleetOptions(options: DemoFleetOptions = {}): FleetOptions {
  return {
    clusters: [
      // The fourth lease runs a coordinated election (LeaseCandidates, preferredHolder).
      { name: 'sim-prod-eu', leases: [kubeControllerManagerProfile, kubeSchedulerProfile, certManagerProfile, cloudControllerManagerProfile] },
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

// A newcomer sees something in the first two minutes: a crash taken over after expiry, a graceful
// hand-over, and a lease nobody leads for half a minute. Each on the third lease of a cluster, so the
// control-plane leases stay calm for whoever inspects them.
export function demoOpening(fleet: Pick<Fleet, 'clusters'>): Scenario {
  const third = (cluster: string) => fleet.clusters.find((candidate) => candidate.name === cluster)?.leases[2];
  const steps: ScenarioStep[] = [];
  const crashed = third('sim-prod-us');
  const released = third('sim-prod-eu');
  const abandoned = third('sim-staging');
  if (crashed) steps.push({ atMs: 15_000, op: 'crashLeader', cluster: 'sim-prod-us', lease: crashed, restartAfterMs: 20_000 });
  if (released) steps.push({ atMs: 40_000, op: 'stopLeader', cluster: 'sim-prod-eu', lease: released, release: true, restartAfterMs: 20_000 });
  if (abandoned) steps.push({ atMs: 60_000, op: 'stopAllCandidates', cluster: 'sim-staging', lease: abandoned, restartAfterMs: 30_000 });
  return { name: 'demo opening', steps };
}

/** Start the demo fleet; unless chaos is off, the opening plays, then gentle chaos (about every three minutes) runs until the fleet stops. */
export async function startDemoFleet(options: DemoFleetOptions = {}): Promise<Fleet> {
  const fleetOptions = demoFleetOptions(options);
  const fleet = await startFleet(fleetOptions);
  if (options.chaos ?? true) {
    const opening = options.opening ?? true;
    void (async () => {
      if (opening) await fleet.runScenario(demoOpening(fleet));
      await fleet.runChaos({ seed: fleetOptions.seed ?? 'leasetrail-demo', meanIntervalMs: options.chaosIntervalMs ?? 180_000, restartAfterMs: 20_000 });
    })();
  }
  return fleet;
}
