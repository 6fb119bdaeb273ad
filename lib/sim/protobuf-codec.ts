import { k8sTypes, protobufMediaType } from '../kube/k8s-protobuf';
import type { Lease, Status } from './k8s-types';

// The simulated API server's protobuf encoding, as kube-apiserver writes it: every object is `k8s\0` and a
// runtime.Unknown around the object's message; a watch is a stream of 4-byte big-endian length-delimited
// metav1.WatchEvent frames whose object is such an encoded object.

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

// Kube-apiserver chooses by Accept: protobuf when it comes before JSON (client-go's default for built-in
// types), JSON for everything else; kubectl's Table requests are answered in JSON.
export function prefersProtobuf(accept: string | undefined): boolean {
  for (const range of (accept ?? '').split(',')) {
    const [type, ...params] = range.split(';').map((part) => part.trim());
    if (params.some((param) => param.startsWith('as='))) continue;
    if (type === protobufMediaType) return true;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return false;
  }
  return false;
}

function toTimestamp(text: string): { seconds: number; nanos: number } {
  const match = /^(.{19})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) throw new Error(`not an RFC 3339 time: ${text}`);
  const seconds = Date.parse(`${match[1]}${match[3]}`) / 1000;
  const nanos = match[2] ? Number(match[2].padEnd(9, '0')) : 0;
  return { seconds, nanos };
}

function leaseMessage(lease: Lease): Record<string, unknown> {
  const { metadata, spec } = lease;
  return {
    metadata: {
      name: metadata.name,
      namespace: metadata.namespace,
      uid: metadata.uid,
      resourceVersion: metadata.resourceVersion,
      ...(metadata.generateName !== undefined ? { generateName: metadata.generateName } : {}),
      ...(metadata.creationTimestamp ? { creationTimestamp: toTimestamp(metadata.creationTimestamp) } : {}),
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
      ...(metadata.ownerReferences ? { ownerReferences: metadata.ownerReferences } : {}),
      ...(metadata.managedFields
        ? {
            managedFields: metadata.managedFields.map((entry) => ({
              manager: entry.manager,
              operation: entry.operation,
              apiVersion: entry.apiVersion,
              ...(entry.time ? { time: toTimestamp(entry.time) } : {}),
              fieldsType: entry.fieldsType,
              fieldsV1: { Raw: Buffer.from(JSON.stringify(entry.fieldsV1)) },
            })),
          }
        : {}),
    },
    spec: {
      ...(spec.holderIdentity !== undefined ? { holderIdentity: spec.holderIdentity } : {}),
      ...(spec.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: spec.leaseDurationSeconds } : {}),
      ...(spec.acquireTime !== undefined ? { acquireTime: toTimestamp(spec.acquireTime) } : {}),
      ...(spec.renewTime !== undefined ? { renewTime: toTimestamp(spec.renewTime) } : {}),
      ...(spec.leaseTransitions !== undefined ? { leaseTransitions: spec.leaseTransitions } : {}),
      ...(spec.strategy !== undefined ? { strategy: spec.strategy } : {}),
      ...(spec.preferredHolder !== undefined ? { preferredHolder: spec.preferredHolder } : {}),
    },
  };
}

function wrap(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const unknown = k8sTypes.unknown.encode({ typeMeta: { apiVersion, kind }, raw }).finish();
  return Buffer.concat([magic, unknown]);
}

export function encodeLease(lease: Lease): Buffer {
  return wrap(lease.apiVersion, 'Lease', k8sTypes.lease.encode(leaseMessage(lease)).finish());
}

export function encodeLeaseList(items: Lease[], metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }): Buffer {
  const list = k8sTypes.leaseList.encode({ metadata, items: items.map(leaseMessage) }).finish();
  return wrap('coordination.k8s.io/v1', 'LeaseList', list);
}

export function encodeStatus(status: Status): Buffer {
  const { metadata, status: outcome, message, reason, details, code } = status;
  const body = k8sTypes.status.encode({ metadata, status: outcome, code, ...(message !== undefined ? { message } : {}), ...(reason !== undefined ? { reason } : {}), ...(details ? { details } : {}) }).finish();
  return wrap('v1', 'Status', body);
}

export function encodeWatchFrame(type: string, object: Buffer): Buffer {
  const event = k8sTypes.watchEvent.encode({ type, object: { raw: object } }).finish();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(event.length);
  return Buffer.concat([length, event]);
}
