import { describe, expect, it } from 'vitest';
import { parseLease, parseLeases } from '@/lib/leases';

const ctx = { cluster: 'prod', observedAt: 1_714_557_600_500, source: 'watch' as const };

function leaseObject(spec: unknown, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'kube-scheduler', namespace: 'kube-system', uid: 'c0ffee', resourceVersion: '4711', ...metadata },
    ...(spec === undefined ? {} : { spec }),
  };
}

const electionSpec = {
  holderIdentity: 'cp-1_6f0f3c1e-8d7a-4c1b-9a43-5b2f0e3d9c11',
  leaseDurationSeconds: 15,
  acquireTime: '2024-05-01T09:58:00.654321Z',
  renewTime: '2024-05-01T10:00:00.123456Z',
  leaseTransitions: 3,
};

function reasonOf(obj: unknown): string {
  const result = parseLease(obj, ctx);
  if (result.ok) throw new Error('expected a malformed lease');
  return result.reason;
}

describe('parseLease', () => {
  it('reads an election lease as the API server sends it', () => {
    const result = parseLease(leaseObject(electionSpec, { labels: { team: 'core' } }), ctx);
    expect(result).toEqual({
      ok: true,
      observation: {
        key: { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler' },
        uid: 'c0ffee',
        resourceVersion: '4711',
        kind: 'election',
        holderIdentity: 'cp-1_6f0f3c1e-8d7a-4c1b-9a43-5b2f0e3d9c11',
        leaseDurationSeconds: 15,
        acquireTime: { iso: '2024-05-01T09:58:00.654321Z', ms: Date.UTC(2024, 4, 1, 9, 58, 0, 654) },
        renewTime: { iso: '2024-05-01T10:00:00.123456Z', ms: Date.UTC(2024, 4, 1, 10, 0, 0, 123) },
        leaseTransitions: 3,
        strategy: null,
        preferredHolder: null,
        labels: { team: 'core' },
        observedAt: ctx.observedAt,
        source: 'watch',
      },
    });
  });

  it('keeps the original MicroTime text for exact keys', () => {
    const result = parseLease(leaseObject(electionSpec), ctx);
    expect(result.ok && result.observation.renewTime?.iso).toBe('2024-05-01T10:00:00.123456Z');
  });

  it('accepts a MicroTime without fraction', () => {
    const result = parseLease(leaseObject({ ...electionSpec, renewTime: '2024-05-01T10:00:00Z' }), ctx);
    expect(result.ok && result.observation.renewTime).toEqual({ iso: '2024-05-01T10:00:00Z', ms: Date.UTC(2024, 4, 1, 10) });
  });

  it('reads a node heartbeat without acquireTime or leaseTransitions', () => {
    const result = parseLease(
      leaseObject({ holderIdentity: 'worker-7', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.000000Z' }, { name: 'worker-7', namespace: 'kube-node-lease' }),
      ctx,
    );
    expect(result.ok && result.observation).toMatchObject({ kind: 'node_heartbeat', acquireTime: null, leaseTransitions: null, holderIdentity: 'worker-7' });
  });

  it('classifies apiserver identity leases by their label', () => {
    const result = parseLease(leaseObject(electionSpec, { name: 'apiserver-x', labels: { 'apiserver.kubernetes.io/identity': 'kube-apiserver' } }), ctx);
    expect(result.ok && result.observation.kind).toBe('apiserver_identity');
  });

  it('normalises an empty holderIdentity (a release) to null', () => {
    const result = parseLease(leaseObject({ ...electionSpec, holderIdentity: '' }), ctx);
    expect(result.ok && result.observation.holderIdentity).toBeNull();
  });

  it('reads an empty spec as a lease nobody holds', () => {
    const result = parseLease(leaseObject({}), ctx);
    expect(result.ok && result.observation).toMatchObject({ holderIdentity: null, leaseDurationSeconds: null, acquireTime: null, renewTime: null, leaseTransitions: null });
  });

  it('reads strategy and preferredHolder from coordinated leader election', () => {
    const result = parseLease(leaseObject({ ...electionSpec, strategy: 'OldestEmulationVersion', preferredHolder: 'cp-2_x' }), ctx);
    expect(result.ok && result.observation).toMatchObject({ strategy: 'OldestEmulationVersion', preferredHolder: 'cp-2_x' });
  });

  it('ignores managedFields and other metadata it does not need', () => {
    const result = parseLease(leaseObject(electionSpec, { managedFields: [{ manager: 'kube-scheduler', fieldsV1: { 'f:spec': {} } }], annotations: { a: 'b' } }), ctx);
    expect(result.ok).toBe(true);
    expect(JSON.stringify(result)).not.toContain('managedFields');
  });

  it('accepts a lease without uid or labels', () => {
    const result = parseLease(leaseObject(electionSpec, { uid: undefined }), ctx);
    expect(result.ok && result.observation).toMatchObject({ uid: null, labels: {} });
  });

  it('takes observedAt and source from the context, never from a clock', () => {
    const result = parseLease(leaseObject(electionSpec), { ...ctx, observedAt: 42, source: 'list' });
    expect(result.ok && result.observation).toMatchObject({ observedAt: 42, source: 'list' });
  });
});

describe('parseLease on malformed objects', () => {
  it('rejects a lease without spec, which would otherwise read as a release', () => {
    const result = parseLease(leaseObject(undefined), ctx);
    expect(result).toEqual({ ok: false, reason: 'spec: is missing (metadata-only object?)', key: { cluster: 'prod', namespace: 'kube-system', name: 'kube-scheduler' } });
  });

  it('rejects a null spec', () => {
    expect(reasonOf(leaseObject(null))).toBe('spec: must be an object');
  });

  it('rejects a lease without metadata.name and reports no key', () => {
    const result = parseLease(leaseObject(electionSpec, { name: undefined }), ctx);
    expect(result).toEqual({ ok: false, reason: 'metadata.name: is missing' });
  });

  it('rejects a lease without namespace', () => {
    expect(reasonOf(leaseObject(electionSpec, { namespace: '' }))).toBe('metadata.namespace: must not be empty');
  });

  it('rejects a lease without resourceVersion', () => {
    expect(reasonOf(leaseObject(electionSpec, { resourceVersion: undefined }))).toBe('metadata.resourceVersion: is missing');
  });

  it('rejects a timestamp that is not RFC 3339', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, renewTime: 'yesterday' }))).toBe('spec.renewTime: is not an RFC 3339 time (got "yesterday")');
  });

  it('rejects an impossible calendar date', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, acquireTime: '2023-02-29T10:00:00Z' }))).toContain('spec.acquireTime: is not an RFC 3339 time');
  });

  it('rejects a timestamp without zone', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, renewTime: '2024-05-01T10:00:00.123456' }))).toContain('spec.renewTime: is not an RFC 3339 time');
  });

  it('rejects a Date, whose lost microseconds would change every event key', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, renewTime: new Date(0) }))).toContain('spec.renewTime: is a Date, not the API server text');
  });

  it('rejects a numeric timestamp', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, renewTime: 1714557600 }))).toBe('spec.renewTime: must be an RFC 3339 time string (got 1714557600)');
  });

  it('rejects a negative leaseDurationSeconds', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseDurationSeconds: -5 }))).toBe('spec.leaseDurationSeconds: must be greater than 0 (got -5)');
  });

  it('rejects a zero leaseDurationSeconds, as the API server does', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseDurationSeconds: 0 }))).toBe('spec.leaseDurationSeconds: must be greater than 0 (got 0)');
  });

  it('rejects a leaseDurationSeconds given as text', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseDurationSeconds: '15' }))).toBe('spec.leaseDurationSeconds: must be a number of seconds (got "15")');
  });

  it('rejects a non-integer leaseTransitions', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseTransitions: 1.5 }))).toBe('spec.leaseTransitions: must be an integer (got 1.5)');
  });

  it('rejects a negative leaseTransitions', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseTransitions: -1 }))).toBe('spec.leaseTransitions: must not be negative (got -1)');
  });

  it('rejects a holderIdentity that is not a string', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, holderIdentity: 7 }))).toBe('spec.holderIdentity: must be a string (got 7)');
  });

  it('reports every problem of one object, not only the first', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, leaseTransitions: -1, renewTime: 'x' }))).toBe(
      'spec.renewTime: is not an RFC 3339 time (got "x"); spec.leaseTransitions: must not be negative (got -1)',
    );
  });

  it('shortens long bad values in the reason', () => {
    expect(reasonOf(leaseObject({ ...electionSpec, renewTime: 'x'.repeat(500) })).length).toBeLessThan(120);
  });

  it.each([null, 'lease', 42, []])('rejects %j as not an object', (value) => {
    expect(reasonOf(value)).toMatch(/not an object|metadata: is missing/);
  });
});

describe('parseLeases', () => {
  it('keeps the rest of a batch when one object is malformed', () => {
    const batch = [leaseObject(electionSpec, { name: 'a' }), leaseObject({ ...electionSpec, renewTime: 'bad' }, { name: 'b' }), leaseObject(electionSpec, { name: 'c' })];
    const { observations, malformed } = parseLeases(batch, ctx);
    expect(observations.map((observation) => observation.key.name)).toEqual(['a', 'c']);
    expect(malformed).toEqual([{ index: 1, reason: 'spec.renewTime: is not an RFC 3339 time (got "bad")', key: { cluster: 'prod', namespace: 'kube-system', name: 'b' } }]);
  });

  it('counts every malformed object of a batch', () => {
    const { observations, malformed } = parseLeases([null, leaseObject(undefined), leaseObject({ leaseTransitions: 0.5 })], ctx);
    expect(observations).toEqual([]);
    expect(malformed.map((entry) => entry.index)).toEqual([0, 1, 2]);
  });
});
