import { describe, expect, it } from 'vitest';
import { decodeLease, validateLease } from '@/lib/sim/lease-codec';
import { ApiError } from '@/lib/sim/status';

function statusOf(action: () => unknown): { code: number; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof ApiError) return { code: error.code, message: error.status.message ?? '' };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('decodeLease', () => {
  it('normalises MicroTime to six digits in UTC and reports unknown fields', () => {
    const { lease, unknownFields } = decodeLease({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'a', creationTimestamp: null, color: 'red' },
      spec: { holderIdentity: 'h', renewTime: '2025-01-01T02:00:00.5+02:00', extra: 1 },
    });
    expect(lease.spec).toEqual({ holderIdentity: 'h', renewTime: '2025-01-01T00:00:00.500000Z' });
    expect(unknownFields).toEqual(['metadata.color', 'spec.extra']);
  });

  it('answers type errors with 400 and the decoder message', () => {
    const wrong = statusOf(() => decodeLease({ spec: { leaseDurationSeconds: '15' } }));
    expect(wrong.code).toBe(400);
    expect(wrong.message).toBe(
      'Lease in version "v1" cannot be handled as a Lease: json: cannot unmarshal string into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32',
    );
    expect(statusOf(() => decodeLease({ spec: { renewTime: 'soon' } })).message).toMatch(/parsing time "soon"/);
    expect(statusOf(() => decodeLease({ kind: 'Pod' })).message).toMatch(/does not match the expected kind/);
  });
});

describe('validateLease', () => {
  it('accepts a normal election record', () => {
    expect(validateLease({ metadata: { name: 'kube-scheduler' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 } })).toEqual([]);
  });

  it('lists every problem with its field, as a 422 would', () => {
    const causes = validateLease({
      metadata: { name: 'Bad_Name', labels: { 'ok/key': 'not ok!' } },
      spec: { leaseDurationSeconds: 0, leaseTransitions: -1, preferredHolder: 'b' },
    });
    expect(causes.map((cause) => cause.field)).toEqual(['metadata.name', 'metadata.labels', 'spec.leaseDurationSeconds', 'spec.leaseTransitions', 'spec.preferredHolder']);
    expect(causes.find((cause) => cause.field === 'spec.leaseDurationSeconds')?.message).toBe('Invalid value: 0: must be greater than 0');
  });

  it('requires a name', () => {
    expect(validateLease({ metadata: { name: '' }, spec: {} })[0]?.message).toBe('Required value: name or generateName is required');
  });
});
