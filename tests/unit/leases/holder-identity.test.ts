import { describe, expect, it } from 'vitest';
import { getHolderHost, isHolderRestart } from '@/lib/leases';

describe('getHolderHost', () => {
  it('splits a client-go identity on the last underscore', () => {
    expect(getHolderHost('cp-1.example.com_6f0f3c1e-8d7a-4c1b-9a43-5b2f0e3d9c11')).toBe('cp-1.example.com');
  });

  it('keeps earlier underscores in the host part', () => {
    expect(getHolderHost('odd_host_abc')).toBe('odd_host');
  });

  it.each(['worker-7', '_abc', 'host_'])('finds no host in %j', (identity) => {
    expect(getHolderHost(identity)).toBeNull();
  });
});

describe('isHolderRestart', () => {
  it('flags two identities on the same host', () => {
    expect(isHolderRestart('cp-1_aaaa', 'cp-1_bbbb')).toBe(true);
  });

  it('does not flag identities on different hosts', () => {
    expect(isHolderRestart('cp-1_aaaa', 'cp-2_aaaa')).toBe(false);
  });

  it('does not flag the same identity', () => {
    expect(isHolderRestart('cp-1_aaaa', 'cp-1_aaaa')).toBe(false);
  });

  it('does not flag identities without an underscore', () => {
    expect(isHolderRestart('cp-1', 'cp-1-other')).toBe(false);
  });

  it('does not flag a missing side', () => {
    expect(isHolderRestart(null, 'cp-1_aaaa')).toBe(false);
    expect(isHolderRestart('cp-1_aaaa', null)).toBe(false);
  });
});
