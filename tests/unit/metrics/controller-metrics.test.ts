import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureLeaseSeries, forgetLeaseSeries, recordRenewal } from '@/lib/metrics/controller-metrics';
import { getRegistry } from '@/lib/metrics/registry';
import type { LeaseKey } from '@/lib/leases/types';

// Each test writes to clusters of its own name: the registry is the process's.
let cluster = '';
let run = 0;
beforeEach(() => {
  run += 1;
  cluster = `series-cap-${run}`;
});

// The cap counts the leases of the whole thread: each test gives back the places its leases took.
const used: LeaseKey[] = [];
afterEach(() => {
  for (const key of used.splice(0)) forgetLeaseSeries(key);
});

const election = (name: string, namespace = 'payments'): LeaseKey => {
  const key = { cluster, namespace, name };
  used.push(key);
  return key;
};

async function countsByLease(metric: string): Promise<Record<string, number>> {
  const json = await getRegistry().getMetricsAsJSON();
  const values = json.find((entry) => entry.name === metric)?.values ?? [];
  const counts: Record<string, number> = {};
  for (const value of values) {
    if (value.labels.cluster !== cluster || (value as { metricName?: string }).metricName !== `${metric}_count`) continue;
    counts[`${String(value.labels.namespace)}/${String(value.labels.lease)}`] = value.value;
  }
  return counts;
}

async function capped(): Promise<number> {
  const json = await getRegistry().getMetricsAsJSON();
  return json.find((entry) => entry.name === 'leasetrail_controller_lease_series_capped')?.values[0]?.value ?? 0;
}

describe('per-lease renewal series under the cap', () => {
  it('gives the first election leases series of their own and records the rest in lease="" of their namespace', async () => {
    configureLeaseSeries(2);
    for (const name of ['alpha', 'beta', 'gamma', 'delta']) recordRenewal(election(name), 2_000, 15);
    recordRenewal(election('alpha'), 2_000, 15);
    expect(await countsByLease('leasetrail_lease_renew_interval_seconds')).toEqual({ 'payments/alpha': 2, 'payments/beta': 1, 'payments/': 2 });
    expect(await countsByLease('leasetrail_lease_observation_lag_seconds')).toEqual({ 'payments/alpha': 2, 'payments/beta': 1, 'payments/': 2 });
    expect(await capped()).toBe(2);
  });

  it('frees a deleted lease’s place and series: the next new lease gets its own', async () => {
    configureLeaseSeries(1);
    recordRenewal(election('alpha'), 2_000, null);
    recordRenewal(election('beta'), 2_000, null);
    expect(await countsByLease('leasetrail_lease_renew_interval_seconds')).toEqual({ 'payments/alpha': 1, 'payments/': 1 });
    forgetLeaseSeries(election('alpha'));
    forgetLeaseSeries(election('beta'));
    expect(await capped()).toBe(0);
    recordRenewal(election('gamma'), 2_000, null);
    expect(await countsByLease('leasetrail_lease_renew_interval_seconds')).toEqual({ 'payments/gamma': 1, 'payments/': 1 });
  });

  it('never breaks node heartbeats out per lease, whatever the cap', async () => {
    configureLeaseSeries(10);
    recordRenewal({ cluster, namespace: 'kube-node-lease', name: 'node-1' }, 10_000, 5);
    recordRenewal({ cluster, namespace: 'kube-node-lease', name: 'node-2' }, 10_000, 5);
    expect(await countsByLease('leasetrail_lease_renew_interval_seconds')).toEqual({ 'kube-node-lease/': 2 });
  });

  it('with a cap of 0, records every election lease in the shared series', async () => {
    configureLeaseSeries(0);
    recordRenewal(election('alpha', 'kube-system'), 2_000, 5);
    expect(await countsByLease('leasetrail_lease_renew_interval_seconds')).toEqual({ 'kube-system/': 1 });
  });
});
