export { LeaseApiServer, type ApiServerOptions, type ApiServerStats } from './api-server';
export { chaosOperationSchema, type ChaosOperation, type ChaosResult, type ChaosTarget } from './chaos';
export { createManualClock, systemClock, type Clock, type ManualClock } from './clock';
export { demoFleetOptions, startDemoFleet, type DemoFleetOptions } from './demo';
export { LeaderElector, type AcquireCause, type ElectorEvent, type ElectorExitReason, type ElectorOptions } from './elector';
export { Fleet, startFleet, type CandidateView, type ClusterSpec, type FleetOptions, type SimCluster } from './fleet';
export { GroundTruth, type AcceptedWrite, type ChaosRecord, type LeadershipBelief, type LeadershipChange, type LeaseFilter } from './ground-truth';
export type { Lease, LeaseSpec, Status } from './k8s-types';
export { createKubeConfig, renderKubeconfig } from './kubeconfig';
export {
  certManagerProfile,
  defaultProfiles,
  demoOperatorProfile,
  ingressNginxProfile,
  kubeControllerManagerProfile,
  kubeSchedulerProfile,
  type ElectionProfile,
} from './profiles';
export { createRandom, type Random } from './random';
export { generateScenario, gentleChaosMix, parseScenario, runScenario, ScenarioError, type Scenario, type ScenarioProgress, type ScenarioStep } from './scenario';
