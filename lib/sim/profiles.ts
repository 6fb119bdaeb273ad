import type { ElectionTimings } from './election-record';

/** How a component elects its leader: where its Lease lives, its timings, and what its hosts are called. */
export type ElectionProfile = ElectionTimings & {
  component: string;
  namespace: string;
  leaseName: string;
  releaseOnCancel: boolean;
  /** Control-plane components run on the control-plane nodes; operators run in pods of a Deployment. */
  host: 'control-plane' | 'pod';
  /** Coordinated leader election (KEP-4355): candidates publish LeaseCandidates and the API server names the holder. */
  isCoordinated?: boolean;
};

export const kubeControllerManagerProfile: ElectionProfile = {
  component: 'kube-controller-manager',
  namespace: 'kube-system',
  leaseName: 'kube-controller-manager',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  releaseOnCancel: false,
  host: 'control-plane',
};

export const kubeSchedulerProfile: ElectionProfile = {
  ...kubeControllerManagerProfile,
  component: 'kube-scheduler',
  leaseName: 'kube-scheduler',
};

/** cert-manager's defaults: --leader-election-lease-duration=60s, renew-deadline=40s, retry-period=15s. */
export const certManagerProfile: ElectionProfile = {
  component: 'cert-manager',
  namespace: 'kube-system',
  leaseName: 'cert-manager-controller',
  leaseDurationMs: 60_000,
  renewDeadlineMs: 40_000,
  retryPeriodMs: 15_000,
  releaseOnCancel: true,
  host: 'pod',
};

/** ingress-nginx derives its timings from a 30 s election TTL (renew TTL/2, retry TTL/4). */
export const ingressNginxProfile: ElectionProfile = {
  component: 'ingress-nginx-controller',
  namespace: 'ingress-nginx',
  leaseName: 'ingress-nginx-leader',
  leaseDurationMs: 30_000,
  renewDeadlineMs: 15_000,
  retryPeriodMs: 7_500,
  releaseOnCancel: false,
  host: 'pod',
};

/** A controller-runtime operator with LeaderElectionReleaseOnCancel set. */
export const demoOperatorProfile: ElectionProfile = {
  component: 'widget-operator-controller-manager',
  namespace: 'widget-operator-system',
  leaseName: '8d2ae5b9.widgets.example.com',
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  releaseOnCancel: true,
  host: 'pod',
};

/** A control-plane component elected centrally (coordinated leader election, KEP-4355): candidates publish LeaseCandidates. */
export const cloudControllerManagerProfile: ElectionProfile = {
  ...kubeControllerManagerProfile,
  component: 'cloud-controller-manager',
  leaseName: 'cloud-controller-manager',
  isCoordinated: true,
};

export const defaultProfiles: readonly ElectionProfile[] = [
  kubeControllerManagerProfile,
  kubeSchedulerProfile,
  certManagerProfile,
  ingressNginxProfile,
  demoOperatorProfile,
];

/** kubelet: leaseDurationSeconds 40, renewed every 0.25 × 40 s with 4 % jitter. */
export const nodeHeartbeat = { leaseDurationSeconds: 40, renewIntervalMs: 10_000, jitterFactor: 0.04 };
