import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { loggerFor } from '../log';
import { LeaseApiServer, type RequestCredentials } from './api-server';
import { describeChaos, type ChaosOperation, type ChaosResult, type ChaosTarget } from './chaos';
import { systemClock, type Clock } from './clock';
import { LeaderElector, type ElectorEvent, type ElectorExitReason } from './elector';
import type { LeaseCandidateVersion } from './context-api';
import { CoordinatedElection } from './coordinated-election';
import { ClusterContext, type CandidateVersions, type PodPlacement, type Termination } from './fleet-context';
import { GroundTruth } from './ground-truth';
import { createKubeConfig, writeKubeconfigFile, type KubeconfigCluster } from './kubeconfig';
import { NodeHeartbeat } from './node-heartbeat';
import { defaultProfiles, type ElectionProfile } from './profiles';
import { createRandom, type Random } from './random';
import { generateScenario, runScenario, type ChaosMix, type Scenario, type ScenarioProgress } from './scenario';
import { createBearerToken, createCertificateAuthority, type KeyPairPem } from './tls';

export type FleetOptions = {
  /** A count (clusters named sim-1, sim-2, …), or names, or clusters with leases of their own. */
  clusters?: number | ReadonlyArray<string | ClusterSpec>;
  /** A count (the first M default profiles) or the election profiles every cluster runs. */
  leases?: number | readonly ElectionProfile[];
  candidates?: number;
  heartbeatNodes?: number;
  heartbeatIntervalMs?: number;
  seed?: string | number;
  /** Cluster i listens on portBase + i; without it every API server takes a free port. */
  portBase?: number;
  historySize?: number;
  bookmarkIntervalMs?: number;
  minRequestTimeoutSeconds?: number;
  /** How long a candidate that crashed, stopped or lost stays down before it restarts; null keeps it down. */
  restartDelayMs?: number | null;
  kubeconfigPath?: string;
  /**
   * Clusters as they really are: HTTPS with the fleet's own CA, and authentication — a bearer token per
   * cluster, or a client certificate for the clusters named in `clientCertificateClusters`. `acceptToken`
   * admits further tokens (an exec credential plugin's, a rotated service-account token).
   */
  secure?: boolean | { clientCertificateClusters?: readonly string[]; acceptToken?: (token: string) => boolean };
  maxGroundTruthWrites?: number;
  /** How long the API servers keep Events (kube-apiserver --event-ttl, 1 h by default). */
  eventTtlMs?: number;
  /** LeaseCandidate versions the API servers serve (default v1beta1; [] = the feature gate is off). */
  leaseCandidateVersions?: readonly LeaseCandidateVersion[];
  /** Versions every candidate starts on, for coordinated leases (default 1.33.0 emulating 1.33). */
  candidateVersions?: CandidateVersions;
  clock?: Clock;
  logger?: Logger;
};

export type ClusterSpec = { name: string; leases?: readonly ElectionProfile[] };

type ClusterCredentials = { token?: string; clientCertificate?: KeyPairPem };
type FleetSecurity = { caPem: string; server: KeyPairPem; credentials: Map<string, ClusterCredentials>; acceptToken?: (token: string) => boolean };

const clientCommonName = (cluster: string) => `${cluster}-client`;

async function createFleetSecurity(names: string[], secure: Exclude<FleetOptions['secure'], boolean | undefined> | true): Promise<FleetSecurity> {
  const options = secure === true ? {} : secure;
  const ca = await createCertificateAuthority('leasetrail-sim-ca');
  const server = await ca.sign({ commonName: 'leasetrail-sim-apiserver', usage: 'server', hosts: ['127.0.0.1', 'localhost'] });
  const withCertificate = new Set(options.clientCertificateClusters ?? []);
  const credentials = new Map<string, ClusterCredentials>();
  for (const name of names) {
    credentials.set(name, withCertificate.has(name) ? { clientCertificate: await ca.sign({ commonName: clientCommonName(name), usage: 'client' }) } : { token: createBearerToken() });
  }
  return { caPem: ca.certPem, server, credentials, ...(options.acceptToken ? { acceptToken: options.acceptToken } : {}) };
}

export type SimCluster = {
  name: string;
  url: string;
  apiServer: LeaseApiServer;
  kubeConfig: KubeConfig;
  /** lease keys (namespace/name) with electors in this cluster */
  leases: string[];
  context: ClusterContext;
};

export type CandidateView = {
  cluster: string;
  lease: string;
  host: string;
  identity: string | undefined;
  isRunning: boolean;
  isLeader: boolean;
  isPaused: boolean;
  clockOffsetMs: number;
  callDelayMs: number;
};

type Slot = {
  cluster: SimCluster;
  lease: string;
  profile: ElectionProfile;
  host: string;
  random: Random;
  elector: LeaderElector | undefined;
  restartTimer: NodeJS.Timeout | undefined;
  pendingRestartDelayMs: number | null | undefined;
  clockOffsetMs: number;
  callDelayMs: number;
  placement: PodPlacement;
  versions: CandidateVersions;
  /** What ends the running container: set by chaos before it acts, read when the container restarts. */
  termination: Termination | undefined;
};

function clusterSpecs(clusters: FleetOptions['clusters']): ClusterSpec[] {
  if (Array.isArray(clusters)) return clusters.map((entry: string | ClusterSpec) => (typeof entry === 'string' ? { name: entry } : entry));
  const count = typeof clusters === 'number' ? clusters : 1;
  return Array.from({ length: count }, (_, i) => ({ name: `sim-${i + 1}` }));
}

function profilesOf(leases: FleetOptions['leases']): ElectionProfile[] {
  if (Array.isArray(leases)) return [...leases];
  const count = typeof leases === 'number' ? leases : 2;
  if (count > defaultProfiles.length) throw new Error(`at most ${defaultProfiles.length} default lease profiles exist; pass profiles for more`);
  return defaultProfiles.slice(0, count);
}

function leaseKey(profile: ElectionProfile): string {
  return `${profile.namespace}/${profile.leaseName}`;
}

/** N clusters × M election leases × K candidates, optional node heartbeats, chaos, and the ground truth of it all. */
export class Fleet implements ChaosTarget {
  readonly clusters: SimCluster[];
  readonly groundTruth: GroundTruth;
  private readonly options: FleetOptions;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly log: Logger;
  private readonly slots: Slot[] = [];
  private readonly heartbeats: Array<{ cluster: string; heartbeat: NodeHeartbeat }> = [];
  private readonly coordinators: CoordinatedElection[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly scenarios = new AbortController();
  private readonly unsubscribes: Array<() => void> = [];
  private isStopping = false;
  private writtenKubeconfig: string | undefined;

  private readonly security: FleetSecurity | undefined;

  constructor(options: FleetOptions = {}, security?: FleetSecurity) {
    this.options = options;
    this.security = security;
    this.clock = options.clock ?? systemClock;
    this.random = createRandom(options.seed ?? 'leasetrail');
    this.log = options.logger ?? loggerFor('sim');
    this.groundTruth = new GroundTruth(options.maxGroundTruthWrites);
    const sharedProfiles = profilesOf(options.leases);
    const specs = clusterSpecs(options.clusters);
    const profilesByCluster = new Map(specs.map((spec) => [spec.name, spec.leases ? [...spec.leases] : sharedProfiles]));
    for (const [name, profiles] of profilesByCluster) {
      const keys = profiles.map(leaseKey);
      if (new Set(keys).size !== keys.length) throw new Error(`two lease profiles in cluster ${name} use the same namespace/name`);
    }
    if (profilesByCluster.size !== specs.length) throw new Error('cluster names must be unique');
    this.clusters = specs.map(({ name }, index) => {
      const apiServer = new LeaseApiServer({
        name,
        ...(options.portBase !== undefined ? { port: options.portBase + index } : {}),
        ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
        ...(options.bookmarkIntervalMs !== undefined ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
        ...(options.minRequestTimeoutSeconds !== undefined ? { minRequestTimeoutSeconds: options.minRequestTimeoutSeconds } : {}),
        initialResourceVersion: this.random.fork(`rv/${name}`).int(1_000, 900_000),
        clock: this.clock,
        random: this.random.fork(`apiserver/${name}`),
        logger: loggerFor('sim', { cluster: name }),
        ...(security ? { tls: { certPem: security.server.certPem, keyPem: security.server.keyPem, clientCaPem: security.caPem }, authenticate: this.authenticatorFor(name, security) } : {}),
        ...(options.leaseCandidateVersions ? { leaseCandidateVersions: options.leaseCandidateVersions } : {}),
      });
      const leases = profilesByCluster.get(name)!.map(leaseKey);
      const context = new ClusterContext(apiServer.context, this.clock, this.random.fork(`context/${name}`), options.eventTtlMs ?? 3_600_000);
      return { name, url: apiServer.url, apiServer, kubeConfig: createKubeConfig(this.accessOf(name, apiServer.url)), leases, context };
    });
    for (const cluster of this.clusters) {
      for (const profile of profilesByCluster.get(cluster.name)!) {
        const podHash = this.random.fork(`pod/${cluster.name}/${profile.component}`).alphanumeric(10);
        for (let index = 0; index < (options.candidates ?? 3); index++) {
          const random = this.random.fork(`slot/${cluster.name}/${leaseKey(profile)}/${index}`);
          const host = profile.host === 'control-plane' ? `${cluster.name}-control-plane-${index + 1}` : `${profile.component}-${podHash}-${random.alphanumeric(5)}`;
          const placement: PodPlacement =
            profile.host === 'control-plane'
              ? { namespace: profile.namespace, podName: `${profile.component}-${host}`, nodeName: host, containerName: profile.component, owner: { kind: 'Node', name: host } }
              : { namespace: profile.namespace, podName: host, nodeName: `${cluster.name}-worker-${(index % 3) + 1}`, containerName: 'manager', owner: { kind: 'ReplicaSet', name: `${profile.component}-${podHash}` } };
          this.slots.push({
            cluster,
            lease: leaseKey(profile),
            profile,
            host,
            random,
            elector: undefined,
            restartTimer: undefined,
            pendingRestartDelayMs: undefined,
            clockOffsetMs: 0,
            callDelayMs: 0,
            placement,
            versions: options.candidateVersions ?? { binaryVersion: '1.33.0', emulationVersion: '1.33' },
            termination: undefined,
          });
        }
      }
    }
  }

  get kubeconfigPath(): string | undefined {
    return this.writtenKubeconfig;
  }

  async start(): Promise<void> {
    for (const cluster of this.clusters) {
      await cluster.apiServer.start();
      cluster.url = cluster.apiServer.url;
      cluster.kubeConfig = createKubeConfig(this.accessOf(cluster.name, cluster.url));
      this.unsubscribes.push(
        cluster.apiServer.onWrite((event) =>
          this.groundTruth.recordWrite({
            cluster: cluster.name,
            type: event.type,
            namespace: event.object.metadata.namespace,
            name: event.object.metadata.name,
            resourceVersion: event.object.metadata.resourceVersion,
            object: event.object,
            at: this.clock.now(),
          }),
        ),
      );
      for (let i = 0; i < (this.options.heartbeatNodes ?? 0); i++) {
        const nodeName = `${cluster.name}-worker-${i + 1}`;
        const random = this.random.fork(`node/${cluster.name}/${nodeName}`);
        const heartbeat = new NodeHeartbeat({
          kubeConfig: cluster.kubeConfig,
          nodeName,
          nodeUid: random.uuid(),
          clock: this.clock,
          random: random.float,
          logger: loggerFor('sim', { cluster: cluster.name }),
          ...(this.options.heartbeatIntervalMs !== undefined ? { renewIntervalMs: this.options.heartbeatIntervalMs } : {}),
        });
        this.heartbeats.push({ cluster: cluster.name, heartbeat });
        heartbeat.start();
      }
      this.unsubscribes.push(cluster.apiServer.context.subscribe((event) => this.answerPings(cluster, event.resource, event.object.metadata)));
      const coordinated = profilesByClusterOf(this.options, cluster.name).filter((profile) => profile.isCoordinated);
      if (coordinated.length > 0) {
        const coordinator = new CoordinatedElection(
          cluster.apiServer,
          coordinated.map((profile) => ({ namespace: profile.namespace, name: profile.leaseName, leaseDurationSeconds: Math.floor(profile.leaseDurationMs / 1000) })),
          this.clock,
          loggerFor('sim', { cluster: cluster.name }),
        );
        this.coordinators.push(coordinator);
        coordinator.start();
      }
    }
    for (const slot of this.slots) this.startCandidate(slot);
    if (this.options.kubeconfigPath) await this.writeKubeconfig(this.options.kubeconfigPath);
    this.log.info({ clusters: this.clusters.map((c) => `${c.name}=${c.url}`) }, 'simulated fleet started');
  }

  /** Everything stops: scenarios, electors (as if killed), heartbeats, then the API servers. */
  async stop(): Promise<void> {
    if (this.isStopping) return;
    this.isStopping = true;
    this.scenarios.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const slot of this.slots) clearTimeout(slot.restartTimer);
    for (const coordinator of this.coordinators) coordinator.stop();
    for (const cluster of this.clusters) cluster.context.stop();
    await Promise.all(this.slots.map((slot) => slot.elector?.crash()));
    await Promise.all(this.heartbeats.map(({ heartbeat }) => heartbeat.stop()));
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await Promise.all(this.clusters.map((cluster) => cluster.apiServer.stop()));
    this.log.info('simulated fleet stopped');
  }

  /** Write a kubeconfig with one context per simulated cluster; returns its absolute path. */
  async writeKubeconfig(filePath: string): Promise<string> {
    this.writtenKubeconfig = await writeKubeconfigFile(
      filePath,
      this.clusters.map((cluster) => this.accessOf(cluster.name, cluster.url)),
    );
    return this.writtenKubeconfig;
  }

  /** How a client reaches a cluster: URL, the fleet CA and the cluster's credentials (when secure). */
  accessOf(name: string, url = this.cluster(name).url): KubeconfigCluster {
    const credentials = this.security?.credentials.get(name);
    return {
      name,
      url,
      ...(this.security ? { caPem: this.security.caPem } : {}),
      ...(credentials?.token ? { token: credentials.token } : {}),
      ...(credentials?.clientCertificate ? { clientCertificate: credentials.clientCertificate } : {}),
    };
  }

  private authenticatorFor(name: string, security: FleetSecurity): (credentials: RequestCredentials) => boolean {
    const own = security.credentials.get(name);
    return ({ token, clientCommonName: commonName }) => {
      if (own?.clientCertificate && commonName === clientCommonName(name)) return true;
      if (token === undefined) return false;
      return token === own?.token || (security.acceptToken?.(token) ?? false);
    };
  }

  cluster(name: string): SimCluster {
    const found = this.clusters.find((cluster) => cluster.name === name);
    if (!found) throw new Error(`no simulated cluster named ${name}`);
    return found;
  }

  candidates(filter: { cluster?: string; lease?: string } = {}): CandidateView[] {
    return this.slots
      .filter((slot) => (filter.cluster === undefined || slot.cluster.name === filter.cluster) && (filter.lease === undefined || slot.lease === filter.lease))
      .map((slot) => ({
        cluster: slot.cluster.name,
        lease: slot.lease,
        host: slot.host,
        identity: slot.elector?.identity,
        isRunning: slot.elector !== undefined,
        isLeader: slot.elector?.isLeader ?? false,
        isPaused: slot.elector?.isPaused ?? false,
        clockOffsetMs: slot.clockOffsetMs,
        callDelayMs: slot.callDelayMs,
      }));
  }

  /** The identity of the elector that believes it leads and holds the Lease (or, failing that, any believer). */
  leaderOf(cluster: string, lease: string): string | undefined {
    return this.leaderSlot(cluster, lease)?.elector?.identity;
  }

  crashLeader(cluster: string, lease: string, options: { restartAfterMs?: number | null } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'crashLeader', cluster, lease, ...options });
  }

  stopLeader(cluster: string, lease: string, options: { release?: boolean; restartAfterMs?: number | null } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'stopLeader', cluster, lease, ...options });
  }

  pauseLeader(cluster: string, lease: string, options: { durationMs?: number } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'pauseLeader', cluster, lease, ...options });
  }

  resumeLeader(cluster: string, lease: string): Promise<ChaosResult> {
    return this.applyChaos({ op: 'resumeLeader', cluster, lease });
  }

  slowCalls(cluster: string, lease: string, delayMs: number, options: { durationMs?: number } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'slowCalls', cluster, lease, delayMs, ...options });
  }

  skewClock(cluster: string, lease: string, offsetMs: number, options: { durationMs?: number; host?: string } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'skewClock', cluster, lease, offsetMs, ...options });
  }

  restartApiServer(cluster: string, options: { downtimeMs?: number } = {}): Promise<ChaosResult> {
    return this.applyChaos({ op: 'restartApiServer', cluster, ...options });
  }

  compactHistory(cluster: string): Promise<ChaosResult> {
    return this.applyChaos({ op: 'compactHistory', cluster });
  }

  /** Play a scenario against this fleet; it stops early when the fleet stops or the signal aborts. */
  runScenario(scenario: Scenario, options: { signal?: AbortSignal; onStep?: (progress: ScenarioProgress) => void } = {}): Promise<ScenarioProgress[]> {
    const signal = options.signal ? AbortSignal.any([options.signal, this.scenarios.signal]) : this.scenarios.signal;
    return runScenario(this, scenario, { clock: this.clock, signal, ...(options.onStep ? { onStep: options.onStep } : {}) });
  }

  /**
   * Random chaos from a seed until the fleet stops, generated a thousand steps at a time so a long run
   * never holds its whole timeline in memory.
   */
  async runChaos(options: { seed: string | number; meanIntervalMs: number; mix?: ChaosMix; restartAfterMs?: number; pauseMs?: number }): Promise<void> {
    const leases = Object.fromEntries(this.clusters.map((cluster) => [cluster.name, cluster.leases]));
    for (let chunk = 0; !this.isStopping; chunk++) {
      const scenario = generateScenario({ ...options, seed: `${options.seed}/chaos/${chunk}`, leases, durationMs: options.meanIntervalMs * 1000 });
      if (scenario.steps.length === 0) return;
      await this.runScenario(scenario);
    }
  }

  async applyChaos(operation: ChaosOperation): Promise<ChaosResult> {
    if (this.isStopping) return { applied: false, detail: 'the fleet is stopping' };
    const result = await this.performChaos(operation);
    this.groundTruth.recordChaos({ at: this.clock.now(), operation, ...(result.identity ? { identity: result.identity } : {}) });
    this.log.info({ chaos: describeChaos(operation), ...result }, 'chaos');
    return result;
  }

  private async performChaos(operation: ChaosOperation): Promise<ChaosResult> {
    const cluster = this.cluster(operation.cluster);
    if (operation.op === 'restartApiServer') {
      await cluster.apiServer.restart(operation.downtimeMs !== undefined ? { downtimeMs: operation.downtimeMs } : {});
      return { applied: true };
    }
    if (operation.op === 'compactHistory') {
      return { applied: true, detail: `compacted at resourceVersion ${cluster.apiServer.compactHistory()}` };
    }
    if (operation.op === 'stallApiServer') return this.stallApiServer(cluster, operation.durationMs, operation.delayMs);
    if (operation.op === 'heartbeatBurst') return this.stallHeartbeats(cluster, operation.share, operation.durationMs);
    if (operation.op === 'expireEvents') return { applied: true, detail: `deleted ${cluster.context.expireEvents()} events` };
    if (!cluster.leases.includes(operation.lease)) throw new Error(`no lease ${operation.lease} in cluster ${operation.cluster}`);
    if (operation.op === 'stopAllCandidates') return this.stopAllCandidates(cluster, operation.lease, operation.restartAfterMs);
    if (operation.op === 'resumeLeader') {
      const paused = this.slots.filter((slot) => slot.cluster === cluster && slot.lease === operation.lease && slot.elector?.isPaused);
      for (const slot of paused) slot.elector?.resume();
      return { applied: paused.length > 0, ...(paused[0]?.elector ? { identity: paused[0].elector.identity } : {}) };
    }
    const slot =
      (operation.op === 'skewClock' || operation.op === 'upgradeCandidate') && operation.host !== undefined
        ? this.slots.find((candidate) => candidate.cluster === cluster && candidate.lease === operation.lease && candidate.host === operation.host)
        : this.leaderSlot(operation.cluster, operation.lease);
    const elector = slot?.elector;
    if (!slot || !elector) return { applied: false, detail: `${operation.lease} in ${operation.cluster} has no leader` };
    const identity = elector.identity;
    switch (operation.op) {
      case 'crashLeader':
        slot.pendingRestartDelayMs = operation.restartAfterMs;
        slot.termination = { reason: 'Error', exitCode: 137 };
        await elector.crash();
        break;
      case 'oomKillLeader':
        slot.pendingRestartDelayMs = operation.restartAfterMs;
        slot.termination = { reason: 'OOMKilled', exitCode: 137 };
        await elector.crash();
        break;
      case 'upgradeCandidate':
        slot.versions = { binaryVersion: operation.binaryVersion, emulationVersion: operation.emulationVersion };
        slot.pendingRestartDelayMs = 0;
        slot.termination = { reason: 'Completed', exitCode: 0 };
        await elector.stop({ release: false });
        break;
      case 'stopLeader':
        slot.pendingRestartDelayMs = operation.restartAfterMs;
        await elector.stop({ release: operation.release ?? true });
        break;
      case 'pauseLeader':
        elector.pause();
        if (operation.durationMs !== undefined) this.later(operation.durationMs, () => elector.resume());
        break;
      case 'slowCalls':
        this.setCallDelay(slot, operation.delayMs);
        if (operation.durationMs !== undefined) this.later(operation.durationMs, () => this.setCallDelay(slot, 0));
        break;
      case 'skewClock':
        this.setClockOffset(slot, operation.offsetMs);
        if (operation.durationMs !== undefined) this.later(operation.durationMs, () => this.setClockOffset(slot, 0));
        break;
    }
    return { applied: true, identity };
  }

  // Every call of the cluster's electors waits, and node heartbeats stop: renewals of many leases stop together.
  private stallApiServer(cluster: SimCluster, durationMs: number, delayMs: number | undefined): ChaosResult {
    const slots = this.slots.filter((slot) => slot.cluster === cluster);
    const delay = delayMs ?? durationMs;
    for (const slot of slots) this.setCallDelay(slot, delay);
    this.later(durationMs, () => {
      for (const slot of slots) this.setCallDelay(slot, 0);
    });
    for (const { heartbeat } of this.heartbeats.filter((entry) => entry.cluster === cluster.name)) heartbeat.stallFor(durationMs);
    return { applied: true, detail: `stalled ${slots.length} candidates for ${durationMs} ms` };
  }

  private stallHeartbeats(cluster: SimCluster, share: number, durationMs: number): ChaosResult {
    const nodes = this.heartbeats.filter((entry) => entry.cluster === cluster.name);
    const count = Math.max(1, Math.round(nodes.length * share));
    for (const { heartbeat } of nodes.slice(0, count)) heartbeat.stallFor(durationMs);
    return { applied: nodes.length > 0, detail: `${count} of ${nodes.length} nodes stop renewing for ${durationMs} ms` };
  }

  private answerPings(cluster: SimCluster, resource: string, metadata: { namespace: string; name: string }): void {
    if (resource !== 'leasecandidates') return;
    const slot = this.slots.find((candidate) => candidate.cluster === cluster && candidate.elector?.identity === metadata.name);
    if (slot) setImmediate(() => cluster.context.answerPing(metadata.namespace, metadata.name));
  }

  // Nobody left to take over: the leader releases (leaderless at once) and the others stop, until they restart.
  private async stopAllCandidates(cluster: SimCluster, lease: string, restartAfterMs: number | null | undefined): Promise<ChaosResult> {
    const leader = this.leaderSlot(cluster.name, lease);
    const identity = leader?.elector?.identity;
    const slots = this.slots.filter((slot) => slot.cluster === cluster && slot.lease === lease && slot.elector);
    for (const slot of slots) slot.pendingRestartDelayMs = restartAfterMs;
    await Promise.all(slots.map((slot) => (slot === leader ? slot.elector?.stop({ release: true }) : slot.elector?.crash())));
    return { applied: slots.length > 0, ...(identity ? { identity } : {}), detail: `stopped ${slots.length} candidates` };
  }

  private later(delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
  }

  private setCallDelay(slot: Slot, ms: number): void {
    slot.callDelayMs = ms;
    slot.elector?.setCallDelay(ms);
  }

  private setClockOffset(slot: Slot, ms: number): void {
    slot.clockOffsetMs = ms;
    slot.elector?.setClockOffset(ms);
  }

  private leaderSlot(cluster: string, lease: string): Slot | undefined {
    const believers = this.slots.filter((slot) => slot.cluster.name === cluster && slot.lease === lease && slot.elector?.isLeader);
    const [namespace = '', name = ''] = lease.split('/');
    const holder = this.cluster(cluster).apiServer.store.get(namespace, name)?.spec.holderIdentity;
    return believers.find((slot) => slot.elector?.identity === holder) ?? believers[0];
  }

  private startCandidate(slot: Slot): void {
    if (this.isStopping) return;
    const identity = `${slot.host}_${slot.random.uuid()}`;
    const [namespace = '', name = ''] = slot.lease.split('/');
    const elector = new LeaderElector({
      kubeConfig: slot.cluster.kubeConfig,
      namespace,
      name,
      identity,
      leaseDurationMs: slot.profile.leaseDurationMs,
      renewDeadlineMs: slot.profile.renewDeadlineMs,
      retryPeriodMs: slot.profile.retryPeriodMs,
      releaseOnCancel: slot.profile.releaseOnCancel,
      ...(slot.profile.isCoordinated ? { isCoordinated: true } : {}),
      userAgent: `${slot.profile.component}/v1.32.0 (linux/amd64) kubernetes/leader-election`,
      clock: this.clock,
      random: slot.random.float,
      onEvent: (event) => this.recordElectorEvent(slot, event),
      logger: loggerFor('sim', { cluster: slot.cluster.name, lease: slot.lease, identity }),
    });
    elector.setCallDelay(slot.callDelayMs);
    elector.setClockOffset(slot.clockOffsetMs);
    slot.elector = elector;
    slot.cluster.context.startContainer(slot.placement, slot.termination);
    slot.termination = undefined;
    if (slot.profile.isCoordinated) slot.cluster.context.publishCandidate(namespace, identity, name, slot.versions);
    void elector.start().then((reason) => this.handleExit(slot, elector, reason));
  }

  private handleExit(slot: Slot, elector: LeaderElector, reason: ElectorExitReason): void {
    if (this.isStopping || slot.elector !== elector) return;
    slot.elector = undefined;
    // client-go components exit after losing the lease (klog.Fatal: 255); a clean stop exits 0.
    const termination = slot.termination ?? (reason === 'lost' ? { reason: 'Error', exitCode: 255 } : reason === 'crashed' ? { reason: 'Error', exitCode: 137 } : { reason: 'Completed', exitCode: 0 });
    slot.termination = { ...termination, finishedAt: this.clock.now() };
    const delay = slot.pendingRestartDelayMs !== undefined ? slot.pendingRestartDelayMs : this.options.restartDelayMs === undefined ? 5_000 : this.options.restartDelayMs;
    slot.pendingRestartDelayMs = undefined;
    this.log.debug({ cluster: slot.cluster.name, lease: slot.lease, identity: elector.identity, reason, restartInMs: delay }, 'candidate exited');
    if (delay === null) return;
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      this.startCandidate(slot);
    }, delay);
  }

  // client-go's recorder: control-plane components report through events.k8s.io/v1, operators through core/v1.
  private recordLeaderElectionEvent(slot: Slot, identity: string, what: string): void {
    const [namespace = '', name = ''] = slot.lease.split('/');
    const api = slot.profile.host === 'control-plane' ? 'events' : 'core';
    slot.cluster.context.recordEvent(namespace, { kind: 'Lease', name, apiVersion: 'coordination.k8s.io/v1' }, 'LeaderElection', 'Normal', `${identity} ${what}`, slot.profile.component, api);
  }

  /** Deletes the cluster's Events now (kube-apiserver's --event-ttl, without waiting for it). */
  expireEvents(cluster: string): Promise<ChaosResult> {
    return this.applyChaos({ op: 'expireEvents', cluster });
  }

  private recordElectorEvent(slot: Slot, event: ElectorEvent): void {
    const [namespace = '', name = ''] = slot.lease.split('/');
    const where = { cluster: slot.cluster.name, namespace, name };
    switch (event.type) {
      case 'acquired':
        this.groundTruth.recordChange({ ...where, from: event.from, to: event.identity, cause: event.cause, leaseTransitions: event.leaseTransitions, resourceVersion: event.resourceVersion, at: event.at });
        break;
      case 'released':
        this.groundTruth.recordChange({ ...where, from: event.identity, to: '', cause: 'released', leaseTransitions: event.leaseTransitions, resourceVersion: event.resourceVersion, at: event.at });
        break;
      case 'started-leading':
      case 'stopped-leading':
        // A killed process reports nothing; one that lost or stopped logs and records "stopped leading".
        if (event.type === 'started-leading' || event.reason !== 'crashed') this.recordLeaderElectionEvent(slot, event.identity, event.type === 'started-leading' ? 'became leader' : 'stopped leading');
        this.groundTruth.recordBelief({
          ...where,
          identity: event.identity,
          type: event.type,
          ...(event.type === 'stopped-leading' ? { reason: event.reason } : {}),
          at: event.at,
          monotonic: this.clock.monotonic(),
        });
        break;
      case 'new-leader':
        break;
    }
  }
}

function profilesByClusterOf(options: FleetOptions, cluster: string): ElectionProfile[] {
  const spec = clusterSpecs(options.clusters).find((entry) => entry.name === cluster);
  return spec?.leases ? [...spec.leases] : profilesOf(options.leases);
}

export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const security = options.secure ? await createFleetSecurity(clusterSpecs(options.clusters).map((spec) => spec.name), options.secure) : undefined;
  const fleet = new Fleet(options, security);
  try {
    await fleet.start();
  } catch (error) {
    await fleet.stop();
    throw error;
  }
  return fleet;
}
