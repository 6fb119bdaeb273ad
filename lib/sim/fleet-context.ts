import type { Clock } from './clock';
import type { ContextObjects, KubeObject } from './context-objects';
import { oldestEmulationVersion } from './coordinated-election';
import { formatMicroTime, formatTime } from './micro-time';
import type { Random } from './random';

/** How the kubelet reports a container that ended: what `kubectl describe pod` shows as Last State. */
export type Termination = { reason: string; exitCode: number; finishedAt?: number };

export type PodPlacement = {
  namespace: string;
  podName: string;
  nodeName: string;
  containerName: string;
  /** Static control-plane pods are owned by their Node; operator pods by a ReplicaSet. */
  owner: { kind: 'Node' | 'ReplicaSet'; name: string };
};

export type CandidateVersions = { binaryVersion: string; emulationVersion: string };

type ContainerState = { restartCount: number; startedAt: number; lastTerminated: (Termination & { startedAt: number; finishedAt: number }) | undefined };

/**
 * What the kubelet, the event recorder and LeaseCandidate publishers write into one simulated cluster:
 * pods with container statuses, LeaderElection and pod Events (deleted after the event TTL, as
 * kube-apiserver's --event-ttl does) and LeaseCandidates that answer pings.
 */
export class ClusterContext {
  private readonly containers = new Map<string, ContainerState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private eventCount = 0;

  constructor(
    readonly objects: ContextObjects,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly eventTtlMs: number,
  ) {}

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** The container (re)starts: a first start creates the pod; later ones count a restart with the termination that ended it. */
  startContainer(placement: PodPlacement, termination: Termination | undefined): void {
    const key = `${placement.namespace}/${placement.podName}`;
    const now = this.clock.now();
    const previous = this.containers.get(key);
    const state: ContainerState = previous
      ? {
          restartCount: previous.restartCount + (termination ? 1 : 0),
          startedAt: now,
          lastTerminated: termination ? { reason: termination.reason, exitCode: termination.exitCode, startedAt: previous.startedAt, finishedAt: termination.finishedAt ?? now } : previous.lastTerminated,
        }
      : { restartCount: 0, startedAt: now, lastTerminated: undefined };
    this.containers.set(key, state);
    this.objects.put('pods', this.buildPod(placement, state));
    if (previous && termination) {
      this.recordEvent(placement.namespace, { kind: 'Pod', name: placement.podName, apiVersion: 'v1' }, 'BackOff', 'Warning', `Back-off restarting failed container ${placement.containerName} (last state: ${termination.reason}, exit code ${termination.exitCode})`, 'kubelet', 'core');
      this.recordEvent(placement.namespace, { kind: 'Pod', name: placement.podName, apiVersion: 'v1' }, 'Started', 'Normal', `Started container ${placement.containerName}`, 'kubelet', 'core');
    }
  }

  private buildPod(placement: PodPlacement, state: ContainerState): KubeObject {
    const last = state.lastTerminated;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: placement.podName,
        namespace: placement.namespace,
        ownerReferences: [{ apiVersion: placement.owner.kind === 'Node' ? 'v1' : 'apps/v1', kind: placement.owner.kind, name: placement.owner.name, uid: this.random.fork(`owner/${placement.owner.name}`).uuid(), controller: true }],
      },
      spec: { nodeName: placement.nodeName, containers: [{ name: placement.containerName, image: `registry.k8s.io/${placement.containerName}:v1.33.0` }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: placement.containerName,
            ready: true,
            restartCount: state.restartCount,
            state: { running: { startedAt: formatTime(state.startedAt) } },
            ...(last ? { lastState: { terminated: { reason: last.reason, exitCode: last.exitCode, startedAt: formatTime(last.startedAt), finishedAt: formatTime(last.finishedAt) } } } : {}),
          },
        ],
      },
    };
  }

  /**
   * One Event, through the API client-go's recorder for that component uses: `core` (core/v1, involvedObject)
   * or `events` (events.k8s.io/v1, regarding/note); either way into the one Event store, readable through both
   * APIs; deleted after the event TTL.
   */
  recordEvent(namespace: string, involved: { kind: string; name: string; apiVersion: string }, reason: string, type: 'Normal' | 'Warning', message: string, component: string, api: 'core' | 'events'): void {
    this.eventCount += 1;
    const now = this.clock.now();
    const name = `${involved.name}.${this.random.alphanumeric(8)}${this.eventCount.toString(16)}`;
    const object: KubeObject =
      api === 'core'
        ? {
            apiVersion: 'v1',
            kind: 'Event',
            metadata: { name, namespace },
            involvedObject: { ...involved, namespace },
            reason,
            message,
            type,
            source: { component },
            firstTimestamp: formatTime(now),
            lastTimestamp: formatTime(now),
            count: 1,
            reportingComponent: component,
          }
        : {
            apiVersion: 'events.k8s.io/v1',
            kind: 'Event',
            metadata: { name, namespace },
            regarding: { ...involved, namespace },
            reason,
            note: message,
            type,
            action: reason,
            eventTime: formatMicroTime(now),
            reportingController: component,
            reportingInstance: component,
          };
    this.objects.put(api === 'core' ? 'events' : 'events.k8s.io', object);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.objects.remove(api === 'core' ? 'events' : 'events.k8s.io', namespace, name);
    }, this.eventTtlMs);
    this.timers.add(timer);
  }

  /** Deletes every Event now, as the API server does once --event-ttl has passed (one store: both APIs lose them). */
  expireEvents(): number {
    let count = 0;
    for (const event of this.objects.list('events')) if (this.objects.remove('events', event.metadata.namespace, event.metadata.name)) count += 1;
    return count;
  }

  /** client-go's LeaseCandidate: named after the identity, renewed at start and whenever it is pinged. */
  publishCandidate(namespace: string, identity: string, leaseName: string, versions: CandidateVersions): void {
    const now = formatMicroTime(this.clock.now());
    this.objects.put('leasecandidates', {
      apiVersion: 'coordination.k8s.io/v1beta1',
      kind: 'LeaseCandidate',
      metadata: { name: identity, namespace },
      spec: { leaseName, binaryVersion: versions.binaryVersion, emulationVersion: versions.emulationVersion, strategy: oldestEmulationVersion, renewTime: now },
    });
  }

  /** A running candidate answers a ping at once by renewing. */
  answerPing(namespace: string, identity: string): void {
    const candidate = this.objects.get('leasecandidates', namespace, identity);
    if (!candidate) return;
    const spec = candidate.spec as { pingTime?: string; renewTime?: string };
    if (!spec.pingTime || (spec.renewTime ?? '') >= spec.pingTime) return;
    this.objects.put('leasecandidates', { ...candidate, spec: { ...spec, renewTime: formatMicroTime(this.clock.now()) } });
  }
}
