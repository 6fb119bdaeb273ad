import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import { renderMetrics } from '../../../lib/metrics/scrape';
import { startFleet, type Fleet } from '../../../lib/sim';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, startController, targetsOf, waitFor } from '../controller/support';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

// `name{labels} value` lines of one metric, as Prometheus would scrape them.
function counts(text: string, cluster: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^leasetrail_lease_renew_interval_seconds_count\{(.*)\} (\S+)$/.exec(line);
    if (!match || !match[1]!.includes(`cluster="${cluster}"`)) continue;
    found.set(/lease="([^"]*)"/.exec(match[1]!)?.[1] ?? '?', Number(match[2]));
  }
  return found;
}

describe('the per-lease series cap of a running controller', () => {
  it('breaks out only as many election leases as the cap allows; the rest are counted in lease="" of their namespace', { timeout: 120_000 }, async () => {
    db = await createMigratedDatabase('lease_series_cap');
    fleet = await startFleet({ clusters: ['cap-one', 'cap-two'], leases: [fastProfile], candidates: 2, seed: 31, restartDelayMs: null });
    controller = startController(db.url, targetsOf(fleet), { maxLeaseSeries: 1 });

    const seen = await waitFor('renewals of both clusters recorded', async () => {
      const text = await renderMetrics(undefined, new Date());
      const one = counts(text, 'cap-one');
      const two = counts(text, 'cap-two');
      return one.size > 0 && two.size > 0 ? { one, two, text } : undefined;
    }, 60_000);

    // One lease (whichever renewed first) has its own series; the other cluster's lease shares lease="".
    const own = [seen.one, seen.two].filter((found) => found.has(fastProfile.leaseName));
    const shared = [seen.one, seen.two].filter((found) => found.has(''));
    expect(own).toHaveLength(1);
    expect(shared).toHaveLength(1);
    expect([...own[0]!.keys()]).toEqual([fastProfile.leaseName]);
    expect([...shared[0]!.keys()]).toEqual(['']);
    expect(seen.text).toMatch(/^leasetrail_controller_lease_series_capped 1$/m);
  });
});
