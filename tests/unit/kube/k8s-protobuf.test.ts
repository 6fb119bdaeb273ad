import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import { decodeObject, ProtobufDecodeError, WatchFrameReader, type DecodedWatchEvent } from '@/lib/kube/k8s-protobuf';
import { exactMicrosOf, parseMicroTime } from '@/lib/leases/micro-time';
import { parseLease } from '@/lib/leases/parse';
import type { MicroTime } from '@/lib/leases/types';
import { encodeLease } from '@/lib/sim/protobuf-codec';
import type { Lease } from '@/lib/sim/k8s-types';
// @ts-expect-error -- a plain .mjs script without types
import { buildDescriptor } from '@/scripts/generate-k8s-proto.mjs';

// An encoder independent of the decoding path: another library (@bufbuild/protobuf's wire writer) and the
// field numbers written out here from the upstream generated.proto files, not read from our vendored copy.
const magic = [0x6b, 0x38, 0x73, 0x00];

type Time = { seconds: bigint; nanos: number };

function time(writer: BinaryWriter, field: number, value: Time): void {
  writer.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(value.seconds).tag(2, WireType.Varint).int32(value.nanos).join();
}

function stringField(writer: BinaryWriter, field: number, value: string): void {
  writer.tag(field, WireType.LengthDelimited).string(value);
}

function mapEntry(writer: BinaryWriter, field: number, key: string, value: string): void {
  writer.tag(field, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).string(value).join();
}

// k8s.io.api.coordination.v1.Lease {metadata = 1: ObjectMeta, spec = 2: LeaseSpec}
function encodeLeaseIndependently(): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  stringField(writer, 1, 'kube-scheduler'); // name
  stringField(writer, 3, 'kube-system'); // namespace
  stringField(writer, 5, '5d1c2f6e-0000-4000-8000-000000000001'); // uid
  stringField(writer, 6, '48213'); // resourceVersion
  time(writer, 8, { seconds: 1_700_000_000n, nanos: 0 }); // creationTimestamp
  mapEntry(writer, 11, 'tier', 'control-plane'); // labels
  // managedFields = 17: {manager = 1, operation = 2, apiVersion = 3, time = 4, fieldsType = 6, fieldsV1 = 7 {Raw = 1}}
  writer.tag(17, WireType.LengthDelimited).fork();
  stringField(writer, 1, 'kube-scheduler');
  stringField(writer, 2, 'Update');
  stringField(writer, 3, 'coordination.k8s.io/v1');
  time(writer, 4, { seconds: 1_700_000_100n, nanos: 0 });
  stringField(writer, 6, 'FieldsV1');
  writer.tag(7, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(new TextEncoder().encode('{"f:spec":{}}')).join();
  writer.join();
  writer.join();
  writer.tag(2, WireType.LengthDelimited).fork();
  stringField(writer, 1, 'node-a_0f3c'); // holderIdentity
  writer.tag(2, WireType.Varint).int32(15); // leaseDurationSeconds
  time(writer, 3, { seconds: 1_700_000_000n, nanos: 123_456_789 }); // acquireTime
  time(writer, 4, { seconds: 1_700_000_042n, nanos: 7_000 }); // renewTime
  writer.tag(5, WireType.Varint).int32(3); // leaseTransitions
  writer.join();
  return writer.finish();
}

// runtime.Unknown {typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2}, after the magic
function wrapIndependently(apiVersion: string, kind: string, raw: Uint8Array): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork();
  stringField(writer, 1, apiVersion);
  stringField(writer, 2, kind);
  writer.join();
  writer.tag(2, WireType.LengthDelimited).bytes(raw);
  return new Uint8Array([...magic, ...writer.finish()]);
}

// metav1.WatchEvent {type = 1, object = 2: RawExtension {raw = 1}} behind a 4-byte big-endian length
function frameIndependently(type: string, object: Uint8Array): Buffer {
  const writer = new BinaryWriter();
  stringField(writer, 1, type);
  writer.tag(2, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).bytes(object).join();
  const event = writer.finish();
  const length = Buffer.alloc(4);
  length.writeUInt32BE(event.length);
  return Buffer.concat([length, event]);
}

const expectedLease = {
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: {
    name: 'kube-scheduler',
    namespace: 'kube-system',
    uid: '5d1c2f6e-0000-4000-8000-000000000001',
    resourceVersion: '48213',
    labels: { tier: 'control-plane' },
  },
  spec: {
    holderIdentity: 'node-a_0f3c',
    leaseDurationSeconds: 15,
    // Go's RFC3339Micro truncates the nanoseconds.
    acquireTime: '2023-11-14T22:13:20.123456Z',
    renewTime: '2023-11-14T22:14:02.000007Z',
    leaseTransitions: 3,
  },
};

describe('Kubernetes protobuf decoding', () => {
  it('decodes a Lease written by an independent encoder into the JSON the API server would send (the fields the controller reads)', () => {
    const decoded = decodeObject(wrapIndependently('coordination.k8s.io/v1', 'Lease', encodeLeaseIndependently()));
    expect(decoded).toEqual({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', object: expectedLease });
  });

  it('decodes a LeaseList and a Status', () => {
    const list = new BinaryWriter();
    list.tag(1, WireType.LengthDelimited).fork();
    stringField(list, 2, '50000'); // ListMeta.resourceVersion
    stringField(list, 3, 'token-1'); // ListMeta.continue
    list.tag(4, WireType.Varint).int64(7n); // remainingItemCount
    list.join();
    list.tag(2, WireType.LengthDelimited).bytes(encodeLeaseIndependently());
    list.tag(2, WireType.LengthDelimited).bytes(encodeLeaseIndependently());
    const decoded = decodeObject(wrapIndependently('coordination.k8s.io/v1', 'LeaseList', list.finish()));
    expect(decoded.object).toEqual({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'LeaseList',
      metadata: { resourceVersion: '50000', continue: 'token-1', remainingItemCount: 7 },
      items: [expectedLease, expectedLease],
    });

    const status = new BinaryWriter();
    stringField(status, 2, 'Failure');
    stringField(status, 3, 'too old resource version: 5 (90)');
    stringField(status, 4, 'Expired');
    status.tag(6, WireType.Varint).int32(410);
    expect(decodeObject(wrapIndependently('v1', 'Status', status.finish())).object).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'too old resource version: 5 (90)',
      reason: 'Expired',
      code: 410,
    });
  });

  it('reads length-delimited watch frames however the stream is cut into chunks', () => {
    const lease = wrapIndependently('coordination.k8s.io/v1', 'Lease', encodeLeaseIndependently());
    const stream = Buffer.concat([frameIndependently('ADDED', lease), frameIndependently('MODIFIED', lease), frameIndependently('DELETED', lease)]);
    for (const size of [1, 3, 7, 64, stream.length]) {
      const events: DecodedWatchEvent[] = [];
      const reader = new WatchFrameReader((event) => events.push(event));
      for (let offset = 0; offset < stream.length; offset += size) reader.push(stream.subarray(offset, offset + size));
      reader.end();
      expect(events).toEqual([
        { type: 'ADDED', object: expectedLease },
        { type: 'MODIFIED', object: expectedLease },
        { type: 'DELETED', object: expectedLease },
      ]);
    }
  });

  it('gives the same observation as the JSON of the same Lease', () => {
    const lease = decodeObject(wrapIndependently('coordination.k8s.io/v1', 'Lease', encodeLeaseIndependently())).object;
    const ctx = { cluster: 'c', observedAt: 1_700_000_050_000, source: 'watch' as const };
    expect(parseLease(lease, ctx)).toEqual(parseLease(JSON.parse(JSON.stringify(expectedLease)), ctx));
  });

  it('gives the controller its times as MicroTimes, equal to the text read back, and the same observation', () => {
    const bytes = wrapIndependently('coordination.k8s.io/v1', 'Lease', encodeLeaseIndependently());
    const lease = decodeObject(bytes, 'parsed').object as { spec: { acquireTime: unknown; renewTime: unknown } };
    expect(lease.spec.acquireTime).toEqual(parseMicroTime(expectedLease.spec.acquireTime));
    expect(lease.spec.renewTime).toEqual(parseMicroTime(expectedLease.spec.renewTime));
    // No text to parse back, and the exact microseconds travel with the time (packing it parses nothing).
    expect(exactMicrosOf(lease.spec.renewTime as MicroTime)).toBe(1_700_000_042_000_007);
    const events: DecodedWatchEvent[] = [];
    new WatchFrameReader((event) => events.push(event), 'parsed').push(frameIndependently('MODIFIED', bytes));
    expect(events).toEqual([{ type: 'MODIFIED', object: lease }]);
    const ctx = { cluster: 'c', observedAt: 1_700_000_050_000, source: 'watch' as const };
    expect(parseLease(lease, ctx)).toEqual(parseLease(JSON.parse(JSON.stringify(expectedLease)), ctx));
  });

  it('refuses what is not a Kubernetes protobuf object, an unknown kind and a stream cut inside a frame', () => {
    expect(() => decodeObject(Buffer.from('{"kind":"Lease"}'))).toThrow(ProtobufDecodeError);
    expect(() => decodeObject(wrapIndependently('v1', 'Pod', new Uint8Array()))).toThrow(/unexpected object v1 Pod/);
    expect(() => decodeObject(new Uint8Array([...magic, 0x0a, 0xff]))).toThrow(ProtobufDecodeError);
    const reader = new WatchFrameReader(() => undefined);
    reader.push(frameIndependently('ADDED', wrapIndependently('coordination.k8s.io/v1', 'Lease', encodeLeaseIndependently())).subarray(0, 20));
    expect(() => reader.end()).toThrow(/ended inside a frame/);
  });
});

describe('the simulated fleet’s protobuf encoder', () => {
  it('writes what the independent reader finds under the upstream field numbers', () => {
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'a', namespace: 'ns', uid: 'u', resourceVersion: '9', creationTimestamp: '2023-11-14T22:13:20Z' },
      spec: { holderIdentity: 'h', renewTime: '2023-11-14T22:14:02.000007Z', leaseDurationSeconds: 10 },
    };
    const bytes = encodeLease(lease);
    expect([...bytes.subarray(0, 4)]).toEqual(magic);
    const unknown = new BinaryReader(bytes.subarray(4));
    const fields = new Map<number, Uint8Array>();
    while (unknown.pos < unknown.len) {
      const [field] = unknown.tag();
      fields.set(field, unknown.bytes());
    }
    const spec = new BinaryReader(readField(fields.get(2)!, 2));
    const specFields = new Map<number, unknown>();
    while (spec.pos < spec.len) {
      const [field, wire] = spec.tag();
      specFields.set(field, wire === WireType.Varint ? spec.int32() : spec.bytes());
    }
    expect(new TextDecoder().decode(specFields.get(1) as Uint8Array)).toBe('h');
    expect(specFields.get(2)).toBe(10);
    const renew = new BinaryReader(specFields.get(4) as Uint8Array);
    renew.tag();
    const seconds = renew.int64();
    renew.tag();
    expect([seconds, renew.int32()]).toEqual([1_700_000_042n, 7_000]);
  });
});

function readField(message: Uint8Array, wanted: number): Uint8Array {
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [field, wire] = reader.tag();
    if (field === wanted) return reader.bytes();
    reader.skip(wire);
  }
  throw new Error(`field ${wanted} missing`);
}

describe('the vendored .proto files', () => {
  it('match the descriptor the code loads (run scripts/generate-k8s-proto.mjs after changing them)', () => {
    const committed = JSON.parse(readFileSync(path.join(process.cwd(), 'lib/kube/k8s-proto/descriptor.json'), 'utf8')) as unknown;
    expect(buildDescriptor()).toEqual(committed);
  });
});
