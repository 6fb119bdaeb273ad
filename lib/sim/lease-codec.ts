import { isLabelValue, isQualifiedName } from './selectors';
import { formatMicroTime, parseMicroTime } from './micro-time';
import { leaseApiVersion, type LeaseSpec, type ManagedFieldsEntry, type OwnerReference, type StatusCause } from './k8s-types';
import { badRequestError } from './status';

/** What a client may send: metadata the server owns is optional and replaced on write. */
export type LeaseInput = {
  metadata: {
    name?: string;
    generateName?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReference[];
  };
  spec: LeaseSpec;
};

export type DecodeResult = { lease: LeaseInput; unknownFields: string[] };

const ignoredMetadataFields = new Set(['creationTimestamp', 'managedFields', 'generation', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'finalizers']);
const supportedStrategies = ['OldestEmulationVersion'];

class DecodeFailure extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function goType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'object' : typeof value;
}

function unmarshalError(value: unknown, path: string, type: string): DecodeFailure {
  return new DecodeFailure(`json: cannot unmarshal ${goType(value)} into Go struct field ${path} of type ${type}`);
}

function readString(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw unmarshalError(value, path, 'string');
  return value;
}

function readInt32(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value > 2147483647 || value < -2147483648) throw unmarshalError(value, path, 'int32');
  return value;
}

function readMicroTime(value: unknown, path: string): string | undefined {
  const text = readString(value, path);
  if (text === undefined) return undefined;
  const parsed = parseMicroTime(text);
  if (parsed === undefined) throw new DecodeFailure(`parsing time "${text}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "${text}"`);
  return formatMicroTime(parsed);
}

function readStringMap(value: unknown, path: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) throw unmarshalError(value, path, 'map[string]string');
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw unmarshalError(entry, `${path}[${key}]`, 'string');
  }
  return { ...(value as Record<string, string>) };
}

function readOwnerReferences(value: unknown): OwnerReference[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw unmarshalError(value, 'ObjectMeta.metadata.ownerReferences', '[]v1.OwnerReference');
  return value.map((entry) => {
    if (!isRecord(entry)) throw unmarshalError(entry, 'ObjectMeta.metadata.ownerReferences', 'v1.OwnerReference');
    const ref: OwnerReference = {
      apiVersion: readString(entry.apiVersion, 'OwnerReference.apiVersion') ?? '',
      kind: readString(entry.kind, 'OwnerReference.kind') ?? '',
      name: readString(entry.name, 'OwnerReference.name') ?? '',
      uid: readString(entry.uid, 'OwnerReference.uid') ?? '',
    };
    if (typeof entry.controller === 'boolean') ref.controller = entry.controller;
    if (typeof entry.blockOwnerDeletion === 'boolean') ref.blockOwnerDeletion = entry.blockOwnerDeletion;
    return ref;
  });
}

/** Decode a request body the way the apiserver's JSON decoder does: type errors are 400s, unknown fields are reported. */
export function decodeLease(body: unknown): DecodeResult {
  const unknownFields: string[] = [];
  try {
    if (!isRecord(body)) throw unmarshalError(body, 'Lease', 'v1.Lease');
    const apiVersion = readString(body.apiVersion, 'Lease.apiVersion');
    if (apiVersion !== undefined && apiVersion !== leaseApiVersion) {
      throw badRequestError(`the API version in the data (${apiVersion}) does not match the expected API version (${leaseApiVersion})`);
    }
    const kind = readString(body.kind, 'Lease.kind');
    if (kind !== undefined && kind !== 'Lease') throw badRequestError(`the kind in the data (${kind}) does not match the expected kind (Lease)`);
    for (const key of Object.keys(body)) if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(key)) unknownFields.push(key);
    if (body.status !== undefined) unknownFields.push('status');
    const rawMeta = body.metadata ?? {};
    if (!isRecord(rawMeta)) throw unmarshalError(rawMeta, 'Lease.metadata', 'v1.ObjectMeta');
    const metadata: LeaseInput['metadata'] = {};
    const metaReaders: Record<string, (value: unknown) => void> = {
      name: (v) => assign(metadata, 'name', readString(v, 'ObjectMeta.metadata.name')),
      generateName: (v) => assign(metadata, 'generateName', readString(v, 'ObjectMeta.metadata.generateName')),
      namespace: (v) => assign(metadata, 'namespace', readString(v, 'ObjectMeta.metadata.namespace')),
      uid: (v) => assign(metadata, 'uid', readString(v, 'ObjectMeta.metadata.uid')),
      resourceVersion: (v) => assign(metadata, 'resourceVersion', readString(v, 'ObjectMeta.metadata.resourceVersion')),
      labels: (v) => assign(metadata, 'labels', readStringMap(v, 'ObjectMeta.metadata.labels')),
      annotations: (v) => assign(metadata, 'annotations', readStringMap(v, 'ObjectMeta.metadata.annotations')),
      ownerReferences: (v) => assign(metadata, 'ownerReferences', readOwnerReferences(v)),
    };
    for (const [key, value] of Object.entries(rawMeta)) {
      const reader = metaReaders[key];
      if (reader) reader(value);
      else if (!ignoredMetadataFields.has(key)) unknownFields.push(`metadata.${key}`);
    }
    const rawSpec = body.spec ?? {};
    if (!isRecord(rawSpec)) throw unmarshalError(rawSpec, 'Lease.spec', 'v1.LeaseSpec');
    const spec: LeaseSpec = {};
    const specReaders: Record<string, (value: unknown) => void> = {
      holderIdentity: (v) => assign(spec, 'holderIdentity', readString(v, 'LeaseSpec.spec.holderIdentity')),
      leaseDurationSeconds: (v) => assign(spec, 'leaseDurationSeconds', readInt32(v, 'LeaseSpec.spec.leaseDurationSeconds')),
      acquireTime: (v) => assign(spec, 'acquireTime', readMicroTime(v, 'LeaseSpec.spec.acquireTime')),
      renewTime: (v) => assign(spec, 'renewTime', readMicroTime(v, 'LeaseSpec.spec.renewTime')),
      leaseTransitions: (v) => assign(spec, 'leaseTransitions', readInt32(v, 'LeaseSpec.spec.leaseTransitions')),
      strategy: (v) => assign(spec, 'strategy', readString(v, 'LeaseSpec.spec.strategy')),
      preferredHolder: (v) => assign(spec, 'preferredHolder', readString(v, 'LeaseSpec.spec.preferredHolder')),
    };
    for (const [key, value] of Object.entries(rawSpec)) {
      const reader = specReaders[key];
      if (reader) reader(value);
      else unknownFields.push(`spec.${key}`);
    }
    return { lease: { metadata, spec }, unknownFields };
  } catch (error) {
    if (error instanceof DecodeFailure) throw badRequestError(`Lease in version "v1" cannot be handled as a Lease: ${error.message}`);
    throw error;
  }
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && dnsSubdomain.test(name);
}

export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}

/** ValidateLease plus the ObjectMeta checks that apply to it; an empty list means valid. */
export function validateLease(lease: LeaseInput & { metadata: { name: string } }): StatusCause[] {
  const causes: StatusCause[] = [];
  const invalid = (field: string, value: unknown, why: string) =>
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(value)}: ${why}`, field });
  const { metadata, spec } = lease;
  if (metadata.name === '') {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' });
  } else if (!isDnsSubdomain(metadata.name)) {
    invalid('metadata.name', metadata.name, subdomainMessage);
  }
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (!isQualifiedName(key)) invalid('metadata.labels', key, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character');
    if (!isLabelValue(value)) invalid(`metadata.labels`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  }
  for (const key of Object.keys(metadata.annotations ?? {})) {
    if (!isQualifiedName(key)) invalid('metadata.annotations', key, 'name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character');
  }
  (metadata.ownerReferences ?? []).forEach((ref, index) => {
    for (const field of ['apiVersion', 'kind', 'name', 'uid'] as const) {
      if (ref[field] === '') causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: `metadata.ownerReferences[${index}].${field}` });
    }
  });
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${spec.leaseDurationSeconds}: must be greater than 0`, field: 'spec.leaseDurationSeconds' });
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    causes.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${spec.leaseTransitions}: must be greater than or equal to 0`, field: 'spec.leaseTransitions' });
  }
  if (spec.strategy !== undefined && !supportedStrategies.includes(spec.strategy)) {
    causes.push({
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: "${spec.strategy}": supported values: ${supportedStrategies.map((s) => `"${s}"`).join(', ')}`,
      field: 'spec.strategy',
    });
  }
  if (spec.preferredHolder !== undefined && spec.preferredHolder !== '' && spec.strategy === undefined) {
    causes.push({ reason: 'FieldValueForbidden', message: 'Forbidden: may only be specified if `strategy` is defined', field: 'spec.preferredHolder' });
  }
  return causes;
}

function fieldSet(keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [`f:${key}`, {}]));
}

/** A FieldsV1 description of what this write set, so managedFields look like the real server's. */
export function describeManagedFields(lease: LeaseInput, manager: string, operation: 'Update' | 'Apply', time: string): ManagedFieldsEntry {
  const fields: Record<string, unknown> = {};
  const meta: Record<string, unknown> = {};
  if (lease.metadata.labels) meta['f:labels'] = fieldSet(Object.keys(lease.metadata.labels));
  if (lease.metadata.annotations) meta['f:annotations'] = fieldSet(Object.keys(lease.metadata.annotations));
  if (lease.metadata.ownerReferences) {
    meta['f:ownerReferences'] = Object.fromEntries(lease.metadata.ownerReferences.map((ref) => [`k:{"uid":"${ref.uid}"}`, {}]));
  }
  if (Object.keys(meta).length > 0) fields['f:metadata'] = meta;
  const specKeys = Object.keys(lease.spec);
  if (specKeys.length > 0) fields['f:spec'] = fieldSet(specKeys);
  return { manager, operation, apiVersion: leaseApiVersion, time, fieldsType: 'FieldsV1', fieldsV1: fields };
}
