import { afterEach, describe, expect, it } from 'vitest';
import type { Controller } from '../../../lib/kube/controller';
import type { LeaseContextDto } from '../../../lib/api/context-dto';
import { startFleet, type ElectionProfile, type Fleet } from '../../../lib/sim';
import { getLeaseContext } from '../../../lib/store/failover-context';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { fastProfile, fastWatcherOptions, startController, targetsOf, waitFor } from './support';

// Events are watched through ONE of their two APIs (kube-apiserver serves the same Event objects through both):
// events.k8s.io/v1 where it is served and allowed, core/v1 otherwise, and back to events.k8s.io/v1 once allowed.

let fleet: Fleet | undefined;
let controller: Controller | undefined;
let db: MigratedDatabase | undefined;

afterEach(async () => {
  await controller?.stop();
  await fleet?.stop();
  await db?.drop();
  controller = fleet = db = undefined;
});

// An operator records its LeaderElection Events through core/v1, the control plane through events.k8s.io/v1.
const operator: ElectionProfile = { ...fastProfile, component: 'widget-operator', namespace: 'operators', leaseName: 'widgets', releaseOnCancel: false };
const scheduler: ElectionProfile = { ...fastProfile, component: 'kube-scheduler', leaseName: 'kube-scheduler', host: 'control-plane', releaseOnCancel: false };

async function setUp(name: string, before: (fleet: Fleet) => void = () => undefined): Promise<Fleet> {
  db = await createMigratedDatabase(name);
  fleet = await startFleet({ clusters: ['alpha'], leases: [operator, scheduler], candidates: 2, seed: name, restartDelayMs: 300, leaseCandidateVersions: [] });
  before(fleet);
  controller = startController(db.url, targetsOf(fleet), { watcher: { ...fastWatcherOptions, context: { flushMs: 50, evaluateMs: 100, recheckMs: 200 } } });
  await waitFor('an operator leader', () => fleet!.leaderOf('alpha', 'operators/widgets'));
  return fleet;
}

function contextOf(profile: ElectionProfile): Promise<LeaseContextDto> {
  const now = Date.now();
  return getLeaseContext(db!.store, { cluster: 'alpha', namespace: profile.namespace, name: profile.leaseName }, { from: new Date(now - 3_600_000), to: new Date(now + 1_000) }, now);
}

const accessOf = (context: LeaseContextDto) => Object.fromEntries(context.access.filter((entry) => entry.resource.startsWith('events')).map((entry) => [entry.resource, entry.access]));

function eventRequests(fleet: Fleet): { coreWatches: number; newWatches: number; open: number } {
  const stats = fleet.cluster('alpha').apiServer.stats();
  return { coreWatches: stats.requests['events watch'] ?? 0, newWatches: stats.requests['events.k8s.io watch'] ?? 0, open: stats.activeContextWatches };
}

describe('Events through one API', () => {
  it('watches events.k8s.io/v1 only where it is served and allowed, and stores the Events written through core/v1 too', async () => {
    const fleet = await setUp('ctx-events-new');
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    // Written through core/v1 by the operator's recorder, delivered by the events.k8s.io/v1 watch.
    const stored = await waitFor('the operator became-leader Event stored', async () => (await contextOf(operator)).events.find((event) => event.message === `${holder} became leader`));
    expect(stored).toMatchObject({ api: 'events_k8s_io', reason: 'LeaderElection', involvedKind: 'Lease', involvedName: 'widgets', reportingComponent: 'widget-operator' });
    const context = await contextOf(operator);
    expect(accessOf(context)).toEqual({ events_k8s_io: 'granted' });
    // Once per Event: the same object was not delivered twice through two watches.
    expect(context.events.filter((event) => event.message === `${holder} became leader`)).toHaveLength(1);
    const requests = eventRequests(fleet);
    expect(requests.coreWatches).toBe(0);
    expect(requests.newWatches).toBeGreaterThanOrEqual(2);
    // Two namespaces: pods and Events in each, LeaseCandidates not served (the gate is off).
    await waitFor('pods and one Event watch per namespace', () => eventRequests(fleet).open === 4);
    // The Lease watch asks for protobuf; pods, Events and candidates are asked for as JSON only (a real API
    // server would answer them in protobuf, which the controller does not decode for these kinds).
    const asked = Object.keys(fleet.cluster('alpha').apiServer.stats().requests);
    expect(asked.filter((key) => /^(pods|events|events\.k8s\.io|leasecandidates) /.test(key))).not.toEqual([]);
    expect(asked.filter((key) => key.includes('protobuf asked'))).toEqual([]);
  });

  it('falls back to core/v1 when events.k8s.io/v1 is refused (403), says so, and moves back once it is allowed', async () => {
    const fleet = await setUp('ctx-events-fallback', (started) => started.cluster('alpha').apiServer.context.deny('events.k8s.io'));
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    const stored = await waitFor('the became-leader Event stored through core/v1', async () => (await contextOf(operator)).events.find((event) => event.message === `${holder} became leader`));
    expect(stored).toMatchObject({ api: 'core', reason: 'LeaderElection', involvedName: 'widgets' });
    const refused = await contextOf(operator);
    expect(accessOf(refused)).toEqual({ events: 'granted', events_k8s_io: 'denied' });
    expect(refused.access.find((entry) => entry.resource === 'events_k8s_io')?.detail).toMatch(/events\.events\.k8s\.io is forbidden: .*cannot list resource "events" in API group "events\.k8s\.io"/);
    // The control plane's Events, written through events.k8s.io/v1, arrive through core/v1 as well.
    const schedulerHolder = await waitFor('a scheduler leader', () => fleet.leaderOf('alpha', 'kube-system/kube-scheduler'));
    const schedulerEvent = await waitFor('the scheduler Event through core/v1', async () => (await contextOf(scheduler)).events.find((event) => event.message === `${schedulerHolder} became leader`));
    expect(schedulerEvent).toMatchObject({ api: 'core', reportingComponent: 'kube-scheduler' });
    expect(eventRequests(fleet).newWatches).toBe(0);

    fleet.cluster('alpha').apiServer.context.deny('events.k8s.io', false);
    await waitFor('events.k8s.io/v1 granted again', async () => accessOf(await contextOf(operator)).events_k8s_io === 'granted');
    await waitFor('the Event watches moved to events.k8s.io/v1', () => {
      const requests = eventRequests(fleet);
      return requests.newWatches >= 2 && requests.open === 4;
    });
    await fleet.applyChaos({ op: 'crashLeader', cluster: 'alpha', lease: 'operators/widgets', restartAfterMs: 0 });
    const next = await waitFor('a new operator leader', () => {
      const leader = fleet.leaderOf('alpha', 'operators/widgets');
      return leader && leader !== holder ? leader : undefined;
    });
    const later = await waitFor('the next became-leader Event stored', async () => (await contextOf(operator)).events.find((event) => event.message === `${next} became leader`), 20_000);
    expect(later.api).toBe('events_k8s_io');
    // The Event stored earlier through core/v1 is still the one row, not deleted by the relist through the other API.
    const again = (await contextOf(operator)).events.filter((event) => event.message === `${holder} became leader`);
    expect(again).toEqual([expect.objectContaining({ id: stored.id, api: 'core', deletedAt: null })]);
  });

  it('says both Event APIs are missing when both are refused, and reads core/v1 once it is allowed', async () => {
    const fleet = await setUp('ctx-events-none', (started) => {
      started.cluster('alpha').apiServer.context.deny('events.k8s.io');
      started.cluster('alpha').apiServer.context.deny('events');
    });
    const refused = await waitFor('both refusals recorded', async () => {
      const context = await contextOf(operator);
      const access = accessOf(context);
      return access.events === 'denied' && access.events_k8s_io === 'denied' ? context : undefined;
    });
    expect(refused.events).toEqual([]);
    fleet.cluster('alpha').apiServer.context.deny('events', false);
    const holder = fleet.leaderOf('alpha', 'operators/widgets')!;
    const stored = await waitFor('the Event stored through core/v1 once allowed', async () => (await contextOf(operator)).events.find((event) => event.message === `${holder} became leader`));
    expect(stored.api).toBe('core');
    expect(accessOf(await contextOf(operator))).toEqual({ events: 'granted', events_k8s_io: 'denied' });
    // Both allowed now: still one Event watch per namespace (pods + Events in two namespaces), through events.k8s.io/v1.
    fleet.cluster('alpha').apiServer.context.deny('events.k8s.io', false);
    await waitFor('events.k8s.io/v1 granted', async () => accessOf(await contextOf(operator)).events_k8s_io === 'granted');
    await waitFor('the Event watches on events.k8s.io/v1', () => eventRequests(fleet).newWatches >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(eventRequests(fleet).open).toBe(4);
  });
});
