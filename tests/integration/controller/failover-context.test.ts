import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import { defaultDegradedOptions } from '../../../lib/leases/api-degraded';
import { startFleet, type ElectionProfile, type Fleet, type FleetOptions } from '../../../lib/sim';
import type { LeaseContextDto } from '../../../lib/api/context-dto';
import { getFailoverHints, getLeaseContext } from '../../../lib/store/failover-context';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, query, startController, targetsOf, waitFor } from './support';

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

const controlPlane: ElectionProfile = { ...fastProfile, component: 'kube-controller-manager', leaseName: 'kube-controller-manager', host: 'control-plane', releaseOnCancel: false };
const scheduler: ElectionProfile = { ...controlPlane, component: 'kube-scheduler', leaseName: 'kube-scheduler' };
const operator: ElectionProfile = { ...fastProfile, component: 'widget-operator', namespace: 'operators', leaseName: 'widgets', releaseOnCancel: false };
const coordinated: ElectionProfile = { ...controlPlane, component: 'kube-scheduler', leaseName: 'kube-scheduler', isCoordinated: true };

async function setUp(name: string, options: FleetOptions, leases: ElectionProfile[]): Promise<{ fleet: Fleet; db: MigratedDatabase }> {
  db = await createMigratedDatabase(name);
  fleet = await startFleet({ clusters: ['alpha'], leases, candidates: 2, seed: name, restartDelayMs: 300, ...options });
  controller = startController(db.url, targetsOf(fleet), { watcher: { ...startControllerDefaults, context: { flushMs: 50, evaluateMs: 100, recheckMs: 200, degraded: { ...defaultDegradedOptions, minOverdueMs: 1_500 } } } });
  for (const profile of leases) await waitFor(`a leader of ${profile.leaseName}`, () => fleet!.leaderOf('alpha', `${profile.namespace}/${profile.leaseName}`) ?? (profile.isCoordinated ? fleet!.cluster('alpha').apiServer.store.get(profile.namespace, profile.leaseName)?.spec.holderIdentity : undefined));
  // Every lease renewing steadily before any chaos, so the degraded detector knows their usual interval.
  await waitFor('steady renewals of every lease', async () => {
    const rows = await query<{ n: number }>(db!.url, `SELECT count(*)::int AS n FROM "Lease" l WHERE l.kind = 'election' AND (SELECT count(*) FROM "RenewSample" s WHERE s."leaseId" = l.id) >= 5`);
    return rows[0]!.n === leases.length;
  });
  return { fleet, db };
}

const startControllerDefaults = {
  flushIntervalMs: 20,
  standbyRetryMs: 200,
  readTimeoutMs: 1_000,
  deriveOptions: { ...(await import('./support')).fastDeriveOptions },
  reflector: { backoff: { initialMs: 50, maxMs: 500 }, watchdogMs: 3_000, minHealthyWatchMs: 100 },
};

function contextOf(profile: ElectionProfile): Promise<LeaseContextDto> {
  const now = Date.now();
  return getLeaseContext(db!.store, { cluster: 'alpha', namespace: profile.namespace, name: profile.leaseName }, { from: new Date(now - 3_600_000), to: new Date(now + 1_000) }, now);
}

async function failoverAfter(profile: ElectionProfile, holder: string, predicate: (context: LeaseContextDto) => boolean = () => true) {
  return waitFor(
    `the failover from ${holder} with its context`,
    async () => {
      const context = await contextOf(profile);
      const failover = context.failovers.find((entry) => entry.fromHolder === holder);
      return failover && predicate(context) ? { context, failover } : undefined;
    },
    20_000,
  );
}

describe('failover context against the simulated fleet', () => {
  it('shows an OOMKilled holder restart beside its failover, with the pod and node of each identity', async () => {
    const { fleet } = await setUp('ctx-oom', {}, [controlPlane, scheduler]);
    const lease = `${controlPlane.namespace}/${controlPlane.leaseName}`;
    const holder = fleet.leaderOf('alpha', lease)!;
    const host = holder.slice(0, holder.lastIndexOf('_'));
    await fleet.applyChaos({ op: 'oomKillLeader', cluster: 'alpha', lease, restartAfterMs: 0 });
    const { failover } = await failoverAfter(controlPlane, holder, (context) => context.failovers.find((entry) => entry.fromHolder === holder)?.hint.kind === 'container_restart');
    expect(failover.fromPod).toEqual({ identity: holder, namespace: 'kube-system', pod: `kube-controller-manager-${host}`, nodeName: host, workload: { kind: 'static pod', name: host } });
    expect(failover.hint.text).toMatch(/^previous holder's container restarted [\d.]+ s before expiry: OOMKilled \(exit 137\)$/);
    expect(failover.restarts).toEqual([expect.objectContaining({ pod: `kube-controller-manager-${host}`, reason: 'OOMKilled', exitCode: 137, restartCount: 1 })]);
    const [fromAudit] = await getFailoverHints(db!.store, [BigInt(failover.id)]);
    expect(fromAudit?.hint).toEqual(failover.hint);
  });

  it('keeps LeaderElection Events after the API server deleted them', async () => {
    const { fleet } = await setUp('ctx-events', {}, [operator]);
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    const stored = await waitFor('the became-leader Event stored', async () => (await contextOf(operator)).events.find((event) => event.message === `${holder} became leader`));
    // Written through core/v1 by the operator, delivered by the one Event watch, through events.k8s.io/v1 where served.
    expect(stored).toMatchObject({ api: 'events_k8s_io', reason: 'LeaderElection', involvedKind: 'Lease', involvedName: 'widgets', deletedAt: null });
    await fleet.expireEvents('alpha');
    const kept = await waitFor('the deletion noted', async () => (await contextOf(operator)).events.find((event) => event.id === stored.id && event.deletedAt !== null));
    expect(kept.message).toBe(`${holder} became leader`);
    expect(await fleet.cluster('alpha').apiServer.context.list('events')).toEqual([]);
  });

  it('tags the failovers inside an API server stall, and not the failover of a lone stuck holder', async () => {
    const { fleet } = await setUp('ctx-stall', {}, [controlPlane, scheduler, operator]);
    const lone = fleet.leaderOf('alpha', 'operators/widgets')!;
    await fleet.applyChaos({ op: 'pauseLeader', cluster: 'alpha', lease: 'operators/widgets', durationMs: 6_000 });
    const loneFailover = await failoverAfter(operator, lone, (context) => context.failovers.some((entry) => entry.fromHolder === lone && entry.hint.kind !== 'no_evidence'));
    expect(loneFailover.failover.hint.kind, JSON.stringify({ bands: loneFailover.context.bands, failover: loneFailover.failover })).toBe('process');
    expect(loneFailover.failover.hint.text).toMatch(/stopped renewing alone while 2 of 2 other leases of the cluster kept renewing/);

    const holders = [controlPlane, scheduler].map((profile) => fleet.leaderOf('alpha', `${profile.namespace}/${profile.leaseName}`)!);
    await fleet.applyChaos({ op: 'stallApiServer', cluster: 'alpha', durationMs: 4_000 });
    for (const [index, profile] of [controlPlane, scheduler].entries()) {
      const { failover, context } = await failoverAfter(profile, holders[index]!, (found) => found.bands.some((band) => band.endedAt !== null));
      expect(failover.hint.kind, JSON.stringify({ bands: context.bands, failover })).toBe('api_server');
      expect(failover.bands).toHaveLength(1);
      expect(context.bands[0]).toMatchObject({ reason: 'renewals_stalled' });
      expect(context.bands[0]!.stalledLeases).toBeGreaterThanOrEqual(2);
    }
    const loneAgain = (await contextOf(operator)).failovers.find((entry) => entry.fromHolder === lone);
    expect(loneAgain?.hint.kind, JSON.stringify({ loneAgain, bands: (await contextOf(operator)).bands })).toBe('process');
  });

  it('records a coordinated handover with preferredHolder as its own cause, with the ranked candidates', async () => {
    const { fleet } = await setUp('ctx-coordinated', { candidates: 3, candidateVersions: { binaryVersion: '1.34.0', emulationVersion: '1.34' } }, [coordinated]);
    const lease = () => fleet.cluster('alpha').apiServer.store.get('kube-system', 'kube-scheduler')!;
    const first = lease().spec.holderIdentity!;
    const other = fleet.candidates({ lease: 'kube-system/kube-scheduler' }).find((candidate) => candidate.identity !== first)!;
    const candidates = await waitFor('three candidates stored', async () => ((await contextOf(coordinated)).candidates.length === 3 ? (await contextOf(coordinated)).candidates : undefined));
    expect(candidates.every((candidate) => candidate.binaryVersion === '1.34.0' && candidate.rank !== null)).toBe(true);
    await fleet.applyChaos({ op: 'upgradeCandidate', cluster: 'alpha', lease: 'kube-system/kube-scheduler', host: other.host, binaryVersion: '1.34.0', emulationVersion: '1.33' });
    const marked = await waitFor('preferredHolder seen', async () => {
      const context = await contextOf(coordinated);
      return context.preferredHolder ? context : undefined;
    });
    expect(marked.strategy).toBe('OldestEmulationVersion');
    expect(marked.candidates[0]).toMatchObject({ name: marked.preferredHolder, rank: 1, emulationVersion: '1.33', why: 'first: lowest emulation version 1.33, binary 1.34.0' });
    const { failover } = await failoverAfter(coordinated, first);
    expect(failover).toMatchObject({ cause: 'preferred_holder', toHolder: marked.preferredHolder, hint: { kind: 'coordinated_handover' } });
  });

  it('says which permission is missing when pods are denied in the lease namespace only, and keeps watching the rest', async () => {
    const { fleet } = await setUp('ctx-denied', { leaseCandidateVersions: [] }, [operator, scheduler]);
    // The RoleBinding exists in kube-system only: pods of "operators" are refused, those of kube-system are not.
    fleet.cluster('alpha').apiServer.context.deny('pods', true, 'operators');
    await fleet.applyChaos({ op: 'crashLeader', cluster: 'alpha', lease: 'operators/widgets', restartAfterMs: 0 });
    const context = await waitFor('access recorded', async () => {
      const found = await contextOf(operator);
      const byResource = Object.fromEntries(found.access.map((entry) => [entry.resource, entry.access]));
      return byResource.pods === 'denied' && byResource.leasecandidates === 'absent' && byResource.events_k8s_io === 'granted' ? found : undefined;
    });
    expect(context.access.find((entry) => entry.resource === 'pods')?.detail).toMatch(/cannot list resource "pods"/);
    const elsewhere = await waitFor('kube-system access recorded', async () => {
      const found = await contextOf(scheduler);
      return found.access.some((entry) => entry.resource === 'pods') ? found : undefined;
    });
    expect(elsewhere.access.filter((entry) => entry.resource === 'pods').map((entry) => entry.access)).toEqual(['granted']);
    const rows = await query<{ n: number }>(db!.url, `SELECT count(*)::int AS n FROM "Transition"`);
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});
