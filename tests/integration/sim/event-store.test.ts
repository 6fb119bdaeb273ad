import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, EventsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LeaseApiServer } from '@/lib/sim/api-server';
import { renderKubeconfig } from '@/lib/sim/kubeconfig';
import { openWatch, startApiServer, waitFor, type WatchHandle } from './support';

// kube-apiserver keeps one Event store and serves it through core/v1 and events.k8s.io/v1: an Event written
// through one API is read through the other, with the same uid and resourceVersion and the fields mapped.

const execFileAsync = promisify(execFile);

let server: LeaseApiServer;
let kubeConfig: KubeConfig;
let watches: WatchHandle[] = [];

beforeAll(async () => {
  ({ server, kubeConfig } = await startApiServer());
});

afterAll(async () => {
  await server.stop();
});

afterEach(() => {
  for (const watch of watches) watch.stop();
  watches = [];
  for (const event of server.context.list('events')) server.context.remove('events', event.metadata.namespace, event.metadata.name);
});

// What client-go's legacy recorder (record.EventRecorder) writes through core/v1.
const coreEvent = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: 'kube-system' },
  involvedObject: { kind: 'Pod', name: 'kube-scheduler-cp-1', namespace: 'kube-system', apiVersion: 'v1' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container kube-scheduler',
  type: 'Warning',
  source: { component: 'kubelet', host: 'cp-1' },
  firstTimestamp: '2026-12-07T10:00:00Z',
  lastTimestamp: '2026-12-07T10:00:05Z',
  count: 3,
  reportingComponent: 'kubelet',
  reportingInstance: 'cp-1',
});

// What client-go's events.k8s.io recorder (tools/events) writes: the leader election's LeaderElection Event.
const newEvent = (name: string) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name, namespace: 'kube-system' },
  regarding: { kind: 'Lease', name: 'kube-scheduler', namespace: 'kube-system', apiVersion: 'coordination.k8s.io/v1' },
  reason: 'LeaderElection',
  note: 'cp-1_0f3c became leader',
  type: 'Normal',
  action: 'LeaderElection',
  eventTime: '2026-12-07T10:01:00.123456Z',
  reportingController: 'kube-scheduler',
  reportingInstance: 'kube-scheduler-cp-1',
  series: { count: 2, lastObservedTime: '2026-12-07T10:02:00.000000Z' },
});

describe('the simulated API server: one Event store behind core/v1 and events.k8s.io/v1', () => {
  it('serves an Event written through core/v1 through events.k8s.io/v1: same uid and resourceVersion, fields mapped', async () => {
    const written = server.context.put('events', coreEvent('backoff.1'));
    const read = await kubeConfig.makeApiClient(EventsV1Api).readNamespacedEvent({ namespace: 'kube-system', name: 'backoff.1' });
    expect(read.metadata?.uid).toBe(written.metadata.uid);
    expect(read.metadata?.resourceVersion).toBe(written.metadata.resourceVersion);
    expect(read).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      regarding: { kind: 'Pod', name: 'kube-scheduler-cp-1' },
      note: 'Back-off restarting failed container kube-scheduler',
      reason: 'BackOff',
      type: 'Warning',
      reportingController: 'kubelet',
      reportingInstance: 'cp-1',
      deprecatedSource: { component: 'kubelet', host: 'cp-1' },
      deprecatedCount: 3,
    });
    expect(read.deprecatedFirstTimestamp?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
    expect(read.deprecatedLastTimestamp?.toISOString()).toBe('2026-12-07T10:00:05.000Z');
    // No core/v1 field leaks into the events.k8s.io view.
    expect(Object.keys(read)).not.toEqual(expect.arrayContaining(['involvedObject']));
    const raw = (await (await fetch(`${server.url}/apis/events.k8s.io/v1/namespaces/kube-system/events/backoff.1`)).json()) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('involvedObject');
    expect(raw).not.toHaveProperty('message');
  });

  it('serves an Event written through events.k8s.io/v1 through core/v1, and one list of each API holds the same objects', async () => {
    const written = server.context.put('events.k8s.io', newEvent('scheduler.1'));
    server.context.put('events', coreEvent('backoff.2'));
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const read = await core.readNamespacedEvent({ namespace: 'kube-system', name: 'scheduler.1' });
    expect(read.metadata.uid).toBe(written.metadata.uid);
    expect(read.metadata.resourceVersion).toBe(written.metadata.resourceVersion);
    expect(read).toMatchObject({
      apiVersion: 'v1',
      involvedObject: { kind: 'Lease', name: 'kube-scheduler' },
      message: 'cp-1_0f3c became leader',
      reason: 'LeaderElection',
      action: 'LeaderElection',
      reportingComponent: 'kube-scheduler',
      reportingInstance: 'kube-scheduler-cp-1',
      series: { count: 2 },
    });
    // client-node hands a MicroTime back as the string it read: the microseconds went through the store unchanged.
    expect(read.eventTime as unknown).toBe('2026-12-07T10:01:00.123456Z');
    const coreList = await core.listNamespacedEvent({ namespace: 'kube-system' });
    const newList = await kubeConfig.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: 'kube-system' });
    const identities = (items: Array<{ metadata?: { uid?: string; resourceVersion?: string } }>) => items.map((item) => `${item.metadata?.uid}@${item.metadata?.resourceVersion}`).sort();
    expect(identities(coreList.items)).toHaveLength(2);
    expect(identities(newList.items)).toEqual(identities(coreList.items));
    expect(newList.metadata?.resourceVersion).toBe(coreList.metadata?.resourceVersion);
  });

  it('streams a write through one API to watches of both, and resumes either from the other one\'s resourceVersion', async () => {
    const core = await openWatch(kubeConfig, '/api/v1/namespaces/kube-system/events', { resourceVersion: String(server.context.currentRevision) });
    const events = await openWatch(kubeConfig, '/apis/events.k8s.io/v1/namespaces/kube-system/events', { resourceVersion: String(server.context.currentRevision) });
    watches.push(core, events);
    const written = server.context.put('events.k8s.io', newEvent('scheduler.2'));
    server.context.remove('events', 'kube-system', 'scheduler.2');
    await waitFor(() => core.events.length === 2 && events.events.length === 2, 5_000, 'ADDED and DELETED on both watches');
    expect(core.events.map((event) => [event.type, event.object.kind, (event.object as { apiVersion?: string }).apiVersion, event.object.metadata?.resourceVersion])).toEqual([
      ['ADDED', 'Event', 'v1', written.metadata.resourceVersion],
      ['DELETED', 'Event', 'v1', String(Number(written.metadata.resourceVersion) + 1)],
    ]);
    expect(events.events.map((event) => [event.type, (event.object as { apiVersion?: string }).apiVersion, event.object.metadata?.resourceVersion])).toEqual([
      ['ADDED', 'events.k8s.io/v1', written.metadata.resourceVersion],
      ['DELETED', 'events.k8s.io/v1', String(Number(written.metadata.resourceVersion) + 1)],
    ]);
    expect((events.events[0]!.object as { note?: string }).note).toBe('cp-1_0f3c became leader');
    // A watch from the resourceVersion the core/v1 write answered replays what followed through the other API.
    const later = server.context.put('events', coreEvent('backoff.3'));
    const resumed = await openWatch(kubeConfig, '/apis/events.k8s.io/v1/namespaces/kube-system/events', { resourceVersion: String(Number(later.metadata.resourceVersion) - 1) });
    watches.push(resumed);
    await waitFor(() => resumed.events.length === 1, 5_000, 'the replayed Event');
    expect(resumed.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'backoff.3', resourceVersion: later.metadata.resourceVersion } } });
  });

  it('is listed by kubectl through both APIs, with the same objects', { timeout: 30_000 }, async () => {
    const written = server.context.put('events.k8s.io', newEvent('scheduler.3'));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'event-store-'));
    try {
      const kubeconfig = path.join(dir, 'kubeconfig');
      await writeFile(kubeconfig, renderKubeconfig([{ name: 'test', url: server.url }]));
      const get = async (resource: string) => {
        const { stdout } = await execFileAsync('kubectl', ['--kubeconfig', kubeconfig, 'get', resource, '-n', 'kube-system', '-o', 'json']);
        return (JSON.parse(stdout) as { items: Array<Record<string, unknown> & { metadata: { uid: string; resourceVersion: string } }> }).items;
      };
      const [coreItem] = await get('events');
      const [newItem] = await get('events.v1.events.k8s.io');
      expect(coreItem).toMatchObject({ apiVersion: 'v1', message: 'cp-1_0f3c became leader', metadata: { uid: written.metadata.uid, resourceVersion: written.metadata.resourceVersion } });
      expect(newItem).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'cp-1_0f3c became leader', metadata: { uid: written.metadata.uid, resourceVersion: written.metadata.resourceVersion } });
      const { stdout: table } = await execFileAsync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'events', '-n', 'kube-system']);
      expect(table).toContain('scheduler.3');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
