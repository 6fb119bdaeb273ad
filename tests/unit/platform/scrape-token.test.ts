import { describe, expect, it } from 'vitest';
import { isScrapeAuthorised } from '@/lib/metrics/scrape';

describe('isScrapeAuthorised', () => {
  const token = 'a-scrape-token-of-enough-length';

  it('lets every scrape through when no token is configured', () => {
    expect(isScrapeAuthorised(undefined, null)).toBe(true);
  });

  it('accepts exactly the configured bearer token', () => {
    expect(isScrapeAuthorised(token, `Bearer ${token}`)).toBe(true);
    expect(isScrapeAuthorised(token, `bearer ${token}`)).toBe(true);
  });

  it.each([null, '', token, `Basic ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, 'Bearer '])('refuses %j', (header) => {
    expect(isScrapeAuthorised(token, header)).toBe(false);
  });
});
