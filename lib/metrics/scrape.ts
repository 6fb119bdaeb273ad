import { timingSafeEqual } from 'node:crypto';
import { Registry } from 'prom-client';
import type { Store } from '../store/client';
import { collectLeaseSignals } from './lease-signals';
import { getRegistry } from './registry';
import { collectProcessMetrics } from './thread-metrics';

export type ScrapeResult = { status: number; body: string; contentType: string };

// With LEASETRAIL_METRICS_TOKEN set, a scrape must present it as a bearer token.
export function isScrapeAuthorised(token: string | undefined, authorization: string | null): boolean {
  if (!token) return true;
  const presented = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!presented) return false;
  const expected = Buffer.from(token);
  const actual = Buffer.from(presented);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

// Process and controller metrics of this process (all its threads), plus lease signals from PostgreSQL when a store is given.
export async function renderMetrics(store: Store | undefined, now: Date, maxLeaseSeries?: number): Promise<string> {
  if (!store) return (await collectProcessMetrics()).metrics();
  const [own, signals] = await Promise.all([collectProcessMetrics(), collectLeaseSignals(store.pool, now, maxLeaseSeries)]);
  return Registry.merge([own, signals]).metrics();
}

export const metricsContentType = getRegistry().contentType;
