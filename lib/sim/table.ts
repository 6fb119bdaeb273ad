import type { Lease } from './k8s-types';
import { formatAge, parseMicroTime } from './micro-time';

/** meta.k8s.io Table and PartialObjectMetadata renderings, which kubectl asks for through the Accept header. */

export type Rendering =
  | { kind: 'Object' }
  | { kind: 'Table'; version: 'v1' | 'v1beta1'; includeObject: 'None' | 'Object' | 'Metadata' }
  | { kind: 'PartialObjectMetadata'; version: 'v1' | 'v1beta1' };

export function chooseRendering(accept: string | undefined, includeObject: string | null): Rendering {
  for (const range of (accept ?? '').split(',')) {
    const params = Object.fromEntries(
      range
        .split(';')
        .slice(1)
        .map((part) => part.trim().split('=') as [string, string]),
    );
    if (params.g !== 'meta.k8s.io' || (params.v !== 'v1' && params.v !== 'v1beta1')) continue;
    if (params.as === 'Table') {
      const include = includeObject === 'None' ? 'None' : includeObject === 'Object' ? 'Object' : 'Metadata';
      return { kind: 'Table', version: params.v, includeObject: include };
    }
    if (params.as === 'PartialObjectMetadata' || params.as === 'PartialObjectMetadataList') return { kind: 'PartialObjectMetadata', version: params.v };
  }
  return { kind: 'Object' };
}

const columnDefinitions = [
  {
    name: 'Name',
    type: 'string',
    format: 'name',
    description:
      'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
    priority: 0,
  },
  { name: 'Holder', type: 'string', format: '', description: 'holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.', priority: 0 },
  {
    name: 'Age',
    type: 'string',
    format: '',
    description:
      'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata',
    priority: 0,
  },
];

export function toPartialObjectMetadata(lease: Lease, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: lease.metadata };
}

function tableRow(lease: Lease, rendering: Extract<Rendering, { kind: 'Table' }>, now: number): Record<string, unknown> {
  const created = parseMicroTime(lease.metadata.creationTimestamp);
  const row: Record<string, unknown> = {
    cells: [lease.metadata.name, lease.spec.holderIdentity ?? '', created === undefined ? '<unknown>' : formatAge(now - created)],
  };
  if (rendering.includeObject === 'Object') row.object = lease;
  if (rendering.includeObject === 'Metadata') row.object = toPartialObjectMetadata(lease, rendering.version);
  return row;
}

export function toTable(
  leases: Lease[],
  rendering: Extract<Rendering, { kind: 'Table' }>,
  meta: { resourceVersion?: string; continue?: string; remainingItemCount?: number },
  options: { now: number; withHeaders: boolean },
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${rendering.version}`,
    metadata: meta,
    ...(options.withHeaders ? { columnDefinitions } : {}),
    rows: leases.map((lease) => tableRow(lease, rendering, options.now)),
  };
}
