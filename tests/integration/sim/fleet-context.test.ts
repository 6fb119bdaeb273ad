import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type ElectionProfile, type Fleet, type FleetOptions } from '@/lib/sim';
import { openWatch, waitFor, type WatchHandle } from './support';

const fast = { leaseDurationMs: 2_000, renewDeadlineMs: 700, retryPeriodMs: 150 };
const controller: ElectionProfile = { component: 'ctrl', namespace: 'kube-system', leaseName: 'ctrl', releaseOnCancel: false, host: 'control-plane', ...fast };
const operator: ElectionProfile = { component: 'widget-operator', namespace: 'operators', leaseName: 'widgets.example.com', releaseOnCancel: true, host: 'pod', ...fast };
const coordinated: ElectionProfile = { ...controller, component: 'kube-scheduler', leaseName: 'kube-scheduler', isCoordinated: true, leaseDurationMs: 2_000 };

let fleets: Fleet[] = [];
let watches: WatchHandle[] = [];

afterEach(async () => {
  for (const watch of watches) watch.stop();
  await Promise.all(fleets.map((fleet) => fleet.stop()));
  fleets = [];
  watches = [];
});

async function fleetOf(options: FleetOptions): Promise<Fleet> {
  const fleet = await startFleet({ clusters: 1, candidates: 2, seed: 'fleet-context', restartDelayMs: 100, ...options });
  fleets.push(fleet);
  return fleet;
}

async function getJson(kubeConfig: KubeConfig, path: string): Promise<{ status: number; body: { items?: Array<Record<string, unknown>>; reason?: string; message?: string } }> {
  const server = kubeConfig.getCurrentCluster()!.server;
  const response = await fetch(server + path);
  return { status: response.status, body: (await response.json()) as { items?: Array<Record<string, unknown>> } };
}

describe('simulated fleet: pods, Events and LeaseCandidates', () => {
  it('reports an OOMKilled leader as a container restart of its pod, with a pod Event', async () => {
    const fleet = await fleetOf({ leases: [controller] });
    const [cluster] = fleet.clusters;
    const leader = await waitFor(() => fleet.leaderOf(cluster!.name, 'kube-system/ctrl'), 5_000, 'a leader');
    const host = leader.slice(0, leader.lastIndexOf('_'));
    await fleet.applyChaos({ op: 'oomKillLeader', cluster: cluster!.name, lease: 'kube-system/ctrl', restartAfterMs: 50 });
    const core = cluster!.kubeConfig.makeApiClient(CoreV1Api);
    const pod = await waitFor(async () => {
      const found = await core.readNamespacedPod({ namespace: 'kube-system', name: `ctrl-${host}` });
      return found.status?.containerStatuses?.[0]?.restartCount === 1 ? found : undefined;
    }, 5_000, 'the restarted pod');
    expect(pod.spec?.nodeName).toBe(host);
    expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: host });
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const events = await core.listNamespacedEvent({ namespace: 'kube-system' });
    expect(events.items.some((event) => event.involvedObject.name === `ctrl-${host}` && event.reason === 'BackOff' && /OOMKilled/.test(event.message ?? ''))).toBe(true);
  });

  it('records LeaderElection Events through both APIs and deletes them after the event TTL, telling watchers', async () => {
    const fleet = await fleetOf({ leases: [controller, operator], eventTtlMs: 1_500 });
    const [cluster] = fleet.clusters;
    const watch = await openWatch(cluster!.kubeConfig, '/apis/events.k8s.io/v1/events', {});
    watches.push(watch);
    await waitFor(() => fleet.leaderOf(cluster!.name, 'operators/widgets.example.com'), 5_000, 'an operator leader');
    const newApi = cluster!.kubeConfig.makeApiClient(EventsV1Api);
    const leaderEvent = await waitFor(async () => (await newApi.listNamespacedEvent({ namespace: 'kube-system' })).items.find((event) => event.reason === 'LeaderElection'), 5_000, 'an events.k8s.io LeaderElection event');
    expect(leaderEvent.note).toMatch(/^.+_[0-9a-f-]+ became leader$/);
    expect(leaderEvent.regarding).toMatchObject({ kind: 'Lease', name: 'ctrl' });
    const core = cluster!.kubeConfig.makeApiClient(CoreV1Api);
    const coreEvent = (await core.listNamespacedEvent({ namespace: 'operators' })).items.find((event) => event.reason === 'LeaderElection');
    expect(coreEvent?.involvedObject).toMatchObject({ kind: 'Lease', name: 'widgets.example.com' });
    await waitFor(() => watch.events.some((event) => event.type === 'DELETED' && event.object.metadata?.name === leaderEvent.metadata?.name), 5_000, 'the TTL deletion on the watch');
    await fleet.expireEvents(cluster!.name);
    expect((await core.listEventForAllNamespaces()).items).toEqual([]);
  });

  it('answers 403 for a denied resource, and 404 for LeaseCandidates where the feature gate is off', async () => {
    const fleet = await fleetOf({ leases: [controller], leaseCandidateVersions: ['v1alpha2'] });
    const [cluster] = fleet.clusters;
    cluster!.apiServer.context.deny('pods');
    const denied = await getJson(cluster!.kubeConfig, '/api/v1/namespaces/kube-system/pods');
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ reason: 'Forbidden', message: expect.stringContaining('cannot list resource "pods"') });
    expect((await getJson(cluster!.kubeConfig, '/apis/coordination.k8s.io/v1beta1/leasecandidates')).status).toBe(404);
    expect((await getJson(cluster!.kubeConfig, '/apis/coordination.k8s.io/v1alpha2/leasecandidates')).status).toBe(200);
  });

  it('runs a coordinated election: a candidate on an older emulation version becomes preferredHolder and the holder gives way', async () => {
    const fleet = await fleetOf({ leases: [coordinated], candidates: 3, candidateVersions: { binaryVersion: '1.34.0', emulationVersion: '1.34' } });
    const [cluster] = fleet.clusters;
    const lease = () => cluster!.apiServer.store.get('kube-system', 'kube-scheduler');
    const first = await waitFor(() => lease()?.spec.holderIdentity, 5_000, 'a holder named by the election controller');
    expect(lease()?.spec.strategy).toBe('OldestEmulationVersion');
    const candidates = await getJson(cluster!.kubeConfig, '/apis/coordination.k8s.io/v1beta1/namespaces/kube-system/leasecandidates');
    expect(candidates.body.items).toHaveLength(3);
    expect(candidates.body.items?.[0]).toMatchObject({ kind: 'LeaseCandidate', apiVersion: 'coordination.k8s.io/v1beta1', spec: { leaseName: 'kube-scheduler', binaryVersion: '1.34.0' } });
    const other = fleet.candidates({ lease: 'kube-system/kube-scheduler' }).find((candidate) => candidate.identity !== first)!;
    await fleet.applyChaos({ op: 'upgradeCandidate', cluster: cluster!.name, lease: 'kube-system/kube-scheduler', host: other.host, binaryVersion: '1.34.0', emulationVersion: '1.33' });
    const preferred = await waitFor(() => lease()?.spec.preferredHolder, 5_000, 'preferredHolder');
    expect(preferred.startsWith(`${other.host}_`)).toBe(true);
    expect(lease()?.spec.holderIdentity).toBe(first);
    const transitions = lease()?.spec.leaseTransitions;
    await waitFor(() => lease()?.spec.holderIdentity === preferred, 8_000, 'the handover to the preferred holder');
    // Written as kube-apiserver's election controller writes it: no acquireTime, leaseTransitions unchanged.
    expect(lease()?.spec).toMatchObject({ leaseTransitions: transitions });
    expect(lease()?.spec.preferredHolder).toBeUndefined();
    expect(lease()?.spec.acquireTime).toBeUndefined();
  });
});
