import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/env';
import { defaultWatchConfig, matchesFilter, parseWatchConfig } from '../../../lib/kube/watch-config';

describe('matchesFilter', () => {
  it('includes everything when the include list is empty', () => {
    expect(matchesFilter('prod-eu', { include: [], exclude: [] })).toBe(true);
  });

  it('matches globs in include and lets exclude win', () => {
    const filter = { include: ['prod-*', 'staging'], exclude: ['*-sandbox'] };
    expect(matchesFilter('prod-eu', filter)).toBe(true);
    expect(matchesFilter('staging', filter)).toBe(true);
    expect(matchesFilter('staging-2', filter)).toBe(false);
    expect(matchesFilter('prod-sandbox', filter)).toBe(false);
  });

  it('treats regex characters in names literally', () => {
    expect(matchesFilter('a.b', { include: ['a.b'], exclude: [] })).toBe(true);
    expect(matchesFilter('axb', { include: ['a.b'], exclude: [] })).toBe(false);
  });
});

describe('parseWatchConfig', () => {
  it('reads YAML with defaults for what is left out', () => {
    const config = parseWatchConfig('contexts:\n  include: ["prod-*"]\nnodeHeartbeats: true\n', 'leasetrail.yaml');
    expect(config).toEqual({ ...defaultWatchConfig, contexts: { include: ['prod-*'], exclude: [] }, nodeHeartbeats: true });
  });

  it('reads JSON too', () => {
    expect(parseWatchConfig('{"leases": {"exclude": ["kube-node-lease-*"]}}', 'c.json').leases.exclude).toEqual(['kube-node-lease-*']);
  });

  it('treats an empty file as all defaults', () => {
    expect(parseWatchConfig('', 'empty.yaml')).toEqual(defaultWatchConfig);
  });

  it('names the file and the field of a bad value', () => {
    expect(() => parseWatchConfig('nodeHeartbeats: maybe\n', 'leasetrail.yaml')).toThrow(ConfigError);
    expect(() => parseWatchConfig('nodeHeartbeats: maybe\n', 'leasetrail.yaml')).toThrow(/^leasetrail.yaml: nodeHeartbeats: /);
  });

  it('rejects unknown keys instead of ignoring a typo', () => {
    expect(() => parseWatchConfig('context:\n  include: [a]\n', 'leasetrail.yaml')).toThrow(/^leasetrail.yaml: top level: .*context/);
  });

  it('rejects text that is not YAML', () => {
    expect(() => parseWatchConfig('contexts: [unclosed', 'broken.yaml')).toThrow(/^broken.yaml: not valid YAML or JSON: /);
  });
});
