import { describe, expect, it } from 'vitest';
import { LabelSelectorError, matchesLabelSelector, matchesLabelSelectorText, parseLabelSelector } from '../../../lib/leases/label-selector';
import { isLeaseInSlo } from '../../../lib/slo/scope';

describe('parseLabelSelector', () => {
  it('reads every operator kubectl accepts', () => {
    expect(parseLabelSelector('')).toEqual([]);
    expect(parseLabelSelector('  ')).toEqual([]);
    expect(parseLabelSelector('app=etcd')).toEqual([{ key: 'app', op: 'in', values: ['etcd'] }]);
    expect(parseLabelSelector('app==etcd')).toEqual([{ key: 'app', op: 'in', values: ['etcd'] }]);
    expect(parseLabelSelector('app!=etcd')).toEqual([{ key: 'app', op: 'notin', values: ['etcd'] }]);
    expect(parseLabelSelector('tier in (a, b,a)')).toEqual([{ key: 'tier', op: 'in', values: ['a', 'b'] }]);
    expect(parseLabelSelector('tier notin (a)')).toEqual([{ key: 'tier', op: 'notin', values: ['a'] }]);
    expect(parseLabelSelector('app')).toEqual([{ key: 'app', op: 'exists' }]);
    expect(parseLabelSelector('!app')).toEqual([{ key: 'app', op: 'doesnotexist' }]);
    expect(parseLabelSelector('replicas>2,shard<10')).toEqual([
      { key: 'replicas', op: 'gt', value: 2 },
      { key: 'shard', op: 'lt', value: 10 },
    ]);
    expect(parseLabelSelector('app.kubernetes.io/name=kube-scheduler, !canary ,env')).toEqual([
      { key: 'app.kubernetes.io/name', op: 'in', values: ['kube-scheduler'] },
      { key: 'canary', op: 'doesnotexist' },
      { key: 'env', op: 'exists' },
    ]);
  });

  it('takes an empty value as kubectl does', () => {
    expect(parseLabelSelector('app=')).toEqual([{ key: 'app', op: 'in', values: [''] }]);
    expect(parseLabelSelector('app=,b')).toEqual([
      { key: 'app', op: 'in', values: [''] },
      { key: 'b', op: 'exists' },
    ]);
    expect(parseLabelSelector('a in (x,)')).toEqual([{ key: 'a', op: 'in', values: ['x', ''] }]);
  });

  it.each([
    ['a in ()', /"in" needs at least one value/],
    ['a in x', /expected "\(" after "in"/],
    ['a in (x', /expected "," or "\)" in the value list, found the end/],
    ['a=b=c', /expected "," between requirements/],
    ['a,', /must not end with ","/],
    [',a', /expected a label key, found ","/],
    ['!a=b', /"!a" takes no operator or value/],
    ['a>b', /">" needs a whole number/],
    ['a b', /expected one of =, ==, !=, in, notin, <, > or ","/],
    ['-a=b', /invalid label key "-a"/],
    ['Example.com/a=b', /prefix must be a lowercase DNS subdomain/],
    ['a/b/c=d', /at most one "\/"/],
    ['/a=b', /prefix before "\/" must not be empty/],
    [`${'k'.repeat(64)}=v`, /name part must be at most 63 characters/],
    [`a=${'v'.repeat(64)}`, /invalid label value .* at most 63 characters/],
    ['a=b-', /invalid label value "b-"/],
    ['a=(b)', /expected a value after "=", found "\("/],
  ])('refuses %j with a clear message', (text, message) => {
    expect(() => parseLabelSelector(text)).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector(text)).toThrow(message);
  });

  it('says where the problem is', () => {
    expect(() => parseLabelSelector('app=etcd,tier in ()')).toThrow('invalid label selector "app=etcd,tier in ()": "in" needs at least one value at position 18');
  });
});

describe('matchesLabelSelector', () => {
  const labels = { app: 'etcd', tier: 'control-plane', replicas: '3' };
  it.each([
    ['', true],
    ['app=etcd', true],
    ['app=other', false],
    ['app!=other', true],
    ['missing!=x', true],
    ['missing=x', false],
    ['tier in (control-plane,data)', true],
    ['tier notin (control-plane)', false],
    ['missing notin (x)', true],
    ['missing in (x)', false],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['replicas>2', true],
    ['replicas<3', false],
    ['app>1', false],
    ['missing<1', false],
    ['app=etcd,!missing,tier', true],
    ['app=etcd,missing', false],
  ])('%j on app=etcd,tier=control-plane,replicas=3 is %s', (text, expected) => {
    expect(matchesLabelSelector(parseLabelSelector(text), labels)).toBe(expected);
  });

  it('matches nothing for an invalid selector rather than everything', () => {
    expect(matchesLabelSelectorText('a in ()', {})).toBe(false);
  });

  it('scopes an SLO by globs and labels together', () => {
    const slo = { clusterPattern: 'prod-*', namespacePattern: '*', leasePattern: '*', labelSelector: 'tier=control-plane' };
    expect(isLeaseInSlo(slo, { cluster: 'prod-1', namespace: 'kube-system', name: 'x', labels: { tier: 'control-plane' } })).toBe(true);
    expect(isLeaseInSlo(slo, { cluster: 'prod-1', namespace: 'kube-system', name: 'x', labels: {} })).toBe(false);
    expect(isLeaseInSlo(slo, { cluster: 'dev-1', namespace: 'kube-system', name: 'x', labels: { tier: 'control-plane' } })).toBe(false);
  });
});
