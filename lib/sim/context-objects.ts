import type { Clock } from './clock';
import { coreToEventsV1, eventsV1ToCore } from './event-conversion';
import type { Random } from './random';

/** The read-only resources a failover's context comes from; the fleet writes them, clients list and watch them. */
export const contextResources = ['pods', 'events', 'events.k8s.io', 'leasecandidates'] as const;

export type ContextResource = (typeof contextResources)[number];

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; creationTimestamp?: string; [field: string]: unknown };
  [field: string]: unknown;
};

/** Where a resource's objects are kept: both Event APIs share the one core/v1 Event store, as in kube-apiserver. */
export function storageOf(resource: ContextResource): ContextResource {
  return resource === 'events.k8s.io' ? 'events' : resource;
}

/** A stored object as the API of `resource` serves it (events.k8s.io/v1 converts the stored core/v1 Event). */
export function viewOf(resource: ContextResource, object: KubeObject): KubeObject {
  return resource === 'events.k8s.io' ? coreToEventsV1(object) : object;
}

/** `resource` is the store the change happened in (see storageOf); watchers render it with viewOf. */
export type ContextEvent = { resource: ContextResource; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; revision: number };

const historySize = 5_000;

/**
 * Pods, Events and LeaseCandidates of one simulated cluster, with their own resourceVersions and a bounded
 * history for watches. Events are one store served through core/v1 and events.k8s.io/v1 (event-conversion.ts). RBAC is simulated per resource: a denied resource answers 403 to every request.
 */
export class ContextObjects {
  private revision: number;
  private readonly objects = new Map<ContextResource, Map<string, KubeObject>>(contextResources.map((resource) => [resource, new Map()]));
  private readonly history: ContextEvent[] = [];
  private readonly listeners = new Set<(event: ContextEvent) => void>();
  // `resource` (everywhere) or `resource/namespace` (a RoleBinding missing in one namespace).
  private readonly denied = new Set<string>();

  constructor(
    private readonly clock: Clock,
    private readonly random: Random,
    initialRevision = 1,
  ) {
    this.revision = initialRevision;
  }

  get currentRevision(): number {
    return this.revision;
  }

  get oldestRevision(): number {
    return this.history[0]?.revision ?? this.revision;
  }

  /** `namespace` undefined: a request across all namespaces (/api/v1/pods), allowed only by a ClusterRoleBinding. */
  isDenied(resource: ContextResource, namespace?: string): boolean {
    return this.denied.has(resource) || this.denied.has(`${resource}/${namespace ?? '*'}`);
  }

  /**
   * Like removing a rule from the watcher's ClusterRole (or, with a namespace, its RoleBinding there): requests for
   * the resource get 403 from now on. Namespace '*': only requests across all namespaces are refused, as for a
   * watcher bound per namespace with RoleBindings and no ClusterRoleBinding.
   */
  deny(resource: ContextResource, isDenied = true, namespace?: string): void {
    const key = namespace === undefined ? resource : `${resource}/${namespace}`;
    if (isDenied) this.denied.add(key);
    else this.denied.delete(key);
  }

  get(resource: ContextResource, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(storageOf(resource))!.get(`${namespace}/${name}`);
    return found ? structuredClone(viewOf(resource, found)) : undefined;
  }

  list(resource: ContextResource, namespace?: string): KubeObject[] {
    return [...this.objects.get(storageOf(resource))!.values()]
      .filter((object) => namespace === undefined || object.metadata.namespace === namespace)
      .map((object) => structuredClone(viewOf(resource, object)));
  }

  /** Creates or replaces an object written through the API of `resource`; answers it as that API serves it. */
  put(resource: ContextResource, written: KubeObject): KubeObject {
    const object = resource === 'events.k8s.io' ? eventsV1ToCore(written) : written;
    const storage = storageOf(resource);
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const existing = this.objects.get(storage)!.get(key);
    this.revision += 1;
    const stored: KubeObject = structuredClone({
      ...object,
      metadata: {
        ...object.metadata,
        uid: existing?.metadata.uid ?? object.metadata.uid ?? this.random.uuid(),
        creationTimestamp: existing?.metadata.creationTimestamp ?? object.metadata.creationTimestamp ?? new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
        resourceVersion: String(this.revision),
      },
    });
    this.objects.get(storage)!.set(key, stored);
    this.publish({ resource: storage, type: existing ? 'MODIFIED' : 'ADDED', object: stored, revision: this.revision });
    return structuredClone(viewOf(resource, stored));
  }

  remove(resource: ContextResource, namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const storage = storageOf(resource);
    const existing = this.objects.get(storage)!.get(key);
    if (!existing) return false;
    this.objects.get(storage)!.delete(key);
    this.revision += 1;
    this.publish({ resource: storage, type: 'DELETED', object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.revision) } }, revision: this.revision });
    return true;
  }

  /** Events after `revision`, or 'expired' when the history no longer reaches back that far. */
  eventsSince(resource: ContextResource, revision: number): ContextEvent[] | 'expired' {
    if (revision < this.oldestRevision - 1 && this.history.length >= historySize) return 'expired';
    return this.history.filter((event) => event.resource === storageOf(resource) && event.revision > revision);
  }

  subscribe(listener: (event: ContextEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private publish(event: ContextEvent): void {
    this.history.push(event);
    if (this.history.length > historySize) this.history.shift();
    for (const listener of this.listeners) listener(event);
  }
}
