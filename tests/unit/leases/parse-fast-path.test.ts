import { describe, expect, it } from 'vitest';
import { microTimeFromMicros, packMicroTime, parseMicroTime } from '@/lib/leases/micro-time';
import { parseLease, parseLeaseStrict, parseWellFormed } from '@/lib/leases/parse';

const ctx = { cluster: 'c1', observedAt: 1_700_000_000_000, source: 'watch' as const };

function validLease(): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: 'kube-scheduler',
      namespace: 'kube-system',
      uid: '5d0c0f1e-1111-4a2b-9c3d-0e1f2a3b4c5d',
      resourceVersion: '4242',
      labels: { app: 'scheduler' },
      managedFields: [{ manager: 'kube-scheduler', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
    },
    spec: {
      holderIdentity: 'cp-1_4a2b',
      leaseDurationSeconds: 15,
      acquireTime: '2026-11-24T10:00:00.123456Z',
      renewTime: '2026-11-24T10:05:02.654321Z',
      leaseTransitions: 3,
    },
  };
}

// Every value a field may meet in the wild, well-formed or not.
const candidates: unknown[] = [
  undefined,
  null,
  '',
  'x',
  'cp-2_77',
  0,
  1,
  -1,
  1.5,
  2 ** 60,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  ['a'],
  {},
  { a: 'b' },
  { a: 1 },
  new Date('2026-11-24T10:00:00Z'),
  '2026-11-24T10:00:00Z',
  '2026-11-24T10:00:00.5+02:00',
  '2026-11-24T10:00:00.123456789Z',
  '2026-02-30T10:00:00Z',
  '2026-11-24 10:00:00Z',
  'yesterday',
];

const fields: Array<[section: 'metadata' | 'spec' | null, name: string]> = [
  [null, 'metadata'],
  [null, 'spec'],
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'labels'],
  ['spec', 'holderIdentity'],
  ['spec', 'leaseDurationSeconds'],
  ['spec', 'acquireTime'],
  ['spec', 'renewTime'],
  ['spec', 'leaseTransitions'],
  ['spec', 'strategy'],
  ['spec', 'preferredHolder'],
];

function mutated(section: 'metadata' | 'spec' | null, name: string, value: unknown): unknown {
  const lease = validLease();
  const target = section === null ? lease : (lease[section] as Record<string, unknown>);
  if (value === undefined) delete target[name];
  else target[name] = value;
  return lease;
}

describe('parseLease fast path', () => {
  it('accepts a well-formed Lease without the schema and returns what the schema returns', () => {
    const lease = validLease();
    expect(parseWellFormed(lease, ctx)).toBeDefined();
    expect(parseLease(lease, ctx)).toEqual(parseLeaseStrict(lease, ctx));
  });

  it('agrees with the schema on every single-field variation, and never accepts what the schema rejects', () => {
    let acceptedByFastPath = 0;
    for (const [section, name] of fields) {
      for (const value of candidates) {
        const lease = mutated(section, name, value);
        const strict = parseLeaseStrict(lease, ctx);
        const fast = parseWellFormed(lease, ctx);
        if (fast !== undefined) {
          acceptedByFastPath += 1;
          expect(strict.ok, `${section}.${name} = ${String(value)}`).toBe(true);
          expect(fast, `${section}.${name} = ${String(value)}`).toEqual(strict);
        }
        expect(parseLease(lease, ctx), `${section}.${name} = ${String(value)}`).toEqual(strict);
      }
    }
    // The fast path must carry the bulk of well-formed variations, or it is not a fast path.
    expect(acceptedByFastPath).toBeGreaterThan(60);
  });

  it('takes a time the protobuf decoder built as it is, and refuses any other object where a time belongs', () => {
    const text = '2026-11-24T10:05:02.654321Z';
    const built = microTimeFromMicros(packMicroTime(parseMicroTime(text)!)!)!;
    const withBuilt = mutated('spec', 'renewTime', built);
    expect(parseWellFormed(withBuilt, ctx)).toEqual(parseLeaseStrict(mutated('spec', 'renewTime', text), ctx));
    expect(parseLeaseStrict(withBuilt, ctx)).toEqual(parseLeaseStrict(mutated('spec', 'renewTime', text), ctx));
    // What JSON.parse can give (a plain object) is no time, whatever its fields say.
    const plain = mutated('spec', 'renewTime', { iso: text, ms: built.ms });
    expect(parseWellFormed(plain, ctx)).toBeUndefined();
    expect(parseLease(plain, ctx)).toMatchObject({ ok: false, reason: expect.stringContaining('spec.renewTime: must be an RFC 3339 time string') as unknown });
  });

  it('leaves the explanation of a malformed Lease to the schema', () => {
    const result = parseLease(mutated('spec', 'leaseDurationSeconds', 1.5), ctx);
    expect(result).toEqual({ ok: false, reason: 'spec.leaseDurationSeconds: must be a whole number of seconds (got 1.5)', key: { cluster: 'c1', namespace: 'kube-system', name: 'kube-scheduler' } });
  });
});
