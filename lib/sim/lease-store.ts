import type { Clock } from './clock';
import { describeManagedFields, type LeaseInput } from './lease-codec';
import { leaseApiVersion, type Lease, type ManagedFieldsEntry } from './k8s-types';
import { formatTime } from './micro-time';
import type { Random } from './random';
import { matchesFields, matchesLabels, type FieldSelector, type LabelSelector } from './selectors';
import { ApiError, alreadyExistsError, badRequestError, conflictError, expiredError, invalidError, notFoundError } from './status';

export type StoreEvent = {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Lease;
  previous?: Lease;
  revision: number;
};

export type LeaseStoreOptions = {
  historySize: number;
  initialRevision: number;
  clock: Clock;
  random: Random;
};

export type ListQuery = {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
};

export type ListResult = { items: Lease[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number };

export type WriteContext = { manager: string; operation?: 'Update' | 'Apply' };

export type NamespaceRecord = { name: string; uid: string; creationTimestamp: string; resourceVersion: string };

const defaultNamespaces = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function keyOf(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export function matchesQuery(lease: Lease, query: Pick<ListQuery, 'namespace' | 'labelSelector' | 'fieldSelector'>): boolean {
  if (query.namespace !== undefined && lease.metadata.namespace !== query.namespace) return false;
  if (query.labelSelector && !matchesLabels(query.labelSelector, lease.metadata.labels)) return false;
  if (query.fieldSelector && !matchesFields(query.fieldSelector, lease.metadata)) return false;
  return true;
}

const expiredContinueMessage =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function encodeContinueToken(revision: number, startKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: startKey })).toString('base64url');
}

export function decodeContinueToken(token: string): { revision: number; startKey: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown; rv?: unknown; start?: unknown };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad shape');
    return { revision: parsed.rv, startKey: parsed.start };
  } catch {
    throw badRequestError('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export function parseRevision(text: string, field = 'resourceVersion'): number {
  if (!/^\d+$/.test(text)) throw badRequestError(`invalid ${field}: ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

function tooLargeRevisionError(requested: number, current: number): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Timeout: Too large resource version: ${requested}, current: ${current}`,
    reason: 'Timeout',
    details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 },
    code: 504,
  });
}

function sameContent(a: Lease, b: Lease): boolean {
  const strip = (lease: Lease) => JSON.stringify({ ...lease, metadata: { ...lease.metadata, managedFields: undefined } });
  return strip(a) === strip(b);
}

function mergeManagedFields(existing: ManagedFieldsEntry[] | undefined, entry: ManagedFieldsEntry): ManagedFieldsEntry[] {
  const others = (existing ?? []).filter((e) => e.manager !== entry.manager || e.operation !== entry.operation);
  return [...others, entry];
}

/**
 * Leases keyed like etcd (namespace/name), one revision counter shared with everything the server stores,
 * and a bounded history that watches and paginated lists are served from.
 */
export class LeaseStore {
  private revisionCounter: number;
  private compacted: number;
  private readonly leases = new Map<string, Lease>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly namespaces = new Map<string, NamespaceRecord>();

  constructor(private readonly options: LeaseStoreOptions) {
    this.revisionCounter = options.initialRevision;
    this.compacted = options.initialRevision;
    for (const name of defaultNamespaces) this.ensureNamespace(name);
    this.compacted = this.revisionCounter;
  }

  get revision(): number {
    return this.revisionCounter;
  }

  /** Watches and continue tokens from a revision below this one get 410 Expired. */
  get compactedRevision(): number {
    return this.compacted;
  }

  get historyLength(): number {
    return this.history.length;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listNamespaces(): NamespaceRecord[] {
    return [...this.namespaces.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(namespace: string, name: string): Lease | undefined {
    const lease = this.leases.get(keyOf(namespace, name));
    return lease && structuredClone(lease);
  }

  getOrThrow(namespace: string, name: string): Lease {
    const lease = this.get(namespace, name);
    if (!lease) throw notFoundError(name);
    return lease;
  }

  list(query: ListQuery): ListResult {
    let revision = this.revisionCounter;
    let startKey = '';
    if (query.continueToken) {
      if (query.resourceVersion) throw badRequestError('specifying resource version is not allowed when using continue');
      ({ revision, startKey } = decodeContinueToken(query.continueToken));
      if (revision < this.compacted) throw expiredError(expiredContinueMessage);
    } else if (query.resourceVersion && query.resourceVersion !== '0') {
      const requested = parseRevision(query.resourceVersion);
      if (requested > this.revisionCounter) throw tooLargeRevisionError(requested, this.revisionCounter);
      if (query.resourceVersionMatch === 'Exact') {
        if (requested < this.compacted) throw expiredError(`too old resource version: ${requested} (${this.compacted})`);
        revision = requested;
      }
    } else if (query.resourceVersionMatch === 'Exact') {
      throw badRequestError('resourceVersionMatch "Exact" is forbidden for resourceVersion ""');
    }
    const snapshot = revision === this.revisionCounter ? this.leases : this.snapshotAt(revision);
    const matching = [...snapshot.entries()]
      .filter(([key, lease]) => key >= startKey && matchesQuery(lease, query))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const limit = query.limit && query.limit > 0 ? query.limit : matching.length;
    const page = matching.slice(0, limit);
    const result: ListResult = { items: page.map(([, lease]) => structuredClone(lease)), resourceVersion: String(revision) };
    if (matching.length > limit) {
      const lastKey = page[page.length - 1]![0];
      result.continueToken = encodeContinueToken(revision, `${lastKey}\u0000`);
      if (!query.labelSelector?.length && !query.fieldSelector?.length) result.remainingItemCount = matching.length - limit;
    }
    return result;
  }

  /** Events after `revision`, or 'expired' when history no longer reaches back that far. */
  eventsSince(revision: number): StoreEvent[] | 'expired' {
    if (revision < this.compacted) return 'expired';
    return this.history.filter((event) => event.revision > revision).map((event) => structuredClone(event));
  }

  create(namespace: string, input: LeaseInput, context: WriteContext): Lease {
    let name = input.metadata.name ?? '';
    if (name === '' && input.metadata.generateName) name = `${input.metadata.generateName}${this.options.random.alphanumeric(5)}`;
    if (this.leases.has(keyOf(namespace, name))) throw alreadyExistsError(name);
    if (input.metadata.resourceVersion) {
      throw invalidError(name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: `Invalid value: ${JSON.stringify(input.metadata.resourceVersion)}: must be empty on create` }]);
    }
    this.ensureNamespace(namespace);
    const revision = ++this.revisionCounter;
    const now = this.options.clock.now();
    const lease: Lease = {
      apiVersion: leaseApiVersion,
      kind: 'Lease',
      metadata: {
        name,
        ...(input.metadata.generateName ? { generateName: input.metadata.generateName } : {}),
        namespace,
        uid: this.options.random.uuid(),
        resourceVersion: String(revision),
        creationTimestamp: formatTime(now),
        ...(input.metadata.labels ? { labels: input.metadata.labels } : {}),
        ...(input.metadata.annotations ? { annotations: input.metadata.annotations } : {}),
        ...(input.metadata.ownerReferences ? { ownerReferences: input.metadata.ownerReferences } : {}),
        managedFields: [describeManagedFields(input, context.manager, context.operation ?? 'Update', formatTime(now))],
      },
      spec: input.spec,
    };
    this.commit({ type: 'ADDED', object: lease, revision });
    return structuredClone(lease);
  }

  /** PUT semantics: optimistic concurrency on resourceVersion; Leases allow create-on-update. */
  update(namespace: string, name: string, input: LeaseInput, context: WriteContext): { lease: Lease; created: boolean } {
    const existing = this.leases.get(keyOf(namespace, name));
    if (!existing) return { lease: this.create(namespace, { ...input, metadata: { ...input.metadata, resourceVersion: undefined } }, context), created: true };
    if (input.metadata.uid && input.metadata.uid !== existing.metadata.uid) {
      throw conflictError(name, `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (!input.metadata.resourceVersion) {
      throw invalidError(name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
    }
    if (input.metadata.resourceVersion !== existing.metadata.resourceVersion) throw conflictError(name);
    const now = this.options.clock.now();
    const entry = describeManagedFields(input, context.manager, context.operation ?? 'Update', formatTime(now));
    const candidate: Lease = {
      apiVersion: leaseApiVersion,
      kind: 'Lease',
      metadata: {
        name,
        ...(existing.metadata.generateName ? { generateName: existing.metadata.generateName } : {}),
        namespace,
        uid: existing.metadata.uid,
        resourceVersion: existing.metadata.resourceVersion,
        creationTimestamp: existing.metadata.creationTimestamp,
        ...(input.metadata.labels ? { labels: input.metadata.labels } : {}),
        ...(input.metadata.annotations ? { annotations: input.metadata.annotations } : {}),
        ...(input.metadata.ownerReferences ? { ownerReferences: input.metadata.ownerReferences } : {}),
        managedFields: mergeManagedFields(existing.metadata.managedFields, entry),
      },
      spec: input.spec,
    };
    // The real server skips no-op writes: same resourceVersion, no watch event.
    if (sameContent(candidate, existing)) return { lease: structuredClone(existing), created: false };
    const revision = ++this.revisionCounter;
    candidate.metadata.resourceVersion = String(revision);
    this.commit({ type: 'MODIFIED', object: candidate, previous: existing, revision });
    return { lease: structuredClone(candidate), created: false };
  }

  delete(namespace: string, name: string, preconditions: { uid?: string; resourceVersion?: string } = {}): Lease {
    const existing = this.leases.get(keyOf(namespace, name));
    if (!existing) throw notFoundError(name);
    if (preconditions.uid && preconditions.uid !== existing.metadata.uid) {
      throw conflictError(name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${existing.metadata.uid}`);
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflictError(
        name,
        `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    const revision = ++this.revisionCounter;
    const tombstone: Lease = { ...structuredClone(existing), metadata: { ...structuredClone(existing.metadata), resourceVersion: String(revision) } };
    this.commit({ type: 'DELETED', object: tombstone, previous: existing, revision });
    return structuredClone(tombstone);
  }

  /** Forget all history, as etcd compaction does; the revision moves on so every older version is gone. */
  compact(): number {
    this.revisionCounter++;
    this.forgetHistory();
    return this.compacted;
  }

  /** A restarted apiserver rebuilds its watch cache at the current revision: older versions get 410. */
  forgetHistory(): void {
    this.history.length = 0;
    this.compacted = this.revisionCounter;
  }

  private ensureNamespace(name: string): void {
    if (this.namespaces.has(name)) return;
    const revision = ++this.revisionCounter;
    this.namespaces.set(name, {
      name,
      uid: this.options.random.uuid(),
      creationTimestamp: formatTime(this.options.clock.now()),
      resourceVersion: String(revision),
    });
  }

  private commit(event: StoreEvent): void {
    const key = keyOf(event.object.metadata.namespace, event.object.metadata.name);
    if (event.type === 'DELETED') this.leases.delete(key);
    else this.leases.set(key, event.object);
    this.history.push(event);
    while (this.history.length > this.options.historySize) this.compacted = this.history.shift()!.revision;
    for (const listener of [...this.listeners]) listener(structuredClone(event));
  }

  private snapshotAt(revision: number): Map<string, Lease> {
    const snapshot = new Map(this.leases);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const event = this.history[i]!;
      if (event.revision <= revision) break;
      const key = keyOf(event.object.metadata.namespace, event.object.metadata.name);
      if (event.previous) snapshot.set(key, event.previous);
      else snapshot.delete(key);
    }
    return snapshot;
  }
}
