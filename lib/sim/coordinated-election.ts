import type { Logger } from '../log';
import type { LeaseApiServer } from './api-server';
import type { Clock } from './clock';
import type { KubeObject } from './context-objects';
import { compareVersions, parseVersion } from '../leases/candidate-ranking';
import { formatMicroTime, parseMicroTime } from './micro-time';

export const oldestEmulationVersion = 'OldestEmulationVersion';

export type CoordinatedLease = { namespace: string; name: string; leaseDurationSeconds: number };

type CandidateSpec = { leaseName?: string; binaryVersion?: string; emulationVersion?: string; strategy?: string; pingTime?: string; renewTime?: string };

const staleAfterMs = 30 * 60_000;

// What kube-apiserver's election controller writes on a takeover (defaultLeaseDurationSeconds).
const electedLeaseDurationSeconds = 15;

// pickBestStrategy: the strategy of the candidates with the highest binary version; a tie with different strategies is no election.
function pickBestStrategy(candidates: CandidateSpec[]): string | null {
  let best: CandidateSpec | undefined;
  for (const candidate of candidates) {
    const order = best === undefined ? -1 : compareVersions(best.binaryVersion ?? null, candidate.binaryVersion ?? null);
    if (order < 0) best = candidate;
    else if (order === 0 && candidate.strategy !== best!.strategy) return null;
  }
  return best?.strategy ?? null;
}

// validLeaseCandidateForOldestEmulationVersion
const isValidCandidate = (spec: CandidateSpec) => parseVersion(spec.emulationVersion ?? null) !== null && parseVersion(spec.binaryVersion ?? null) !== null;

/**
 * kube-apiserver's coordinated leader election controller (KEP-4355), reduced to what a Lease history shows:
 * pings candidates; of those that answered, takes the strategy of the highest binary versions and, for
 * OldestEmulationVersion, skips candidates whose versions do not parse and picks the lowest emulationVersion,
 * then binaryVersion, then the oldest; names the holder of an expired or empty lease (acquireTime and
 * preferredHolder cleared, leaseTransitions unchanged, 15 s), and marks a worse holder's term as ending with
 * spec.preferredHolder so it stops renewing.
 */
export class CoordinatedElection {
  private timer: NodeJS.Timeout | undefined;
  private readonly pingedAt = new Map<string, number>();

  constructor(
    private readonly apiServer: LeaseApiServer,
    private readonly leases: CoordinatedLease[],
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.reconcileAll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private reconcileAll(): void {
    for (const lease of this.leases) {
      try {
        this.reconcile(lease);
      } catch (error) {
        this.log.debug({ lease: `${lease.namespace}/${lease.name}`, err: (error as Error).message }, 'coordinated election: write refused, will retry');
      }
    }
  }

  private candidatesOf(lease: CoordinatedLease): KubeObject[] {
    const now = this.clock.now();
    return this.apiServer.context.list('leasecandidates', lease.namespace).filter((candidate) => {
      const spec = candidate.spec as CandidateSpec;
      const renewed = parseMicroTime(spec.renewTime ?? '') ?? 0;
      return spec.leaseName === lease.name && now - renewed < staleAfterMs;
    });
  }

  /** The electee and its strategy among the candidates that answered the latest ping (renewTime at or after pingTime). */
  private elect(candidates: KubeObject[]): { electee: KubeObject | undefined; strategy: string | null } {
    const answered = candidates.filter((candidate) => {
      const spec = candidate.spec as CandidateSpec;
      const ping = spec.pingTime ? parseMicroTime(spec.pingTime) : undefined;
      return ping === undefined || (parseMicroTime(spec.renewTime ?? '') ?? 0) >= ping;
    });
    const strategy = pickBestStrategy(answered.map((candidate) => candidate.spec as CandidateSpec));
    if (strategy !== oldestEmulationVersion) return { electee: undefined, strategy };
    let electee: KubeObject | undefined;
    for (const candidate of answered) {
      if (!isValidCandidate(candidate.spec as CandidateSpec)) continue;
      if (electee === undefined || compareCandidates(electee, candidate) > 0) electee = candidate;
    }
    return { electee, strategy };
  }

  // Before choosing, every candidate is pinged; as the real controller, the vote waits until every candidate
  // answered or the unanswered pings are older than the election duration (a gone candidate never answers).
  private ping(lease: CoordinatedLease, candidates: KubeObject[]): boolean {
    const key = `${lease.namespace}/${lease.name}`;
    const now = this.clock.now();
    const electionMs = this.intervalMs * 8;
    const last = this.pingedAt.get(key);
    if (last !== undefined && now - last < electionMs * 2) {
      const isAnswered = (candidate: KubeObject) => (parseMicroTime((candidate.spec as CandidateSpec).renewTime ?? '') ?? 0) >= last;
      return candidates.every(isAnswered) || now - last >= electionMs;
    }
    this.pingedAt.set(key, now);
    for (const candidate of candidates) this.apiServer.context.put('leasecandidates', { ...candidate, spec: { ...(candidate.spec as CandidateSpec), pingTime: formatMicroTime(now) } });
    return false;
  }

  private reconcile(lease: CoordinatedLease): void {
    const candidates = this.candidatesOf(lease);
    if (candidates.length === 0) return;
    const existing = this.apiServer.store.get(lease.namespace, lease.name);
    const spec = existing?.spec ?? {};
    const renewed = parseMicroTime(spec.renewTime ?? '') ?? 0;
    const isExpired = !spec.holderIdentity || renewed + (spec.leaseDurationSeconds ?? lease.leaseDurationSeconds) * 1000 < this.clock.now();
    if (isExpired) {
      if (!this.ping(lease, candidates)) return;
      const { electee, strategy } = this.elect(this.candidatesOf(lease));
      if (!electee || strategy === null) return;
      this.pingedAt.delete(`${lease.namespace}/${lease.name}`);
      const { acquireTime: _acquireTime, preferredHolder: _preferredHolder, ...kept } = spec;
      this.apiServer.store.update(
        lease.namespace,
        lease.name,
        {
          metadata: { name: lease.name, namespace: lease.namespace, ...(existing ? { resourceVersion: existing.metadata.resourceVersion } : {}) },
          spec: { ...kept, holderIdentity: electee.metadata.name, leaseDurationSeconds: electedLeaseDurationSeconds, renewTime: formatMicroTime(this.clock.now()), strategy },
        },
        { manager: 'kube-apiserver' },
      );
      return;
    }
    const { electee, strategy } = this.elect(candidates);
    if (!electee || strategy === null || electee.metadata.name === spec.holderIdentity || spec.preferredHolder === electee.metadata.name) return;
    this.apiServer.store.update(
      lease.namespace,
      lease.name,
      { metadata: { name: lease.name, namespace: lease.namespace, resourceVersion: existing!.metadata.resourceVersion }, spec: { ...spec, strategy, preferredHolder: electee.metadata.name } },
      { manager: 'kube-apiserver' },
    );
  }
}

// compare: -1 when lhs is the better leader, 1 when rhs is (lower emulation, then binary version, then older).
function compareCandidates(lhs: KubeObject, rhs: KubeObject): number {
  const [x, y] = [lhs.spec as CandidateSpec, rhs.spec as CandidateSpec];
  const byVersion = compareVersions(x.emulationVersion ?? null, y.emulationVersion ?? null) || compareVersions(x.binaryVersion ?? null, y.binaryVersion ?? null);
  if (byVersion !== 0) return byVersion;
  return Date.parse(lhs.metadata.creationTimestamp ?? '') > Date.parse(rhs.metadata.creationTimestamp ?? '') ? 1 : -1;
}
