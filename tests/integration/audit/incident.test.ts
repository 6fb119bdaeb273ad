import { afterEach, describe, expect, it } from 'vitest';
import { GET as getFailovers } from '../../../app/api/failovers/route';
import type { FailoverDto, FailoversResponse } from '../../../lib/api/audit-dto';
import { failoverCsvColumns } from '../../../lib/audit/csv';
import { getFailoverAudit, type FailoverRecord } from '../../../lib/store/failovers';
import { createKubeConfig, startFleet, type Fleet, type LeadershipChange } from '../../../lib/sim';
import { fastProfile, query, startController, storedTransitions, waitFor } from '../controller/support';
import { createMigratedDatabase } from '../helpers/database';
import { startPartitionProxy } from '../helpers/partition-proxy';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { callText, expectedCsvRows, parseCsvRecords } from './support';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const profiles = ['alpha-operator', 'beta-operator', 'gamma-operator'].map((name) => ({ ...fastProfile, component: name, leaseName: name }));
const keyOf = (name: string) => `${fastProfile.namespace}/${name}`;
const [alpha, beta, gamma] = profiles.map((profile) => profile.leaseName) as [string, string, string];

type Expected = Pick<FailoverRecord, 'cluster' | 'namespace' | 'name' | 'fromHolder' | 'toHolder' | 'cause' | 'missedCount' | 'leaseTransitions'> & { at: number };

// The fleet's own record of every change of leader, as Leasetrail should have stored it: what happened
// while a cluster was not watched collapses, per lease, into one acquisition of unknown cause that
// counts the changes nobody saw.
function expectedFailovers(fleet: Fleet, blind: { cluster: string; from: number; to: number }): Expected[] {
  const acquisitions = fleet.groundTruth.changes().filter((change) => change.cause === 'after-expiry' || change.cause === 'after-release');
  const isBlind = (change: LeadershipChange) => change.cluster === blind.cluster && change.at >= blind.from && change.at <= blind.to;
  const seen: Expected[] = acquisitions
    .filter((change) => !isBlind(change))
    .map((change) => ({
      cluster: change.cluster,
      namespace: change.namespace,
      name: change.name,
      fromHolder: change.from || null,
      toHolder: change.to,
      cause: change.cause === 'after-expiry' ? 'expiry' : 'release',
      missedCount: 0,
      leaseTransitions: change.leaseTransitions,
      at: change.at,
    }));
  const unseen = new Map<string, LeadershipChange[]>();
  for (const change of acquisitions.filter(isBlind)) unseen.set(change.name, [...(unseen.get(change.name) ?? []), change]);
  const collapsed: Expected[] = [...unseen.values()].map((changes) => {
    const last = changes.at(-1)!;
    // Leasetrail knew who led when it went blind: the collapsed acquisition is from that holder.
    return { cluster: last.cluster, namespace: last.namespace, name: last.name, fromHolder: changes[0]!.from || null, toHolder: last.to, cause: 'unknown', missedCount: changes.length - 1, leaseTransitions: last.leaseTransitions, at: last.at };
  });
  return [...seen, ...collapsed];
}

const byKey = <T extends { cluster: string; name: string; leaseTransitions: number | null }>(items: T[]) =>
  [...items].sort((a, b) => `${a.cluster}/${a.name}`.localeCompare(`${b.cluster}/${b.name}`) || (a.leaseTransitions ?? 0) - (b.leaseTransitions ?? 0));

// The fleet's electors cannot tell an expiry from an early takeover: client-go compares records to the
// whole second, so a candidate may take over up to a second before the old renewTime + leaseDuration,
// which Leasetrail rightly reports as early. Either is the fleet's "after-expiry".
const comparable = ({ at: _at, cause, ...rest }: Expected) => ({ ...rest, cause: cause === 'early_takeover' ? 'expiry' : cause });

describe('the failover audit of a scripted incident', () => {
  it('lists exactly the fleet’s failovers, finds the burst across clusters, shows the blind spot and exports the same as CSV', { timeout: 120_000 }, async () => {
    const startedAt = Date.now();
    const db = await createMigratedDatabase('audit_incident');
    cleanups.push(db.drop);
    cleanups.push(pointRoutesAtStore(db.store));
    const fleet = await startFleet({ clusters: ['east', 'west'], leases: profiles, candidates: 3, seed: 'audit-incident', restartDelayMs: null });
    cleanups.push(() => fleet.stop());
    const proxy = await startPartitionProxy(fleet.cluster('west').url);
    cleanups.push(proxy.close);
    const east = fleet.cluster('east');
    const controller = startController(db.url, [
      { name: 'east', source: 'simulated', server: east.url, kubeConfig: east.kubeConfig },
      { name: 'west', source: 'simulated', server: proxy.url, kubeConfig: createKubeConfig({ name: 'west', url: proxy.url }) },
    ]);
    cleanups.push(() => controller.stop());

    const isStored = async (cluster: string, name: string, holder: string | undefined) =>
      holder !== undefined && (await storedTransitions(db.url, cluster, name)).some((t) => t.kind === 'acquired' && t.toHolder === holder);
    for (const cluster of ['east', 'west']) {
      for (const name of [alpha, beta, gamma]) {
        await waitFor(`the first leader of ${cluster}/${name} stored`, async () => isStored(cluster, name, fleet.leaderOf(cluster, keyOf(name))), 20_000);
      }
    }

    // The incident: four leaders in two clusters crash within milliseconds of each other.
    const crashed = [
      ['east', alpha],
      ['east', beta],
      ['west', alpha],
      ['west', beta],
    ] as const;
    const before = new Map(crashed.map(([cluster, name]) => [`${cluster}/${name}`, fleet.leaderOf(cluster, keyOf(name))]));
    for (const [cluster, name] of crashed) expect((await fleet.crashLeader(cluster, keyOf(name))).applied).toBe(true);
    const takeovers = await waitFor(
      'four takeovers in the fleet',
      async () => {
        const found = crashed.map(([cluster, name]) => fleet.groundTruth.changes({ cluster, name }).find((c) => c.cause === 'after-expiry' && c.from === before.get(`${cluster}/${name}`)));
        return found.every(Boolean) ? (found as LeadershipChange[]) : undefined;
      },
      20_000,
    );
    for (const takeover of takeovers) await waitFor(`the takeover of ${takeover.cluster}/${takeover.name} stored`, () => isStored(takeover.cluster, takeover.name, takeover.to), 20_000);

    // The blind spot: west's watch is cut while gamma fails over twice and the history is compacted.
    const gammaChanges = () => fleet.groundTruth.changes({ cluster: 'west', name: gamma }).filter((c) => c.cause !== 'released');
    const partitionedAt = Date.now();
    proxy.partition();
    for (const round of ['first', 'second']) {
      // A new holder believes it leads only once its first renewal went through: crash it after that.
      const holder = gammaChanges().at(-1)!.to;
      await waitFor(`${holder} leading before the ${round} crash`, async () => fleet.leaderOf('west', keyOf(gamma)) === holder, 10_000);
      expect((await fleet.crashLeader('west', keyOf(gamma))).applied).toBe(true);
      await waitFor(`the ${round} takeover while blind`, async () => gammaChanges().at(-1)!.from === holder, 20_000);
    }
    await fleet.compactHistory('west');
    const healedAt = Date.now();
    proxy.heal();
    const latest = gammaChanges().at(-1)!;
    await waitFor('the holder after the blind spot stored', () => isStored('west', gamma, latest.to), 30_000);
    await waitFor('the blind spot closed', async () => (await query(db.url, `SELECT 1 FROM "ObservationGap" WHERE "endedAt" IS NOT NULL`)).length > 0, 20_000);

    const range = { from: new Date(startedAt - 60_000), to: new Date(Date.now() + 1_000) };
    const blind = { cluster: 'west', from: partitionedAt, to: healedAt };
    let last: { actual: Expected[]; expected: Expected[] } | undefined;
    const audit = await waitFor(
      'the audit to hold every failover of the fleet',
      async () => {
        const result = await getFailoverAudit(db.store, { range, limit: 10_000, burstGapMs: 60_000, now: new Date() });
        const actual = byKey(
          result.failovers.map((f) => ({
            cluster: f.cluster,
            namespace: f.namespace,
            name: f.name,
            fromHolder: f.fromHolder,
            toHolder: f.toHolder,
            cause: f.cause,
            missedCount: f.missedCount,
            leaseTransitions: f.leaseTransitions,
            at: f.at.getTime(),
          })),
        );
        last = { actual, expected: byKey(expectedFailovers(fleet, blind)) };
        return JSON.stringify(last.actual.map(comparable)) === JSON.stringify(last.expected.map(comparable)) ? result : undefined;
      },
      20_000,
    ).catch(() => undefined);
    expect(last!.actual.map(comparable)).toEqual(last!.expected.map(comparable));
    expect(audit).toBeDefined();
    // Stored times are the new holder's acquireTime; the fleet notes the moment its write returned.
    for (const [index, expected] of last!.expected.entries()) expect(Math.abs(last!.actual[index]!.at - expected.at)).toBeLessThan(1_500);

    const unknown = audit!.failovers.filter((f) => f.cause === 'unknown');
    expect(unknown.map((f) => [f.cluster, f.name, f.toHolder, f.missedCount])).toEqual([['west', gamma, latest.to, 1]]);

    const [gap, ...otherGaps] = audit!.gaps;
    expect(otherGaps).toEqual([]);
    // The expiry that fell due while west was cut could not be confirmed by a read: the gap opened then.
    expect(gap).toMatchObject({ cluster: 'west', reason: 'watch_lost' });
    expect(gap!.startedAt.getTime()).toBeLessThanOrEqual(partitionedAt + 250);
    expect(gap!.endedAt!.getTime()).toBeGreaterThanOrEqual(healedAt);

    const incidentIds = audit!.failovers.filter((f) => takeovers.some((t) => t.cluster === f.cluster && t.name === f.name && t.to === f.toHolder)).map((f) => f.id.toString());
    expect(incidentIds).toHaveLength(4);
    const burst = audit!.bursts[0]!;
    expect(burst.failoverIds).toEqual(expect.arrayContaining(incidentIds));
    expect(burst.clusters).toEqual(['east', 'west']);
    expect(burst.leases).toEqual(expect.arrayContaining(crashed.map(([cluster, name]) => `${cluster}/kube-system/${name}`)));
    // The blind spot's takeover may chain onto the burst (it follows within W): the burst spans at least the incident.
    const incidentTimes = audit!.failovers.filter((f) => incidentIds.includes(f.id.toString())).map((f) => f.at.getTime());
    expect(burst.start).toBeLessThanOrEqual(Math.min(...incidentTimes));
    expect(burst.end).toBeGreaterThanOrEqual(Math.max(...incidentTimes));

    for (const lease of audit!.leases) {
      expect(lease.ledMs + lease.leaderlessMs + lease.unknownMs, `${lease.cluster}/${lease.name} adds up`).toBe(lease.windowMs);
      // Before Leasetrail first saw it, no lease was observed.
      expect(lease.unknownMs).toBeGreaterThan(0);
      if (lease.cluster === 'west') expect(lease.unknownMs).toBeGreaterThanOrEqual(healedAt - partitionedAt);
    }
    for (const name of [alpha, beta]) {
      const lease = audit!.leases.find((l) => l.cluster === 'east' && l.name === name)!;
      const failovers = audit!.failovers.filter((f) => f.cluster === 'east' && f.name === name);
      expect(lease.failovers).toBe(failovers.length);
      expect(lease.leaderlessMs).toBe(failovers.reduce((sum, f) => sum + (f.leaderlessMs ?? 0), 0));
      expect(lease.longestLeaderlessMs).toBe(Math.max(...failovers.map((f) => f.leaderlessMs ?? 0)));
    }
    const westGamma = audit!.leases.find((l) => l.cluster === 'west' && l.name === gamma)!;
    expect(westGamma).toMatchObject({ failovers: 1, missed: 1 });

    // The route answers the same audit as JSON, and as a CSV that a strict RFC 4180 reader accepts.
    const window = `from=${range.from.toISOString()}&to=${range.to.toISOString()}`;
    const json = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    expect(json.status).toBe(200);
    expect(byKey(json.body.failovers).map((f: FailoverDto) => [f.cluster, f.name, f.toHolder, f.cause, f.missedCount])).toEqual(
      byKey(audit!.failovers).map((f) => [f.cluster, f.name, f.toHolder, f.cause, f.missedCount]),
    );
    expect(json.body.gaps.map((g) => g.id)).toEqual([gap!.id.toString()]);
    const csv = await callText(getFailovers, `/api/failovers?${window}&format=csv`);
    expect(csv.status).toBe(200);
    const { header, rows } = parseCsvRecords(csv.text);
    expect(header).toEqual([...failoverCsvColumns]);
    expect(rows).toEqual(expectedCsvRows(json.body.failovers, json.body.bursts));
  });
});
