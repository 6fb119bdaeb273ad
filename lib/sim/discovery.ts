import { createHash } from 'node:crypto';

/** Discovery and OpenAPI documents: just enough of a real apiserver for kubectl and client libraries. */

export type KubernetesVersion = { major: string; minor: string; gitVersion: string };

export const defaultKubernetesVersion: KubernetesVersion = { major: '1', minor: '32', gitVersion: 'v1.32.0-leasetrail-sim' };

export function describeVersion(version: KubernetesVersion): Record<string, unknown> {
  return {
    major: version.major,
    minor: version.minor,
    gitVersion: version.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function describeCoreVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

// An empty core group makes `kubectl api-resources` fail, so the read-only namespaces resource is served.
export const coreResources = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get', 'list'], shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=' },
    // Read-only here (the fleet writes them): pods and the core/v1 view of the one Event store.
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'watch'], shortNames: ['po'], categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=' },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list', 'watch'], shortNames: ['ev'], storageVersionHash: 'r2yiGXH7wu8=' },
  ],
};

// events.k8s.io/v1: the other view of the same Event store (lib/sim/event-conversion.ts).
const eventsGroup = {
  name: 'events.k8s.io',
  versions: [{ groupVersion: 'events.k8s.io/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'events.k8s.io/v1', version: 'v1' },
};

export const eventsGroupDocument = { kind: 'APIGroup', apiVersion: 'v1', ...eventsGroup };

export const eventsResources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'events.k8s.io/v1',
  resources: [{ name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get', 'list', 'watch'], shortNames: ['ev'], storageVersionHash: 'r2yiGXH7wu8=' }],
};

const coordinationGroup = {
  name: 'coordination.k8s.io',
  versions: [{ groupVersion: 'coordination.k8s.io/v1', version: 'v1' }],
  preferredVersion: { groupVersion: 'coordination.k8s.io/v1', version: 'v1' },
};

export const groupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: [coordinationGroup, eventsGroup] };
export const coordinationGroupDocument = { kind: 'APIGroup', apiVersion: 'v1', ...coordinationGroup };

export const coordinationResources = {
  kind: 'APIResourceList',
  apiVersion: 'v1',
  groupVersion: 'coordination.k8s.io/v1',
  resources: [
    {
      name: 'leases',
      singularName: 'lease',
      namespaced: true,
      kind: 'Lease',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      storageVersionHash: 'gqkMMb/YqFM=',
    },
  ],
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const gvk = (group: string, version: string, kind: string) => ({ 'x-kubernetes-group-version-kind': [{ group, version, kind }] });

const metaSchemas = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': { type: 'string', format: 'date-time', description: 'MicroTime is version of Time with microsecond level precision.' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Time': { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time.' },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta': {
    type: 'object',
    properties: { continue: { type: 'string' }, remainingItemCount: { type: 'integer', format: 'int64' }, resourceVersion: { type: 'string' }, selfLink: { type: 'string' } },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference': {
    type: 'object',
    required: ['apiVersion', 'kind', 'name', 'uid'],
    properties: {
      apiVersion: { type: 'string', default: '' },
      blockOwnerDeletion: { type: 'boolean' },
      controller: { type: 'boolean' },
      kind: { type: 'string', default: '' },
      name: { type: 'string', default: '' },
      uid: { type: 'string', default: '' },
    },
    'x-kubernetes-map-type': 'atomic',
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry': {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      fieldsType: { type: 'string' },
      fieldsV1: { type: 'object' },
      manager: { type: 'string' },
      operation: { type: 'string' },
      subresource: { type: 'string' },
      time: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    type: 'object',
    properties: {
      annotations: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      creationTimestamp: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
      deletionTimestamp: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Time'),
      finalizers: { type: 'array', items: { type: 'string', default: '' }, 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      generateName: { type: 'string' },
      generation: { type: 'integer', format: 'int64' },
      labels: { type: 'object', additionalProperties: { type: 'string', default: '' } },
      managedFields: { type: 'array', items: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry')], default: {} }, 'x-kubernetes-list-type': 'atomic' },
      name: { type: 'string' },
      namespace: { type: 'string' },
      ownerReferences: {
        type: 'array',
        items: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference')], default: {} },
        'x-kubernetes-list-map-keys': ['uid'],
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-patch-merge-key': 'uid',
        'x-kubernetes-patch-strategy': 'merge',
      },
      resourceVersion: { type: 'string' },
      selfLink: { type: 'string' },
      uid: { type: 'string' },
    },
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.Status': {
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      code: { type: 'integer', format: 'int32' },
      details: { type: 'object' },
      kind: { type: 'string' },
      message: { type: 'string' },
      metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')], default: {} },
      reason: { type: 'string' },
      status: { type: 'string' },
    },
    ...gvk('', 'v1', 'Status'),
  },
  'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent': {
    type: 'object',
    required: ['type', 'object'],
    properties: { object: { type: 'object' }, type: { type: 'string', default: '' } },
  },
};

const leaseSchemas = {
  'io.k8s.api.coordination.v1.Lease': {
    description: 'Lease defines a lease concept.',
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')], default: {} },
      spec: { allOf: [ref('io.k8s.api.coordination.v1.LeaseSpec')], default: {} },
    },
    ...gvk('coordination.k8s.io', 'v1', 'Lease'),
  },
  'io.k8s.api.coordination.v1.LeaseList': {
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { allOf: [ref('io.k8s.api.coordination.v1.Lease')], default: {} } },
      kind: { type: 'string' },
      metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta')], default: {} },
    },
    ...gvk('coordination.k8s.io', 'v1', 'LeaseList'),
  },
  'io.k8s.api.coordination.v1.LeaseSpec': {
    type: 'object',
    properties: {
      acquireTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'),
      holderIdentity: { type: 'string' },
      leaseDurationSeconds: { type: 'integer', format: 'int32' },
      leaseTransitions: { type: 'integer', format: 'int32' },
      preferredHolder: { type: 'string' },
      renewTime: ref('io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'),
      strategy: { type: 'string' },
    },
  },
};

const queryParameter = (name: string, type = 'string') => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const writeParameters = [queryParameter('dryRun'), queryParameter('fieldManager'), queryParameter('fieldValidation')];
const jsonResponse = (schema: string) => ({ content: { 'application/json': { schema: ref(schema) } } });
const action = (verb: string, kind = 'Lease') => ({
  'x-kubernetes-action': verb,
  'x-kubernetes-group-version-kind': { group: 'coordination.k8s.io', version: 'v1', kind },
});

function documentOf(schemas: Record<string, unknown>, paths: Record<string, unknown>): Record<string, unknown> {
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

const leaseDocument = documentOf(
  { ...metaSchemas, ...leaseSchemas },
  {
    '/apis/coordination.k8s.io/v1/leases': {
      get: { operationId: 'listCoordinationV1LeaseForAllNamespaces', responses: { '200': jsonResponse('io.k8s.api.coordination.v1.LeaseList') }, ...action('list') },
    },
    '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases': {
      get: { operationId: 'listCoordinationV1NamespacedLease', responses: { '200': jsonResponse('io.k8s.api.coordination.v1.LeaseList') }, ...action('list') },
      post: {
        operationId: 'createCoordinationV1NamespacedLease',
        parameters: writeParameters,
        requestBody: { content: { '*/*': { schema: ref('io.k8s.api.coordination.v1.Lease') } }, required: true },
        responses: { '201': jsonResponse('io.k8s.api.coordination.v1.Lease') },
        ...action('post'),
      },
      delete: { operationId: 'deleteCoordinationV1CollectionNamespacedLease', responses: { '200': jsonResponse('io.k8s.apimachinery.pkg.apis.meta.v1.Status') }, ...action('deletecollection') },
      parameters: [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }],
    },
    '/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}': {
      get: { operationId: 'readCoordinationV1NamespacedLease', responses: { '200': jsonResponse('io.k8s.api.coordination.v1.Lease') }, ...action('get') },
      put: {
        operationId: 'replaceCoordinationV1NamespacedLease',
        parameters: writeParameters,
        requestBody: { content: { '*/*': { schema: ref('io.k8s.api.coordination.v1.Lease') } }, required: true },
        responses: { '200': jsonResponse('io.k8s.api.coordination.v1.Lease') },
        ...action('put'),
      },
      patch: {
        operationId: 'patchCoordinationV1NamespacedLease',
        parameters: [...writeParameters, queryParameter('force', 'boolean')],
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/strategic-merge-patch+json': { schema: { type: 'object' } },
          },
          required: true,
        },
        responses: { '200': jsonResponse('io.k8s.api.coordination.v1.Lease') },
        ...action('patch'),
      },
      delete: { operationId: 'deleteCoordinationV1NamespacedLease', responses: { '200': jsonResponse('io.k8s.apimachinery.pkg.apis.meta.v1.Status') }, ...action('delete') },
      parameters: [
        { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
        { name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
      ],
    },
  },
);

const coreDocument = documentOf(
  {
    ...metaSchemas,
    'io.k8s.api.core.v1.Namespace': {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { allOf: [ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')], default: {} },
        spec: { type: 'object' },
        status: { type: 'object' },
      },
      ...gvk('', 'v1', 'Namespace'),
    },
  },
  {
    '/api/v1/namespaces': { get: { operationId: 'listCoreV1Namespace', ...{ 'x-kubernetes-action': 'list', 'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'Namespace' } } } },
  },
);

function hashOf(document: unknown): string {
  return createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase().slice(0, 128);
}

export const openApiDocuments: Record<string, Record<string, unknown>> = {
  'apis/coordination.k8s.io/v1': leaseDocument,
  'api/v1': coreDocument,
};

export const openApiRoot = {
  paths: Object.fromEntries(Object.entries(openApiDocuments).map(([path, doc]) => [path, { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(doc)}` }])),
};
