import type { Clock } from './clock';
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

export type ContextEvent = { resource: ContextResource; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject; revision: number };

const historySize = 5_000;

/**
 * Pods, Events and LeaseCandidates of one simulated cluster, with their own resourceVersions and a bounded
 * history for watches. RBAC is simulated per resource: a denied resource answers 403 to every request.
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

  isDenied(resource: ContextResource, namespace?: string): boolean {
    return this.denied.has(resource) || (namespace !== undefined && this.denied.has(`${resource}/${namespace}`));
  }

  /** Like removing a rule from the watcher's ClusterRole (or, with a namespace, its RoleBinding there): requests for the resource get 403 from now on. */
  deny(resource: ContextResource, isDenied = true, namespace?: string): void {
    const key = namespace === undefined ? resource : `${resource}/${namespace}`;
    if (isDenied) this.denied.add(key);
    else this.denied.delete(key);
  }

  get(resource: ContextResource, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(resource)!.get(`${namespace}/${name}`);
    return found ? structuredClone(found) : undefined;
  }

  list(resource: ContextResource, namespace?: string): KubeObject[] {
    return [...this.objects.get(resource)!.values()].filter((object) => namespace === undefined || object.metadata.namespace === namespace).map((object) => structuredClone(object));
  }

  put(resource: ContextResource, object: KubeObject): KubeObject {
    const key = `${object.metadata.namespace}/${object.metadata.name}`;
    const existing = this.objects.get(resource)!.get(key);
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
    this.objects.get(resource)!.set(key, stored);
    this.publish({ resource, type: existing ? 'MODIFIED' : 'ADDED', object: stored, revision: this.revision });
    return structuredClone(stored);
  }

  remove(resource: ContextResource, namespace: string, name: string): boolean {
    const key = `${namespace}/${name}`;
    const existing = this.objects.get(resource)!.get(key);
    if (!existing) return false;
    this.objects.get(resource)!.delete(key);
    this.revision += 1;
    this.publish({ resource, type: 'DELETED', object: { ...existing, metadata: { ...existing.metadata, resourceVersion: String(this.revision) } }, revision: this.revision });
    return true;
  }

  /** Events after `revision`, or 'expired' when the history no longer reaches back that far. */
  eventsSince(resource: ContextResource, revision: number): ContextEvent[] | 'expired' {
    if (revision < this.oldestRevision - 1 && this.history.length >= historySize) return 'expired';
    return this.history.filter((event) => event.resource === resource && event.revision > revision);
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
