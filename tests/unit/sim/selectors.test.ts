import { describe, expect, it } from 'vitest';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from '@/lib/sim/selectors';
import { ApiError } from '@/lib/sim/status';

const labels = { app: 'web', tier: 'frontend', 'k8s.io/component': 'kube-apiserver', replicas: '3' };

describe('label selectors', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app=db', false],
    ['app in (db, web)', true],
    ['app notin (db,web)', false],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['missing!=x', true],
    ['k8s.io/component=kube-apiserver,tier=frontend', true],
    ['replicas>2', true],
    ['replicas<3', false],
    ['app=', false],
  ])('%s matches: %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it('treats no labels as an empty set', () => {
    expect(matchesLabels(parseLabelSelector('!app'), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector('app'), undefined)).toBe(false);
  });

  it.each(['app in db', 'app=(x', '=x', 'app=web,,tier', 'app in (a b)', 'bad key!/x=1'])('rejects %s with a 400', (selector) => {
    try {
      parseLabelSelector(selector);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(400);
    }
  });
});

describe('field selectors', () => {
  it('supports metadata.name and metadata.namespace', () => {
    const meta = { name: 'kube-scheduler', namespace: 'kube-system' };
    expect(matchesFields(parseFieldSelector('metadata.name=kube-scheduler'), meta)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.name==kube-scheduler,metadata.namespace!=default'), meta)).toBe(true);
    expect(matchesFields(parseFieldSelector('metadata.namespace=default'), meta)).toBe(false);
  });

  it('rejects other fields as the apiserver does', () => {
    expect(() => parseFieldSelector('spec.holderIdentity=a')).toThrow('field label not supported: spec.holderIdentity');
  });
});
