import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startDemoFleet, startFleet, type ElectionProfile, type Fleet, type FleetOptions } from '@/lib/sim';
import { parseMicroTime } from '@/lib/sim/micro-time';
import { parseScenario } from '@/lib/sim/scenario';
import { openWatch, waitFor, type WatchHandle } from './support';

const fast = { leaseDurationMs: 2_000, renewDeadlineMs: 700, retryPeriodMs: 150 };
const controller: ElectionProfile = { component: 'ctrl', namespace: 'kube-system', leaseName: 'ctrl', releaseOnCancel: false, host: 'control-plane', ...fast };
const operator: ElectionProfile = { component: 'widget-operator', namespace: 'operators', leaseName: 'widgets.example.com', releaseOnCancel: true, host: 'pod', ...fast };

let fleets: Fleet[] = [];
let watches: WatchHandle[] = [];
let dirs: string[] = [];

afterEach(async () => {
  for (const watch of watches) watch.stop();
  await Promise.all(fleets.map((fleet) => fleet.stop()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  fleets = [];
  watches = [];
  dirs = [];
});

async function fleetOf(options: FleetOptions = {}): Promise<Fleet> {
  const fleet = await startFleet({ clusters: 2, leases: [controller, operator], candidates: 2, seed: 'fleet-test', restartDelayMs: 200, bookmarkIntervalMs: 200, ...options });
  fleets.push(fleet);
  return fleet;
}

async function leadersOf(fleet: Fleet): Promise<void> {
  for (const cluster of fleet.clusters) {
    for (const lease of cluster.leases) await waitFor(() => fleet.leaderOf(cluster.name, lease), 5_000, `a leader of ${lease} in ${cluster.name}`);
  }
}

describe('simulated fleet', () => {
  it('writes a kubeconfig whose contexts reach every cluster, election leases and node heartbeats included', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leasetrail-sim-'));
    dirs.push(dir);
    const fleet = await fleetOf({ heartbeatNodes: 2, heartbeatIntervalMs: 200, kubeconfigPath: path.join(dir, 'nested', 'kubeconfig') });
    expect(fleet.kubeconfigPath).toBe(path.join(dir, 'nested', 'kubeconfig'));
    await leadersOf(fleet);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(await readFile(fleet.kubeconfigPath!, 'utf8'));
    expect(kubeConfig.getContexts().map((context) => context.name)).toEqual(['sim-1', 'sim-2']);
    for (const cluster of fleet.clusters) {
      kubeConfig.setCurrentContext(cluster.name);
      const api = kubeConfig.makeApiClient(CoordinationV1Api);
      const leases = (await api.listLeaseForAllNamespaces()).items;
      const names = leases.map((lease) => `${lease.metadata?.namespace}/${lease.metadata?.name}`);
      expect(names).toEqual(expect.arrayContaining(['kube-system/ctrl', 'operators/widgets.example.com']));
      const nodes = await waitFor(async () => {
        const items = (await api.listNamespacedLease({ namespace: 'kube-node-lease' })).items;
        return items.length === 2 ? items : undefined;
      }, 3_000, 'both node leases');
      expect(nodes.map((lease) => lease.metadata?.name)).toEqual([`${cluster.name}-worker-1`, `${cluster.name}-worker-2`]);
      for (const node of nodes) {
        expect(node.spec).toMatchObject({ holderIdentity: node.metadata?.name, leaseDurationSeconds: 40 });
        expect(node.spec?.acquireTime).toBeUndefined();
        expect(node.spec?.leaseTransitions).toBeUndefined();
        expect(node.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Node', name: node.metadata?.name });
      }
    }
    const ctrlHolders = fleet.candidates({ cluster: 'sim-1', lease: 'kube-system/ctrl' }).map((candidate) => candidate.identity);
    expect(ctrlHolders.every((identity) => /^sim-1-control-plane-\d_[0-9a-f-]{36}$/.test(identity ?? ''))).toBe(true);
    expect(fleet.candidates({ cluster: 'sim-1', lease: 'operators/widgets.example.com' })[0]!.host).toMatch(/^widget-operator-[a-z0-9]{10}-[a-z0-9]{5}$/);
  });

  it('records every accepted write in the order a watch delivers them', async () => {
    const fleet = await fleetOf({ heartbeatNodes: 1, heartbeatIntervalMs: 100 });
    const cluster = fleet.cluster('sim-2');
    const from = String(cluster.apiServer.store.revision);
    const watch = await openWatch(cluster.kubeConfig, '/apis/coordination.k8s.io/v1/leases', { resourceVersion: from });
    watches.push(watch);
    await waitFor(() => watch.events.length >= 20, 5_000, 'twenty events');
    const seen = watch.events.slice(0, 20).map((event) => event.object.metadata?.resourceVersion);
    const recorded = fleet.groundTruth.writes({ cluster: 'sim-2' }).filter((write) => Number(write.resourceVersion) > Number(from));
    expect(recorded.slice(0, 20).map((write) => write.resourceVersion)).toEqual(seen);
    expect(fleet.groundTruth.writes({ cluster: 'sim-1', namespace: 'kube-system', name: 'ctrl' }).every((write) => write.name === 'ctrl')).toBe(true);
  });

  it('crashes and stops leaders on request and records each change with its cause', async () => {
    const fleet = await fleetOf();
    await leadersOf(fleet);
    const lease = 'operators/widgets.example.com';
    const crashed = await fleet.crashLeader('sim-1', lease);
    expect(crashed.applied).toBe(true);
    const successor = await waitFor(() => {
      const leader = fleet.leaderOf('sim-1', lease);
      return leader !== undefined && leader !== crashed.identity ? leader : undefined;
    }, 5_000, 'a successor');
    const stopped = await fleet.stopLeader('sim-1', lease);
    expect(stopped.identity).toBe(successor);
    await waitFor(() => fleet.groundTruth.changes({ cluster: 'sim-1', name: 'widgets.example.com' }).at(-1)?.cause === 'after-release', 5_000, 'the handover');
    const changes = fleet.groundTruth.changes({ cluster: 'sim-1', namespace: 'operators', name: 'widgets.example.com' });
    expect(changes.map((change) => change.cause)).toEqual(['first', 'after-expiry', 'released', 'after-release']);
    expect(changes[1]).toMatchObject({ from: crashed.identity, to: successor, leaseTransitions: 1 });
    expect(changes[2]).toMatchObject({ from: successor, to: '' });
    const stored = fleet.cluster('sim-1').apiServer.store.getOrThrow('operators', 'widgets.example.com');
    expect(stored.spec.leaseTransitions).toBe(changes.at(-1)!.leaseTransitions);
    expect(stored.spec.holderIdentity).toBe(changes.at(-1)!.to);
    // A crashed candidate comes back on the same host with a new identity.
    const host = crashed.identity!.split('_')[0]!;
    await waitFor(() => fleet.candidates({ cluster: 'sim-1', lease }).find((c) => c.host === host && c.isRunning && c.identity !== crashed.identity), 5_000, 'the restart');
    expect(fleet.groundTruth.chaos().map((record) => record.operation.op)).toEqual(['crashLeader', 'stopLeader']);
    expect(fleet.groundTruth.changes({ cluster: 'sim-2', name: 'widgets.example.com' }).map((change) => change.cause)).toEqual(['first']);
  });

  it('restarts an API server (dropping watches) and compacts history (forcing 410)', async () => {
    const fleet = await fleetOf();
    await leadersOf(fleet);
    const cluster = fleet.cluster('sim-1');
    const dropped = await openWatch(cluster.kubeConfig, '/apis/coordination.k8s.io/v1/leases', { resourceVersion: String(cluster.apiServer.store.revision) });
    watches.push(dropped);
    await fleet.restartApiServer('sim-1', { downtimeMs: 100 });
    expect(await dropped.ended).toBeInstanceOf(Error);
    await waitFor(() => cluster.apiServer.stats().requests.update, 3_000, 'electors writing again');

    const compacted = await openWatch(cluster.kubeConfig, '/apis/coordination.k8s.io/v1/leases', { resourceVersion: String(cluster.apiServer.store.revision) });
    watches.push(compacted);
    const result = await fleet.compactHistory('sim-1');
    expect(result.detail).toMatch(/^compacted at resourceVersion \d+$/);
    await compacted.ended;
    expect(compacted.events.at(-1)).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
    expect(fleet.clusters[1]!.apiServer.stats().activeWatches).toBe(0);
  });

  it('plays a scenario, skews clocks and slows calls of the current leader', async () => {
    const fleet = await fleetOf();
    await leadersOf(fleet);
    const leader = fleet.leaderOf('sim-2', 'kube-system/ctrl');
    const scenario = parseScenario({
      seed: 1,
      steps: [
        { atMs: 0, op: 'skewClock', cluster: 'sim-2', lease: 'kube-system/ctrl', offsetMs: 60_000 },
        { atMs: 50, op: 'slowCalls', cluster: 'sim-2', lease: 'kube-system/ctrl', delayMs: 50, durationMs: 100 },
        { atMs: 60, op: 'crashLeader', cluster: 'nowhere', lease: 'kube-system/ctrl' },
      ],
    });
    const progress = await fleet.runScenario(scenario);
    expect(progress.map((step) => step.result.applied)).toEqual([true, true, false]);
    expect(progress[2]!.result.detail).toMatch(/no simulated cluster named nowhere/);
    const view = fleet.candidates({ cluster: 'sim-2', lease: 'kube-system/ctrl' }).find((candidate) => candidate.identity === leader)!;
    expect(view).toMatchObject({ clockOffsetMs: 60_000, callDelayMs: 50 });
    await waitFor(() => fleet.candidates({ cluster: 'sim-2', lease: 'kube-system/ctrl' }).find((c) => c.identity === leader)?.callDelayMs === 0, 2_000, 'the slowdown to end');
    const lease = fleet.cluster('sim-2').apiServer.store.getOrThrow('kube-system', 'ctrl');
    await waitFor(() => {
      const renewTime = parseMicroTime(fleet.cluster('sim-2').apiServer.store.getOrThrow('kube-system', 'ctrl').spec.renewTime ?? '') ?? 0;
      return renewTime - Date.now() > 50_000;
    }, 2_000, 'a skewed renewTime');
    expect(lease.spec.holderIdentity).toBe(leader);
  });

  it('replays identities and resource versions from the same seed', async () => {
    const first = await fleetOf({ seed: 'same', clusters: 1 });
    const second = await fleetOf({ seed: 'same', clusters: 1 });
    const identities = (fleet: Fleet) => fleet.candidates().map((candidate) => candidate.identity);
    expect(identities(first)).toEqual(identities(second));
    const third = await fleetOf({ seed: 'different', clusters: 1 });
    expect(identities(third)).not.toEqual(identities(first));
  });

  it('starts the demo preset: three clusters, a few leases each, node heartbeats', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leasetrail-demo-'));
    dirs.push(dir);
    const fleet = await startDemoFleet({ kubeconfigPath: path.join(dir, 'kubeconfig'), chaos: false });
    fleets.push(fleet);
    expect(fleet.clusters.map((cluster) => cluster.name)).toEqual(['sim-prod-eu', 'sim-prod-us', 'sim-staging']);
    for (const cluster of fleet.clusters) {
      expect(cluster.leases.slice(0, 2)).toEqual(['kube-system/kube-controller-manager', 'kube-system/kube-scheduler']);
      expect(cluster.leases).toHaveLength(cluster.name === 'sim-prod-eu' ? 4 : 3);
    }
    await leadersOf(fleet);
    await waitFor(() => fleet.groundTruth.writes({ namespace: 'kube-node-lease' }).length >= 9, 3_000, 'node heartbeats');
    expect(await readFile(path.join(dir, 'kubeconfig'), 'utf8')).toContain('sim-staging');
    expect(fleet.groundTruth.chaos()).toEqual([]);
  });

  it('runs the demo chaos until the fleet stops', async () => {
    const fleet = await startDemoFleet({ chaosIntervalMs: 50, seed: 'demo-chaos', opening: false });
    fleets.push(fleet);
    await waitFor(() => fleet.groundTruth.chaos().length >= 2, 3_000, 'chaos to run');
    await fleet.stop();
    const recorded = fleet.groundTruth.chaos().length;
    expect(await fleet.applyChaos({ op: 'compactHistory', cluster: 'sim-prod-eu' })).toEqual({ applied: false, detail: 'the fleet is stopping' });
    expect(fleet.groundTruth.chaos()).toHaveLength(recorded);
  });
});
