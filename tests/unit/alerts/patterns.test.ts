import { describe, expect, it } from 'vitest';
import { globToLike, isExcluded, isInScope, matchesGlob, parseExcludePattern, parseSubjectKey, subjectKeyOf } from '../../../lib/alerts/patterns';
import { lease } from './factory';

const everything = { clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludePatterns: [] };

describe('globs', () => {
  it.each([
    ['*', 'anything/at all', true],
    ['prod-*', 'prod-eu', true],
    ['prod-*', 'staging', false],
    ['kube-?cheduler', 'kube-scheduler', true],
    ['a.b', 'axb', false],
    ['8d2ae5b9.widgets.example.com', '8d2ae5b9.widgets.example.com', true],
    ['(x)', '(x)', true],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(matchesGlob(pattern, value)).toBe(expected);
  });
});

describe('scope', () => {
  it('matches lease subjects on all three patterns', () => {
    expect(isInScope({ ...everything, namespacePattern: 'kube-*' }, lease())).toBe(true);
    expect(isInScope({ ...everything, namespacePattern: 'cert-*' }, lease())).toBe(false);
    expect(isInScope({ ...everything, namePattern: 'kube-controller-manager' }, lease())).toBe(false);
  });

  it('matches a cluster subject on the cluster pattern only', () => {
    const cluster = { cluster: 'prod-eu', namespace: null, name: null };
    expect(isInScope({ ...everything, namePattern: 'kube-scheduler' }, cluster)).toBe(true);
    expect(isInScope({ ...everything, clusterPattern: 'staging' }, cluster)).toBe(false);
  });

  it('reads exclusions as cluster, cluster/namespace or cluster/namespace/name', () => {
    expect(parseExcludePattern('prod')).toEqual({ cluster: 'prod', namespace: '*', name: '*' });
    expect(parseExcludePattern('prod/kube-system')).toEqual({ cluster: 'prod', namespace: 'kube-system', name: '*' });
    expect(parseExcludePattern('arn:aws:eks:eu:1:cluster/prod/kube-system/x')).toEqual({ cluster: 'arn:aws:eks:eu:1:cluster/prod', namespace: 'kube-system', name: 'x' });
    expect(isExcluded(['*/*/kube-scheduler'], lease())).toBe(true);
    expect(isExcluded(['*/cert-manager'], lease())).toBe(false);
    expect(isExcluded(['prod-*'], lease())).toBe(true);
  });

  it('excludes a whole cluster from a stale-data rule only with a cluster-wide exclusion', () => {
    const cluster = { cluster: 'prod-eu', namespace: null, name: null };
    expect(isExcluded(['prod-eu'], cluster)).toBe(true);
    expect(isExcluded(['prod-eu/kube-system'], cluster)).toBe(false);
  });
});

describe('subject keys', () => {
  it('round-trip, reading cluster names with slashes from the right', () => {
    const subject = lease('kube-scheduler', 'arn:aws:eks:eu-west-1:1:cluster/prod');
    expect(parseSubjectKey(subjectKeyOf(subject), 'flapping')).toEqual(subject);
    expect(parseSubjectKey('arn:x/cluster', 'stale_data')).toEqual({ cluster: 'arn:x/cluster', namespace: null, name: null });
  });
});

describe('globToLike', () => {
  it('turns * and ? into % and _ and keeps LIKE wildcards and the escape literal', () => {
    expect(globToLike('*')).toBe('%');
    expect(globToLike('kube-?ched*')).toBe('kube-_ched%');
    expect(globToLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });
});
