import type { KubeConfig } from '@kubernetes/client-node';
import { evaluateDegraded, feedOwnedDegraded, emptyDegradedState, defaultDegradedOptions, type DegradedInput, type DegradedOptions, type DegradedState, type SourceStatus } from '../leases/api-degraded';
import type { Observation } from '../leases';
import { isKeptEvent, parseIdentity } from '../leases/pod-identity';
import type { Logger } from '../log';
import { closeOpenBands, writeContextBatch, type ContextBatch, type ContextResourceName } from '../store/context-writes';
import { LockLostError, type OwnerSession } from '../store/owner-session';
import { parseCandidate, parseEvent, parsePod } from './context-records';
import { runReflector, type ReflectorAccess } from './resource-reflector';
import { getKubeJson } from './watch-stream';

export type ContextWatchersOptions = {
  cluster: string;
  clusterId: number;
  kubeConfig: KubeConfig;
  session: OwnerSession;
  log: Logger;
  clock: { now: () => number };
  flushMs?: number;
  evaluateMs?: number;
  recheckMs?: number;
  degraded?: DegradedOptions;
  // 'namespaces' (default, least privilege): pods and Events watched in each namespace holding an election lease,
  // two watches per namespace. 'cluster': one cluster-wide watch of pods and one of Events per cluster, filtered
  // on arrival to those namespaces, where RBAC allows listing them cluster-wide (asked once at start, with a
  // one-item list); per namespace for whichever of the two it does not allow.
  scope?: ContextScope;
  // How long new namespaces wait before the cluster-wide watches list again to pick up their objects.
  relistDelayMs?: number;
};

export type ContextScope = 'namespaces' | 'cluster';

const maxBufferedRows = 50_000;
const maxPendingInputs = 4_096;

const emptyBatch = (): ContextBatch => ({ pods: [], restarts: [], events: [], candidates: [], access: [], bands: [], listed: [] });

type ListedMeta = { metadata?: { uid?: string; name?: string; namespace?: string } };

// Pods and Events are known by uid; candidates by namespace/name (their rows).
function listedKey(resource: ContextResourceName, object: unknown): string | null {
  const meta = (object as ListedMeta | null)?.metadata;
  if (resource === 'leasecandidates') return meta?.name && meta.namespace ? `${meta.namespace}/${meta.name}` : null;
  return meta?.uid ?? null;
}

function eventApiOf(path: string): 'events' | 'events_k8s_io' {
  return path.startsWith('/apis/events.k8s.io/') ? 'events_k8s_io' : 'events';
}

// A holder host is remembered this long after it last held a lease: its pod's Events around the failover still count.
const holderMemoryMs = 60 * 60_000;

// The failover context of one cluster, next to its Lease watch: pods (identity → pod, node, owner, container
// restarts) and Events of the namespaces that hold elected leases, LeaseCandidates where served, and the
// API-server-degraded detector fed by the controller. Every resource is optional: a 403 or 404 is
// recorded as missing access and asked again later; the Lease watch never depends on it.
export class ContextWatchers {
  private readonly abort = new AbortController();
  private readonly namespaces = new Map<string, AbortController>();
  private readonly reported = new Map<string, string>();
  private batch = emptyBatch();
  // Nothing is judged before the Lease source first streams.
  // Owned: fed in place (feedOwnedDegraded), so it starts with a map of its own.
  private degraded: DegradedState = { ...emptyDegradedState, leases: new Map(), source: 'blind' };
  private pendingInputs: DegradedInput[] = [];
  // The status last fed (the detector's own may still wait in pendingInputs).
  private sourceStatus: SourceStatus = 'blind';
  private readonly timers: NodeJS.Timeout[] = [];
  private isFlushing = false;
  private readonly lastSeen = new Map<string, { holder: string | null; renewTime: number | null }>();
  // Hosts of election lease holders (pod names, or node names of static pods) → when last seen holding.
  private readonly holderHosts = new Map<string, number>();

  // Scope 'cluster': what the cluster-wide probe allowed, and the current generation of cluster-wide reflectors.
  private clusterAccess: Promise<{ pods: boolean; events: boolean }> | undefined;
  private clusterWide: AbortController | undefined;
  private clusterWideCovers = new Set<string>();
  private relistTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ContextWatchersOptions) {}

  start(): void {
    const { session, cluster, clusterId, clock } = this.options;
    void session.withLock(cluster, (client) => closeOpenBands(client, clusterId, clock.now())).catch(() => undefined);
    this.reflect('leasecandidates', '*', ['/apis/coordination.k8s.io/v1beta1/leasecandidates', '/apis/coordination.k8s.io/v1alpha2/leasecandidates'], this.abort.signal);
    this.timers.push(setInterval(() => void this.flush(), this.options.flushMs ?? 250));
    this.timers.push(setInterval(() => this.evaluate(), this.options.evaluateMs ?? 500));
  }

  stop(): void {
    this.abort.abort();
    for (const controller of this.namespaces.values()) controller.abort();
    this.clusterWide?.abort();
    clearTimeout(this.relistTimer);
    for (const timer of this.timers) clearInterval(timer);
    this.timers.length = 0;
    void this.flush();
  }

  // Holders of election leases: only their pods' Events are kept (besides LeaderElection Events).
  noteHolders(identities: Iterable<string>): void {
    const now = this.options.clock.now();
    for (const identity of identities) this.holderHosts.set(parseIdentity(identity).host, now);
    for (const [host, at] of this.holderHosts) if (now - at > holderMemoryMs) this.holderHosts.delete(host);
  }

  // Pods and Events are watched per namespace, in the namespaces that hold elected leases only. Events through ONE
  // of their two APIs: kube-apiserver serves the same Event objects (same uid and resourceVersion) through
  // events.k8s.io/v1 and core/v1, so watching both delivered every Event twice over twice the watches.
  // events.k8s.io/v1 where served and allowed, core/v1 otherwise (asked again every recheckMs).
  // Each namespace has its own AbortController, aborted by stop() (no listener per namespace on one signal:
  // Node warned "MaxListenersExceededWarning: 11 abort listeners" at 11 namespaces).
  watchNamespaces(namespaces: Iterable<string>): void {
    const added: string[] = [];
    for (const namespace of namespaces) {
      if (this.namespaces.has(namespace) || this.abort.signal.aborted) continue;
      this.namespaces.set(namespace, new AbortController());
      added.push(namespace);
    }
    if (added.length === 0) return;
    if ((this.options.scope ?? 'namespaces') === 'namespaces') {
      for (const namespace of added) this.watchInNamespace(namespace, { pods: true, events: true });
      return;
    }
    this.clusterAccess ??= this.probeClusterAccess();
    void this.clusterAccess.then((access) => {
      if (this.abort.signal.aborted) return;
      for (const namespace of added) this.watchInNamespace(namespace, { pods: !access.pods, events: !access.events });
      if (access.pods || access.events) this.startClusterWide(access, added);
    });
  }

  private watchInNamespace(namespace: string, what: { pods: boolean; events: boolean }): void {
    const signal = this.namespaces.get(namespace)!.signal;
    const ns = encodeURIComponent(namespace);
    if (what.pods) this.reflect('pods', namespace, [`/api/v1/namespaces/${ns}/pods`], signal);
    if (what.events) this.reflect('events', namespace, [`/apis/events.k8s.io/v1/namespaces/${ns}/events`, `/api/v1/namespaces/${ns}/events`], signal, true);
  }

  // Whether pods and Events may be listed cluster-wide (a ClusterRoleBinding); anything but 200 means per namespace.
  private async probeClusterAccess(): Promise<{ pods: boolean; events: boolean }> {
    const allows = async (path: string) => {
      try {
        await getKubeJson(this.options.kubeConfig, path, { limit: 1 }, this.abort.signal);
        return true;
      } catch (error) {
        this.options.log.info({ path, err: (error as Error).message }, 'cluster-wide context watch not allowed; watching per namespace');
        return false;
      }
    };
    const [pods, eventsV1, core] = await Promise.all([allows('/api/v1/pods'), allows('/apis/events.k8s.io/v1/events'), allows('/api/v1/events')]);
    return { pods, events: eventsV1 || core };
  }

  // One watch of pods and one of Events for the whole cluster. Objects of namespaces added later were dropped on
  // arrival: when namespaces are added, the watches start again (a new list) once relistDelayMs passed quietly.
  private startClusterWide(access: { pods: boolean; events: boolean }, added: readonly string[]): void {
    // Namespaces known when the current watches started: their objects are kept from the first list on.
    if (this.clusterWide && added.every((namespace) => this.clusterWideCovers.has(namespace))) return;
    const start = () => {
      this.relistTimer = undefined;
      if (this.abort.signal.aborted) return;
      this.clusterWide?.abort();
      this.clusterWideCovers = new Set(this.namespaces.keys());
      const controller = new AbortController();
      this.clusterWide = controller;
      if (access.pods) this.reflect('pods', '*', ['/api/v1/pods'], controller.signal);
      if (access.events) this.reflect('events', '*', ['/apis/events.k8s.io/v1/events', '/api/v1/events'], controller.signal, true);
    };
    if (!this.clusterWide) return start();
    clearTimeout(this.relistTimer);
    this.relistTimer = setTimeout(start, this.options.relistDelayMs ?? 1_000);
  }

  // A cluster-wide watch delivers every namespace: only those holding election leases are kept.
  private isWatchedNamespace(object: unknown): boolean {
    const namespace = (object as ListedMeta | null)?.metadata?.namespace;
    return namespace !== undefined && this.namespaces.has(namespace);
  }

  // Inputs wait in order and are fed together, before each evaluation or once many have gathered:
  // feeding copies the detector's map of every election lease, so feeding each renewal alone cost
  // O(leases) per watch event (254 µs per event at 1,000 leases, 5 ms at 10,000, on the loaded 2-core machine).
  feed(inputs: DegradedInput[]): void {
    for (const input of inputs) this.feedOne(input);
  }

  private feedOne(input: DegradedInput): void {
    this.pendingInputs.push(input);
    if (this.pendingInputs.length >= maxPendingInputs) this.feedPending();
  }

  private feedPending(): void {
    if (this.pendingInputs.length === 0) return;
    this.degraded = feedOwnedDegraded(this.degraded, this.pendingInputs);
    this.pendingInputs = [];
  }

  // Whether the Lease source streams; after a relist or reconnect, renewals are compared from then on only.
  setSourceStatus(status: SourceStatus, at: number): void {
    if (status === this.sourceStatus) return;
    this.sourceStatus = status;
    if (status === 'streaming') this.lastSeen.clear();
    this.feed([{ type: 'watch', status, at }]);
  }

  // An election Lease as the watch delivered it: a new renewTime of the same holder is a renewal.
  // Called for every watch event: what it last saw of a lease is updated in place, not replaced.
  observe(observation: Observation): void {
    const key = `${observation.key.namespace}/${observation.key.name}`;
    const holder = observation.holderIdentity;
    const renewTime = observation.renewTime?.ms ?? null;
    const seen = this.lastSeen.get(key);
    const previousHolder = seen?.holder;
    const previousRenewTime = seen?.renewTime ?? null;
    if (seen === undefined) this.lastSeen.set(key, { holder, renewTime });
    else {
      seen.holder = holder;
      seen.renewTime = renewTime;
    }
    if (holder === null || renewTime === null) return;
    if (seen === undefined || previousHolder !== holder) return this.feedOne({ type: 'holder-changed', key, observedAt: observation.observedAt });
    if (previousRenewTime === renewTime) return;
    this.feedOne({ type: 'renewal', key, observedAt: observation.observedAt, intervalMs: previousRenewTime === null ? null : renewTime - previousRenewTime });
  }

  private evaluate(): void {
    this.feedPending();
    const result = evaluateDegraded(this.degraded, this.options.clock.now(), this.options.degraded ?? defaultDegradedOptions);
    this.degraded = result.state;
    this.batch.bands.push(...result.changes);
  }

  // `resource` names the rows; for Events the path tells which of the two APIs answered or delivered.
  private reflect(resource: ContextResourceName, scope: string, paths: string[], signal: AbortSignal, alternatives = false): void {
    const resourceOf = (path: string): ContextResourceName => (resource === 'events' ? eventApiOf(path) : resource);
    // LeaseCandidates are kept in every namespace; cluster-wide pods and Events only in the watched ones.
    const isKept = scope === '*' && resource !== 'leasecandidates' ? (object: unknown) => this.isWatchedNamespace(object) : () => true;
    void runReflector(
      {
        kubeConfig: this.options.kubeConfig,
        paths,
        alternatives,
        log: this.options.log,
        ...(this.options.recheckMs !== undefined ? { recheckMs: this.options.recheckMs } : {}),
        onAccess: (access, path) => this.setAccess(resourceOf(path), scope, access),
        onObject: (type, object, path) => {
          if (isKept(object)) this.take(resourceOf(path), type, object);
        },
        onListed: (objects, path) => {
          const listed = resourceOf(path);
          const keys = objects.flatMap((object) => (isKept(object) ? (listedKey(listed, object) ?? []) : []));
          this.batch.listed.push({ resource: listed, namespace: scope === '*' ? null : scope, keys, at: this.options.clock.now() });
        },
      },
      signal,
    ).catch((error: unknown) => this.options.log.warn({ resource, err: (error as Error).message }, 'context watch ended'));
  }

  private take(resource: ContextResourceName, type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown): void {
    const isDeleted = type === 'DELETED';
    const now = this.options.clock.now();
    if (resource === 'pods') {
      const parsed = parsePod(object, isDeleted);
      if (!parsed) return;
      this.batch.pods.push(parsed.pod);
      this.batch.restarts.push(...parsed.restarts);
    } else if (resource === 'leasecandidates') {
      const candidate = parseCandidate(object, isDeleted, now);
      if (candidate) this.batch.candidates.push(candidate);
    } else {
      const event = parseEvent(object, resource === 'events' ? 'core' : 'events_k8s_io', isDeleted, now);
      if (event && isKeptEvent(event, this.holderHosts)) this.batch.events.push(event);
    }
  }

  // One answer per resource and namespace ("*" for LeaseCandidates), told again only when it changes.
  private setAccess(resource: ContextResourceName, scope: string, access: ReflectorAccess): void {
    const detail = 'detail' in access ? access.detail : null;
    const signature = `${access.access}|${detail ?? ''}`;
    const key = `${resource}/${scope}`;
    if (this.reported.get(key) === signature) return;
    this.reported.set(key, signature);
    this.batch.access.push({ resource, namespace: scope, access: access.access, detail });
  }

  private async flush(): Promise<void> {
    if (this.isFlushing) return;
    const batch = this.batch;
    if (Object.values(batch).every((rows) => rows.length === 0)) return;
    this.isFlushing = true;
    this.batch = emptyBatch();
    try {
      await this.options.session.withLock(this.options.cluster, (client) => writeContextBatch(client, this.options.clusterId, batch, this.options.clock.now()));
    } catch (error) {
      if (error instanceof LockLostError) return;
      // Kept for the next flush, in front of what arrived meanwhile; bounded, so an outage cannot grow it without end
      // (the newest rows are kept: a pod's latest state supersedes its older ones).
      const later = this.batch;
      const keep = <T>(older: T[], newer: T[]) => [...older, ...newer].slice(-maxBufferedRows);
      this.batch = {
        pods: keep(batch.pods, later.pods),
        restarts: keep(batch.restarts, later.restarts),
        events: keep(batch.events, later.events),
        candidates: keep(batch.candidates, later.candidates),
        access: [...batch.access, ...later.access],
        bands: [...batch.bands, ...later.bands],
        listed: [...batch.listed, ...later.listed],
      };
      this.options.log.warn({ err: (error as Error).message }, 'storing failover context failed; will retry');
    } finally {
      this.isFlushing = false;
    }
  }
}
