import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../../lib/env';

describe('parseEnv', () => {
  it('applies documented defaults', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', LEASETRAIL_DATA_DIR: '.data', EMBEDDED_PG_PORT: 0, LOG_LEVEL: 'info' });
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

  it('rejects an unknown LOG_LEVEL', () => {
    expect(() => parseEnv({ LOG_LEVEL: 'loud' })).toThrow(/^invalid LOG_LEVEL: /);
  });
});
