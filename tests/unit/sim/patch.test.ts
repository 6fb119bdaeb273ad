import { describe, expect, it } from 'vitest';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, TestFailedError } from '@/lib/sim/patch';

const lease = { metadata: { name: 'a', labels: { x: '1', y: '2' } }, spec: { holderIdentity: 'h', leaseTransitions: 1 } };

describe('patches', () => {
  it('merge patch replaces, adds and removes with null', () => {
    expect(applyMergePatch(lease, { metadata: { labels: { x: null, z: '3' } }, spec: { holderIdentity: 'k' } })).toEqual({
      metadata: { name: 'a', labels: { y: '2', z: '3' } },
      spec: { holderIdentity: 'k', leaseTransitions: 1 },
    });
    expect(lease.metadata.labels).toEqual({ x: '1', y: '2' });
  });

  it('strategic merge patch ignores directives', () => {
    expect(applyStrategicMergePatch(lease, { $patch: 'merge', spec: { $retainKeys: ['holderIdentity'], leaseTransitions: 2 } })).toEqual({
      ...lease,
      spec: { holderIdentity: 'h', leaseTransitions: 2 },
    });
  });

  it('json patch applies operations in order without touching the input', () => {
    const result = applyJsonPatch(lease, [
      { op: 'test', path: '/spec/holderIdentity', value: 'h' },
      { op: 'replace', path: '/spec/holderIdentity', value: 'k' },
      { op: 'add', path: '/metadata/labels/a~1b', value: 'slash' },
      { op: 'remove', path: '/metadata/labels/x' },
      { op: 'copy', from: '/spec/leaseTransitions', path: '/spec/copied' },
      { op: 'move', from: '/spec/copied', path: '/spec/moved' },
    ]);
    expect(result).toEqual({ metadata: { name: 'a', labels: { y: '2', 'a/b': 'slash' } }, spec: { holderIdentity: 'k', leaseTransitions: 1, moved: 1 } });
    expect(lease.spec.holderIdentity).toBe('h');
  });

  it('json patch test failures and missing paths are errors', () => {
    expect(() => applyJsonPatch(lease, [{ op: 'test', path: '/spec/holderIdentity', value: 'other' }])).toThrow(TestFailedError);
    expect(() => applyJsonPatch(lease, [{ op: 'remove', path: '/spec/nothing' }])).toThrow(/missing/);
    expect(() => applyJsonPatch(lease, { op: 'add' })).toThrow(/array/);
  });
});
