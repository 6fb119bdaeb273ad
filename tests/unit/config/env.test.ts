import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../../lib/env';

describe('parseEnv', () => {
  it('applies documented defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', LEASETRAIL_AUTH: 'none', LEASETRAIL_DATA_DIR: '.data', EMBEDDED_PG_PORT: 0, LOG_LEVEL: 'info' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.dataDir).toBe(path.resolve('.data'));
  });

  it('treats empty values as unset', () => {
    const env = parseEnv({ DATABASE_URL: '', PORT: '' });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.PORT).toBe(3000);
  });

  it.each([
    ['postgresql://user:pass@db.internal:5432/leasetrail'],
    ['postgres://localhost/leasetrail'],
  ])('accepts DATABASE_URL %s', (url) => {
    expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
  });

  it.each([
    ['not a url'],
    ['mysql://localhost/leasetrail'],
    ['postgresql:///no-host'],
  ])('rejects DATABASE_URL %s with one line naming the variable', (url) => {
    expect(() => parseEnv({ DATABASE_URL: url })).toThrow(ConfigError);
    expect(() => parseEnv({ DATABASE_URL: url })).toThrow(/^invalid DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
  });

  it.each([['-1'], ['65536'], ['http'], ['30.5']])('rejects PORT=%s', (port) => {
    expect(() => parseEnv({ PORT: port })).toThrow(/^invalid PORT: /);
  });

  it('keeps raw renew samples 7 days and rollups 400 days unless configured, in whole days, rollups never shorter', () => {
    expect(parseEnv({})).toMatchObject({ LEASETRAIL_RETENTION_RAW_DAYS: 7, LEASETRAIL_RETENTION_ROLLUP_DAYS: 400 });
    expect(parseEnv({ LEASETRAIL_RETENTION_RAW_DAYS: '3', LEASETRAIL_RETENTION_ROLLUP_DAYS: '30' })).toMatchObject({ LEASETRAIL_RETENTION_RAW_DAYS: 3, LEASETRAIL_RETENTION_ROLLUP_DAYS: 30 });
    for (const days of ['0', '1.5', 'week', '-7']) expect(() => parseEnv({ LEASETRAIL_RETENTION_RAW_DAYS: days })).toThrow(/^invalid LEASETRAIL_RETENTION_RAW_DAYS: /);
    expect(() => parseEnv({ LEASETRAIL_RETENTION_RAW_DAYS: '30', LEASETRAIL_RETENTION_ROLLUP_DAYS: '7' })).toThrow(/^invalid LEASETRAIL_RETENTION_ROLLUP_DAYS: must be at least LEASETRAIL_RETENTION_RAW_DAYS/);
  });

  it('watches over HTTP/2 where the API server offers it unless LEASETRAIL_WATCH_HTTP2=off', () => {
    expect(parseEnv({}).LEASETRAIL_WATCH_HTTP2).toBe('auto');
    expect(parseEnv({ LEASETRAIL_WATCH_HTTP2: 'off' }).LEASETRAIL_WATCH_HTTP2).toBe('off');
    expect(() => parseEnv({ LEASETRAIL_WATCH_HTTP2: 'on' })).toThrow(/^invalid LEASETRAIL_WATCH_HTTP2: must be auto or off/);
  });

  it('rejects an unknown LOG_LEVEL', () => {
    expect(() => parseEnv({ LOG_LEVEL: 'loud' })).toThrow(/^invalid LOG_LEVEL: /);
  });
});

describe('parseEnv: access', () => {
  const oidc = { LEASETRAIL_AUTH: 'oidc', LEASETRAIL_PUBLIC_URL: 'https://leasetrail.example.com', LEASETRAIL_SESSION_SECRET: 'x'.repeat(32), OIDC_ISSUER: 'https://dex.example.com', OIDC_CLIENT_ID: 'leasetrail' };

  it('stays on loopback without authentication, and refuses another interface with one line', () => {
    expect(parseEnv({}).HOST).toBe('127.0.0.1');
    expect(parseEnv({ HOST: '::1' }).HOST).toBe('::1');
    expect(() => parseEnv({ HOST: '0.0.0.0' })).toThrow(/^refusing to listen on 0\.0\.0\.0 without authentication: set LEASETRAIL_AUTH=oidc or proxy/);
    expect(() => parseEnv({ HOST: '10.0.0.5' })).toThrow(ConfigError);
  });

  it('listens everywhere by default once authentication is configured', () => {
    expect(parseEnv(oidc).HOST).toBe('0.0.0.0');
    expect(parseEnv({ LEASETRAIL_AUTH: 'proxy', LEASETRAIL_TRUSTED_PROXIES: '10.0.0.0/8, fd00::/8' }).LEASETRAIL_TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'fd00::/8']);
  });

  it.each([
    ['OIDC_ISSUER', /^invalid OIDC_ISSUER: required when LEASETRAIL_AUTH=oidc$/],
    ['LEASETRAIL_SESSION_SECRET', /^invalid LEASETRAIL_SESSION_SECRET: required when LEASETRAIL_AUTH=oidc$/],
    ['LEASETRAIL_PUBLIC_URL', /^invalid LEASETRAIL_PUBLIC_URL: required when LEASETRAIL_AUTH=oidc$/],
  ])('names a missing %s for OIDC', (name, message) => {
    expect(() => parseEnv({ ...oidc, [name]: undefined })).toThrow(message);
  });

  it('rejects a short session secret, a bad trusted proxy and a bad secret key', () => {
    expect(() => parseEnv({ ...oidc, LEASETRAIL_SESSION_SECRET: 'short' })).toThrow(/^invalid LEASETRAIL_SESSION_SECRET: must be at least 32 characters/);
    expect(() => parseEnv({ LEASETRAIL_AUTH: 'proxy' })).toThrow(/^invalid LEASETRAIL_TRUSTED_PROXIES: required when LEASETRAIL_AUTH=proxy/);
    expect(() => parseEnv({ LEASETRAIL_AUTH: 'proxy', LEASETRAIL_TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow(/^invalid LEASETRAIL_TRUSTED_PROXIES: 10\.0\.0\.0\/33 is not an IP address or CIDR/);
    expect(() => parseEnv({ LEASETRAIL_AUTH: 'proxy', LEASETRAIL_TRUSTED_PROXIES: 'proxy.internal' })).toThrow(/is not an IP address or CIDR/);
    expect(() => parseEnv({ LEASETRAIL_SECRET_KEY: 'dG9vIHNob3J0' })).toThrow(/^invalid LEASETRAIL_SECRET_KEY: must be 32 bytes in base64/);
    expect(() => parseEnv({ LEASETRAIL_AUTH: 'ldap' })).toThrow(/^invalid LEASETRAIL_AUTH: must be one of none, oidc, proxy$/);
  });
});
