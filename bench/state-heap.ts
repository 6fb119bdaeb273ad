import { randomUUID } from 'node:crypto';
import { defaultDeriveOptions, emptyStream, parseLease, reconcile, type LeaseState, type SourceEvent, type StreamModel } from '../lib/leases';
import { CompactLeaseStates } from '../lib/leases/compact-state';
import { recordRenewal } from '../lib/metrics/controller-metrics';
import { formatMicroTime } from '../lib/sim/micro-time';

// `node --expose-gc --import tsx bench/state-heap.ts [clusters] [leasesPerCluster] [renewals]`: the JavaScript
// heap the controller's per-lease state takes, kept as a Map of LeaseState objects (as before #18d) and as
// CompactLeaseStates (what ClusterController keeps now), in one process, one after the other. Each lease goes
// through the real path: its Lease as JSON text (what the watch delivers, managedFields included), JSON.parse,
// parseLease, reconcile (a list, then watch renewals), the batch's states committed into the model. Then, for
// comparison, what the controller's per-lease Prometheus series (renew interval and observation lag
// histograms, one series each per election lease) hold for the same leases.

const clusters = Number(process.argv[2] ?? 100);
const leasesPerCluster = Number(process.argv[3] ?? 1_000);
const renewals = Number(process.argv[4] ?? 3);
const options = { ...defaultDeriveOptions, isWanted: () => true };
const acquiredAt = Date.UTC(2026, 11, 7, 12, 0, 0);

function leaseJson(cluster: number, index: number, renewMs: number, version: number, uid: string): string {
  const holder = `cp-${index % 3}_${(cluster * 7919 + index).toString(16).padStart(8, '0')}-1c2d-4e5f-8a9b-0c1d2e3f4a5b`;
  return JSON.stringify({
    kind: 'Lease',
    apiVersion: 'coordination.k8s.io/v1',
    metadata: {
      name: `controller-${index}`,
      namespace: `team-${index % 50}`,
      uid,
      resourceVersion: String(version),
      creationTimestamp: '2026-12-07T11:00:00Z',
      managedFields: [{ manager: 'kube-controller-manager', operation: 'Update', apiVersion: 'coordination.k8s.io/v1', time: '2026-12-07T12:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:acquireTime': {}, 'f:holderIdentity': {}, 'f:leaseDurationSeconds': {}, 'f:leaseTransitions': {}, 'f:renewTime': {} } } }],
    },
    spec: { holderIdentity: holder, leaseDurationSeconds: 3_600, acquireTime: formatMicroTime(acquiredAt), renewTime: formatMicroTime(renewMs), leaseTransitions: 3 },
  });
}

type Model = { leases: Map<string, LeaseState> | CompactLeaseStates; stream: StreamModel };

function track(kind: 'map' | 'compact'): Model[] {
  const models: Model[] = [];
  let version = 1;
  for (let c = 0; c < clusters; c += 1) {
    const name = `bench-${c}`;
    const model: Model = { leases: kind === 'map' ? new Map() : new CompactLeaseStates(name), stream: emptyStream() };
    const uids = Array.from({ length: leasesPerCluster }, () => randomUUID());
    const commit = (events: SourceEvent[], at: number) => {
      const result = reconcile(model, events, at, options);
      for (const [key, state] of result.changed) model.leases.set(key, state);
      model.stream = result.stream;
    };
    const at = acquiredAt + 10_000;
    const items = uids.map((uid, index) => parseLease(JSON.parse(leaseJson(c, index, acquiredAt + 5_000, (version += 1), uid)), { cluster: name, observedAt: at, source: 'list' }));
    commit([{ type: 'listed', items, resourceVersion: String(version), at, blindSince: null, gapReason: null }], at);
    for (let round = 1; round <= renewals; round += 1) {
      const renewAt = at + round * 2_000;
      const events: SourceEvent[] = uids.map((uid, index) => ({ type: 'upsert', parsed: parseLease(JSON.parse(leaseJson(c, index, renewAt + index / 1000, (version += 1), uid)), { cluster: name, observedAt: renewAt + 40, source: 'watch' }), at: renewAt + 40 }));
      commit(events, renewAt + 40);
    }
    models.push(model);
  }
  return models;
}

function heapUsed(): number {
  for (let i = 0; i < 4; i += 1) globalThis.gc!();
  return process.memoryUsage().heapUsed;
}

if (!globalThis.gc) throw new Error('run with node --expose-gc');
const leases = clusters * leasesPerCluster;
const results: Record<string, number> = {};
for (const kind of ['map', 'compact', 'map', 'compact'] as const) {
  const before = heapUsed();
  let models: Model[] | undefined = track(kind);
  const after = heapUsed();
  const count = models.reduce((sum, model) => sum + model.leases.size, 0);
  if (count !== leases) throw new Error(`tracked ${count} of ${leases}`);
  results[kind] = (after - before) / leases;
  process.stdout.write(`${kind}: ${((after - before) / 1024 ** 2).toFixed(1)} MiB for ${leases.toLocaleString('en')} leases, ${Math.round((after - before) / leases)} B per lease\n`);
  models = undefined;
}
process.stdout.write(`compact / map: ${(results.compact! / results.map!).toFixed(3)}\n`);

{
  recordRenewal({ cluster: 'warm-up', namespace: 'warm-up', name: 'warm-up' }, 2_000, 40);
  const before = heapUsed();
  for (let round = 0; round < renewals; round += 1) {
    for (let c = 0; c < clusters; c += 1) for (let index = 0; index < leasesPerCluster; index += 1) recordRenewal({ cluster: `bench-${c}`, namespace: `team-${index % 50}`, name: `controller-${index}` }, 2_000 + round, 40 + round);
  }
  const after = heapUsed();
  process.stdout.write(`per-lease metric series (renew interval + observation lag histograms): ${((after - before) / 1024 ** 2).toFixed(1)} MiB, ${Math.round((after - before) / leases)} B per election lease\n`);
}
