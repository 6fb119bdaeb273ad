import dns from 'node:dns';
import { describe, expect, it } from 'vitest';
import { assertChannelTargetAllowed, assertTargetAllowed, createGuardedLookup, hostnameRefusal, refusalReason, type Resolve } from '../../../lib/alerts/target-guard';

// Names resolved through a fixed table: these tests never ask a DNS server anything.
const table: Record<string, Array<{ address: string; family: number }>> = {
  'hooks.example.test': [{ address: '203.0.113.10', family: 4 }],
  'rebind.example.test': [{ address: '203.0.113.11', family: 4 }, { address: '169.254.169.254', family: 4 }],
  'v6.example.test': [{ address: 'fe80::1', family: 6 }],
  'internal.example.test': [{ address: '10.1.2.3', family: 4 }],
};
const resolve: Resolve = async (hostname) => {
  const found = table[hostname];
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return found;
};

describe('refused addresses', () => {
  it.each([
    ['169.254.169.254', /link-local/],
    ['169.254.170.2', /link-local/],
    ['100.100.100.200', /Alibaba/],
    ['168.63.129.16', /Azure/],
    ['0.0.0.0', /this network/],
    ['fe80::1', /IPv6 link-local/],
    ['[fe80::abcd]', /IPv6 link-local/],
    ['fd00:ec2::254', /AWS/],
    ['::ffff:169.254.169.254', /link-local/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['64:ff9b::a9fe:a9fe', /link-local/],
    ['::169.254.169.254', /link-local/],
    ['::a9fe:a9fe', /link-local/],
    ['[::169.254.169.254]', /link-local/],
    ['64:ff9b:1::a9fe:a9fe', /link-local/],
    ['64:ff9b:1:a9fe:a9:fe00::', /embedded in IPv6/],
    ['::ffff:0:a9fe:a9fe', /link-local/],
    ['::ffff:0:169.254.169.254', /link-local/],
    ['2002:a9fe:a9fe::1', /link-local/],
    ['2001:0:a9fe:a9fe::1', /link-local/],
    ['2001:0:4136:e378:8000:63bf:5601:5601', /link-local/],
    ['fe80::5efe:169.254.169.254', /link-local/],
    ['2001:db8::5efe:a9fe:a9fe', /link-local/],
    ['::ffff:100.100.100.200', /Alibaba/],
    ['2002:a83f:8110::', /Azure/],
  ])('refuses %s', (address, reason) => {
    expect(refusalReason(address)).toMatch(reason);
  });

  it.each(['2002:cb00:7107::1', '64:ff9b::cb00:7107', '::ffff:10.0.0.1', '2001:0:cb00:7107::1', '127.0.0.1', '::1', '10.0.0.5', '192.168.1.1', '172.16.0.1', '203.0.113.7', '2001:db8::1', '100.100.100.201'])('allows %s', (address) => {
    expect(refusalReason(address)).toBeNull();
  });

  it('refuses metadata host names before resolving them', () => {
    expect(hostnameRefusal('metadata.google.internal')).toMatch(/instance-metadata/);
    expect(hostnameRefusal('METADATA.GOOGLE.INTERNAL.')).toMatch(/instance-metadata/);
    expect(hostnameRefusal('localhost')).toBeNull();
  });
});

describe('assertTargetAllowed', () => {
  it('allows loopback and ordinary hosts, including private ranges', async () => {
    await expect(assertTargetAllowed(new URL('http://127.0.0.1:9/x'), { allowPrivateTargets: false, resolve })).resolves.toBeUndefined();
    await expect(assertTargetAllowed(new URL('https://hooks.example.test/x'), { allowPrivateTargets: false, resolve })).resolves.toBeUndefined();
    await expect(assertTargetAllowed(new URL('http://internal.example.test/x'), { allowPrivateTargets: false, resolve })).resolves.toBeUndefined();
  });

  it('refuses a literal, a name, and a name that resolves into a refused range', async () => {
    await expect(assertTargetAllowed(new URL('http://169.254.169.254/latest/meta-data/'), { allowPrivateTargets: false, resolve })).rejects.toThrow(/link-local/);
    await expect(assertTargetAllowed(new URL('http://0xa9fea9fe/'), { allowPrivateTargets: false, resolve })).rejects.toThrow(/link-local/);
    await expect(assertTargetAllowed(new URL('http://[::ffff:169.254.169.254]/'), { allowPrivateTargets: false, resolve })).rejects.toThrow(/link-local/);
    await expect(assertTargetAllowed(new URL('http://metadata.google.internal/'), { allowPrivateTargets: false, resolve })).rejects.toThrow(/instance-metadata/);
    await expect(assertTargetAllowed(new URL('http://rebind.example.test/'), { allowPrivateTargets: false, resolve })).rejects.toThrow(/rebind.example.test \(169.254.169.254\)/);
  });

  it('allows anything when the channel says allowPrivateTargets', async () => {
    await expect(assertTargetAllowed(new URL('http://169.254.169.254/'), { allowPrivateTargets: true, resolve })).resolves.toBeUndefined();
  });

  it('turns a refusal into a 400-style validation error naming config.url', async () => {
    await expect(assertChannelTargetAllowed({ url: 'http://v6.example.test/', allowPrivateTargets: false }, resolve)).rejects.toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/^invalid config.url: refusing/) });
    await expect(assertChannelTargetAllowed({ url: 'http://nowhere.example.test/', allowPrivateTargets: false }, resolve)).rejects.toThrow(/does not resolve/);
  });
});

describe('the lookup used when connecting', () => {
  function lookup(hostname: string, options: dns.LookupOptions, allowPrivateTargets = false) {
    return new Promise<{ error: Error | null; address: unknown; family?: number }>((done) =>
      createGuardedLookup({ allowPrivateTargets, resolve })(hostname, options, (error, address, family) => done({ error, address, family })),
    );
  }

  it('hands the checked address to the socket', async () => {
    expect(await lookup('hooks.example.test', {})).toEqual({ error: null, address: '203.0.113.10', family: 4 });
    expect(await lookup('hooks.example.test', { all: true })).toMatchObject({ error: null, address: [{ address: '203.0.113.10', family: 4 }] });
  });

  it('refuses a name that resolves into a refused range at connect time (DNS rebinding)', async () => {
    expect((await lookup('rebind.example.test', { all: true })).error?.name).toBe('TargetRefusedError');
    expect((await lookup('metadata.google.internal', {})).error?.name).toBe('TargetRefusedError');
    expect((await lookup('rebind.example.test', { all: true }, true)).error).toBeNull();
  });
});
