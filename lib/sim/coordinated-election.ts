import type { Logger } from '../log';
import type { LeaseApiServer } from './api-server';
import type { Clock } from './clock';
import type { KubeObject } from './context-objects';
import { formatMicroTime, parseMicroTime } from './micro-time';

export const oldestEmulationVersion = 'OldestEmulationVersion';

export type CoordinatedLease = { namespace: string; name: string; leaseDurationSeconds: number };

type CandidateSpec = { leaseName?: string; binaryVersion?: string; emulationVersion?: string; strategy?: string; pingTime?: string; renewTime?: string };

const staleAfterMs = 30 * 60_000;

function versionParts(version: string | undefined): number[] {
  return (version ?? '').replace(/^v/, '').split(/[.-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
}

function compareVersions(a: string | undefined, b: string | undefined): number {
  const [x, y] = [versionParts(a), versionParts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * kube-apiserver's coordinated leader election controller (KEP-4355), reduced to what a Lease history shows:
 * pings candidates, picks by OldestEmulationVersion (lowest emulationVersion, then binaryVersion, then the
 * oldest candidate), names the holder of an expired or empty lease, and marks a worse holder's term as ending
 * with spec.preferredHolder so it stops renewing.
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
      return spec.leaseName === lease.name && spec.strategy === oldestEmulationVersion && now - renewed < staleAfterMs;
    });
  }

  /** Candidates that answered the latest ping (renewTime at or after pingTime), best first. */
  private rank(candidates: KubeObject[]): KubeObject[] {
    const answered = candidates.filter((candidate) => {
      const spec = candidate.spec as CandidateSpec;
      const ping = spec.pingTime ? parseMicroTime(spec.pingTime) : undefined;
      return ping === undefined || (parseMicroTime(spec.renewTime ?? '') ?? 0) >= ping;
    });
    return answered.sort((a, b) => {
      const [x, y] = [a.spec as CandidateSpec, b.spec as CandidateSpec];
      return (
        compareVersions(x.emulationVersion, y.emulationVersion) ||
        compareVersions(x.binaryVersion, y.binaryVersion) ||
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        a.metadata.name.localeCompare(b.metadata.name)
      );
    });
  }

  // Before choosing, every candidate is pinged once; the choice waits for the answers (at most one interval).
  private ping(lease: CoordinatedLease, candidates: KubeObject[]): boolean {
    const key = `${lease.namespace}/${lease.name}`;
    const now = this.clock.now();
    const last = this.pingedAt.get(key);
    if (last !== undefined && now - last < this.intervalMs * 4) return now - last >= this.intervalMs;
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
    const best = this.rank(candidates)[0];
    if (isExpired) {
      if (!this.ping(lease, candidates)) return;
      const chosen = this.rank(this.candidatesOf(lease))[0];
      if (!chosen) return;
      this.pingedAt.delete(`${lease.namespace}/${lease.name}`);
      const now = formatMicroTime(this.clock.now());
      this.apiServer.store.update(
        lease.namespace,
        lease.name,
        {
          metadata: { name: lease.name, namespace: lease.namespace, ...(existing ? { resourceVersion: existing.metadata.resourceVersion } : {}) },
          spec: {
            holderIdentity: chosen.metadata.name,
            leaseDurationSeconds: lease.leaseDurationSeconds,
            acquireTime: now,
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? -1) + 1,
            strategy: oldestEmulationVersion,
          },
        },
        { manager: 'kube-apiserver' },
      );
      return;
    }
    if (!best || best.metadata.name === spec.holderIdentity || spec.preferredHolder === best.metadata.name) return;
    this.apiServer.store.update(
      lease.namespace,
      lease.name,
      { metadata: { name: lease.name, namespace: lease.namespace, resourceVersion: existing!.metadata.resourceVersion }, spec: { ...spec, strategy: oldestEmulationVersion, preferredHolder: best.metadata.name } },
      { manager: 'kube-apiserver' },
    );
  }
}
