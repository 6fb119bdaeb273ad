import protobuf from 'protobufjs/light';
import { formatSecondsPrefix, microTimeFromMicros } from '../leases/micro-time';
import type { MicroTime } from '../leases/types';
import descriptor from './k8s-proto/descriptor.json';

// Kubernetes' protobuf encoding (what client-go uses for built-in types), decoded with protobufjs from the
// vendored upstream .proto definitions (lib/kube/k8s-proto, see its README):
// - an object (a list answer, a Status, the object inside a watch event) is the 4 bytes `k8s\0`, then a
//   runtime.Unknown {typeMeta, raw, contentEncoding, contentType} whose `raw` is the object's own message;
// - a watch stream is a sequence of frames, each a 4-byte big-endian length and a metav1.WatchEvent
//   {type, object: RawExtension} without the magic; `object.raw` is an object as above.
// Decoded Leases come out in the shape of their JSON (times as the RFC 3339 text the API server writes,
// or as MicroTimes for the controller, see TimeForm), with the fields the controller reads (metadata name,
// namespace, uid, resourceVersion, labels; the whole spec), so both encodings reach the same parser and
// give the same observations.

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';
export const protobufWatchMediaType = `${protobufMediaType};stream=watch`;

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const maxFrameBytes = 16 * 1024 * 1024;

// int64 fields (Time seconds, generation) as plain numbers, not Long objects: every value Kubernetes
// puts there is far below 2^53, and a Long per timestamp is garbage the hot path does not need.
protobuf.util.Long = undefined as unknown as typeof protobuf.util.Long;
protobuf.configure();

const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1';

function typesOf(root: protobuf.Root) {
  return {
    unknown: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'),
    watchEvent: root.lookupType(`${meta}.WatchEvent`),
    status: root.lookupType(`${meta}.Status`),
    lease: root.lookupType('k8s.io.api.coordination.v1.Lease'),
    leaseList: root.lookupType('k8s.io.api.coordination.v1.LeaseList'),
  };
}

// The full definitions: what the simulated fleet encodes.
export const k8sTypes = typesOf(protobuf.Root.fromJSON(descriptor as protobuf.INamespace));

// What the controller decodes with: ObjectMeta without the fields it never reads (managedFields, owner
// references, annotations, timestamps...). A protobuf decoder skips fields its message does not declare
// by their wire type without decoding them, which is most of a Lease's bytes.
const readFields = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'labels']);
function leanDescriptor(): protobuf.INamespace {
  const copy = structuredClone(descriptor) as { nested: Record<string, unknown> };
  let node = copy as unknown as { nested: Record<string, { nested: Record<string, unknown> }> };
  for (const part of meta.split('.')) node = node.nested[part] as unknown as typeof node;
  const objectMeta = node.nested.ObjectMeta as unknown as { fields: Record<string, unknown> };
  objectMeta.fields = Object.fromEntries(Object.entries(objectMeta.fields).filter(([name]) => readFields.has(name)));
  return copy as unknown as protobuf.INamespace;
}
const decodeTypes = typesOf(protobuf.Root.fromJSON(leanDescriptor()));

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

type Int64 = number | { toNumber(): number };
type Timestamp = { seconds?: Int64; nanos?: number };
type ObjectMetaMessage = { name?: string; namespace?: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> };
type LeaseMessage = {
  metadata?: ObjectMetaMessage;
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: Timestamp;
    renewTime?: Timestamp;
    leaseTransitions?: number;
    strategy?: string;
    preferredHolder?: string;
  };
};
type ListMetaMessage = { resourceVersion?: string; continue?: string; remainingItemCount?: Int64 };
type StatusMessage = {
  metadata?: ListMetaMessage;
  status?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: Array<{ reason?: string; message?: string; field?: string }>; retryAfterSeconds?: number };
  code?: number;
};

// proto2 presence: protobufjs keeps unset optional fields on the prototype (their defaults).
const has = (message: object, field: string): boolean => Object.prototype.hasOwnProperty.call(message, field);

function toNumber(value: Int64 | undefined): number {
  if (value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

// Go's RFC3339Micro (metav1.MicroTime: six fraction digits, truncated), UTC.
function formatMicroTime(time: Timestamp): string {
  return `${formatSecondsPrefix(toNumber(time.seconds))}.${String(Math.floor((time.nanos ?? 0) / 1000)).padStart(6, '0')}Z`;
}

// How a decoded Lease carries its times: as the text the API server's JSON has (`text`), or already as
// MicroTimes (`parsed`, what the controller reads: formatting each time only for parseLease to read it
// back was a tenth of the decoding). A time outside what a MicroTime number holds stays text either way.
export type TimeForm = 'text' | 'parsed';

function timeOf(time: Timestamp, form: TimeForm): string | MicroTime {
  const nanos = time.nanos ?? 0;
  if (form === 'parsed' && nanos >= 0 && nanos < 1_000_000_000) {
    const parsed = microTimeFromMicros(toNumber(time.seconds) * 1_000_000 + Math.floor(nanos / 1000));
    if (parsed !== null) return parsed;
  }
  return formatMicroTime(time);
}

function leaseToJson(message: LeaseMessage, form: TimeForm = 'text'): unknown {
  const metadata: Record<string, unknown> = {};
  const m = message.metadata;
  if (m) {
    if (has(m, 'name')) metadata.name = m.name;
    if (has(m, 'namespace')) metadata.namespace = m.namespace;
    if (has(m, 'uid')) metadata.uid = m.uid;
    if (has(m, 'resourceVersion')) metadata.resourceVersion = m.resourceVersion;
    if (m.labels && Object.keys(m.labels).length > 0) metadata.labels = m.labels;
  }
  const spec: Record<string, unknown> = {};
  const s = message.spec;
  if (s) {
    if (has(s, 'holderIdentity')) spec.holderIdentity = s.holderIdentity;
    if (has(s, 'leaseDurationSeconds')) spec.leaseDurationSeconds = s.leaseDurationSeconds;
    if (s.acquireTime) spec.acquireTime = timeOf(s.acquireTime, form);
    if (s.renewTime) spec.renewTime = timeOf(s.renewTime, form);
    if (has(s, 'leaseTransitions')) spec.leaseTransitions = s.leaseTransitions;
    if (has(s, 'strategy')) spec.strategy = s.strategy;
    if (has(s, 'preferredHolder')) spec.preferredHolder = s.preferredHolder;
  }
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
}

function listMetaToJson(m: ListMetaMessage | undefined): Record<string, unknown> {
  const metadata: Record<string, unknown> = {};
  if (!m) return metadata;
  if (has(m, 'resourceVersion')) metadata.resourceVersion = m.resourceVersion;
  if (has(m, 'continue') && m.continue !== '') metadata.continue = m.continue;
  if (has(m, 'remainingItemCount')) metadata.remainingItemCount = toNumber(m.remainingItemCount);
  return metadata;
}

function statusToJson(message: StatusMessage): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: listMetaToJson(message.metadata),
    ...(has(message, 'status') ? { status: message.status } : {}),
    ...(has(message, 'message') ? { message: message.message } : {}),
    ...(has(message, 'reason') ? { reason: message.reason } : {}),
    ...(message.details ? { details: { ...message.details } } : {}),
    code: message.code ?? 0,
  };
}

function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array, what: string): T {
  try {
    return type.decode(bytes) as unknown as T;
  } catch (error) {
    throw new ProtobufDecodeError(`${what}: ${(error as Error).message}`);
  }
}

export type DecodedObject = { apiVersion: string; kind: string; object: unknown };

// One `k8s\0`-prefixed object: a Lease, a LeaseList or a Status, in the shape of its JSON (a Lease's
// times as MicroTimes when asked for `parsed`).
export function decodeObject(bytes: Uint8Array, times: TimeForm = 'text'): DecodedObject {
  if (bytes.length < magic.length || !magic.equals(bytes.subarray(0, magic.length))) throw new ProtobufDecodeError('not a Kubernetes protobuf object (no k8s\\0 prefix)');
  const unknown = decodeMessage<{ typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array; contentEncoding?: string; contentType?: string }>(
    decodeTypes.unknown,
    bytes.subarray(magic.length),
    'runtime.Unknown',
  );
  if (unknown.contentEncoding) throw new ProtobufDecodeError(`unsupported content encoding ${unknown.contentEncoding}`);
  if (unknown.contentType && unknown.contentType !== protobufMediaType) throw new ProtobufDecodeError(`unsupported content type ${unknown.contentType}`);
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const raw = unknown.raw ?? new Uint8Array(0);
  if (kind === 'Lease' && apiVersion === 'coordination.k8s.io/v1') return { apiVersion, kind, object: leaseToJson(decodeMessage<LeaseMessage>(decodeTypes.lease, raw, 'Lease'), times) };
  if (kind === 'LeaseList' && apiVersion === 'coordination.k8s.io/v1') {
    const list = decodeMessage<{ metadata?: ListMetaMessage; items?: LeaseMessage[] }>(decodeTypes.leaseList, raw, 'LeaseList');
    return { apiVersion, kind, object: { apiVersion, kind, metadata: listMetaToJson(list.metadata), items: (list.items ?? []).map((item) => leaseToJson(item, times)) } };
  }
  if (kind === 'Status') return { apiVersion, kind, object: statusToJson(decodeMessage<StatusMessage>(decodeTypes.status, raw, 'Status')) };
  throw new ProtobufDecodeError(`unexpected object ${apiVersion} ${kind}`);
}

export type DecodedWatchEvent = { type: string; object: unknown };

// Length-delimited watch frames from byte chunks; a frame split across chunks is kept until it is whole.
export class WatchFrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly onEvent: (event: DecodedWatchEvent) => void,
    private readonly times: TimeForm = 'text',
  ) {}

  push(chunk: Buffer): void {
    let buffer = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      buffer = Buffer.concat(this.pending, this.pendingBytes + chunk.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readUInt32BE(offset);
      if (length > maxFrameBytes) throw new ProtobufDecodeError(`watch frame of ${length} bytes exceeds ${maxFrameBytes}`);
      if (buffer.length - offset - 4 < length) break;
      const frame = buffer.subarray(offset + 4, offset + 4 + length);
      offset += 4 + length;
      this.onEvent(decodeWatchEvent(frame, this.times));
    }
    if (offset < buffer.length) {
      const rest = buffer.subarray(offset);
      this.pending = [rest];
      this.pendingBytes = rest.length;
    }
  }

  // Bytes of an unfinished frame at the end of the stream mean it was cut off.
  end(): void {
    if (this.pendingBytes > 0) throw new ProtobufDecodeError(`watch stream ended inside a frame (${this.pendingBytes} bytes left)`);
  }
}

export function decodeWatchEvent(frame: Uint8Array, times: TimeForm = 'text'): DecodedWatchEvent {
  const event = decodeMessage<{ type?: string; object?: { raw?: Uint8Array } }>(decodeTypes.watchEvent, frame, 'WatchEvent');
  const raw = event.object?.raw;
  if (!event.type || !raw) throw new ProtobufDecodeError('watch event without a type or an object');
  return { type: event.type, object: decodeObject(raw, times).object };
}
