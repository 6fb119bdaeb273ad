import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarizeLeaseWindow } from '../../../lib/audit/lease-window';
import { summarizeLeaseWindows, type LeaseWindowRecord } from '../../../lib/store/failovers';
import type { Cluster, Lease, TransitionKind } from '../../../lib/store/generated/prisma/client';
import { listGaps, type GapRecord } from '../../../lib/store/gaps';
import { rollUpTimelines } from '../../../lib/store/timeline-rollups';
import type { TimeRange } from '../../../lib/store/time-range';
import type { TimelineTransition } from '../../../lib/ui/timeline';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { createRandom } from '../../../lib/sim/random';
import { seedCluster, seedGap, seedLease, seedTransitions, type TransitionSeed } from '../helpers/seed';

let db: MigratedDatabase;
const HOUR = 3_600_000;
const base = Date.parse('2026-03-02T00:00:00Z');


const random = createRandom(4711).float;
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
const between = (min: number, max: number) => Math.floor(min + random() * (max - min));

// Every kind of change, at every pace: bursts seconds apart, quiet hours, leaderless stretches of up to
// two hours that reach back across bucket boundaries, missed changes, resumptions with and without a
// holder. Only the pace of events is realistic, not their content.
function randomHistory(start: number, end: number): TransitionSeed[] {
  const holders = ['pod-a_1', 'pod-b_2', 'pod-c_3'];
  let holder: string | null = pick(holders);
  let at = start + between(0, 600_000);
  const events: TransitionSeed[] = [{ at: new Date(at), cause: 'first', toHolder: holder }];
  while (true) {
    const pace = random();
    at += pace < 0.7 ? between(1_000, 60_000) : pace < 0.9 ? between(300_000, 1_800_000) : between(HOUR, 5 * HOUR);
    if (at >= end) return events;
    const when = new Date(at);
    const r = random();
    let event: TransitionSeed;
    if (r < 0.5) {
      const to = random() < 0.05 ? null : pick(holders);
      const cause = pick(['expiry', 'release', 'early_takeover', 'unknown'] as const);
      const leaderlessMs = random() < 0.3 ? between(0, 2 * HOUR) : random() < 0.5 ? between(0, 20_000) : null;
      event = { at: when, cause, fromHolder: holder, toHolder: to, leaderlessMs, missedCount: cause === 'unknown' && random() < 0.5 ? between(1, 4) : 0, isRestart: random() < 0.2 };
      holder = to;
    } else if (r < 0.67) {
      event = { at: when, kind: r < 0.6 ? 'expired' : 'released', fromHolder: holder };
      holder = null;
    } else if (r < 0.8) {
      const seen = holder ?? (random() < 0.5 ? pick(holders) : null);
      event = { at: when, kind: 'missed', fromHolder: seen, toHolder: seen, missedCount: between(1, 4) };
    } else {
      const to = random() < 0.3 ? null : pick(holders);
      event = { at: when, kind: 'resumed' as TransitionKind, fromHolder: holder, toHolder: to };
      holder = to ?? holder;
    }
    events.push(event);
  }
}

// The audit's per-lease summary as it was computed before the timeline rollups: every transition of the
// window through summarizeLeaseWindow. The rollups must never change an answer.
async function reference(range: TimeRange, gaps: GapRecord[], until: Date, filter: { cluster?: string; namespace?: string } = {}): Promise<LeaseWindowRecord[]> {
  const from = range.from;
  const to = new Date(Math.max(from.getTime(), Math.min(range.to.getTime(), until.getTime())));
  const leases = await db.store.prisma.lease.findMany({
    where: {
      kind: 'election',
      createdAt: { lt: to },
      OR: [{ deletedAt: null }, { deletedAt: { gte: from } }],
      ...(filter.namespace ? { namespace: filter.namespace } : {}),
      ...(filter.cluster ? { cluster: { name: filter.cluster } } : {}),
    },
    include: { cluster: true },
  });
  const records: LeaseWindowRecord[] = [];
  for (const lease of leases) {
    const inWindow = await db.store.prisma.transition.findMany({ where: { leaseId: lease.id, at: { gte: from, lt: to } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    const last = await db.store.prisma.transition.findFirst({ where: { leaseId: lease.id, at: { lt: from } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] });
    const transitions: TimelineTransition[] = inWindow.map((t) => ({ ...t, id: t.id.toString(), at: t.at.getTime() }));
    const summary = summarizeLeaseWindow({
      from: from.getTime(),
      to: to.getTime(),
      transitions,
      lastBefore: last ? { kind: last.kind, toHolder: last.toHolder } : null,
      firstSeenAt: lease.createdAt.getTime(),
      gaps: gaps.filter((g) => g.cluster === lease.cluster.name).map((g) => ({ startedAt: g.startedAt.getTime(), endedAt: g.endedAt?.getTime() ?? null, reason: g.reason })),
    });
    records.push({ cluster: lease.cluster.name, namespace: lease.namespace, name: lease.name, labels: lease.labels as Record<string, string>, ...summary });
  }
  return records.sort((a, b) => `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.name}`));
}

const byLease = (records: LeaseWindowRecord[]) => [...records].sort((a, b) => `${a.cluster}/${a.namespace}/${a.name}`.localeCompare(`${b.cluster}/${b.namespace}/${b.name}`));

function randomWindows(count: number): Array<{ range: TimeRange; until: Date }> {
  return Array.from({ length: count }, (_, i) => {
    const aligned = i % 4 === 0;
    const from = aligned ? base + between(-2, 44) * HOUR : base + between(-2 * HOUR, 44 * HOUR);
    const to = from + (aligned ? between(1, 30) * HOUR : between(10 * 60_000, 30 * HOUR));
    return { range: { from: new Date(from), to: new Date(to) }, until: new Date(i % 5 === 0 ? to - between(0, 3 * HOUR) : to + HOUR) };
  });
}

async function expectSameAsReference(windows: Array<{ range: TimeRange; until: Date }>): Promise<void> {
  for (const [i, { range, until }] of windows.entries()) {
    const filter = i % 7 === 3 ? { cluster: 'eu' } : i % 7 === 5 ? { namespace: 'operators' } : {};
    const { gaps } = await listGaps(db.store, { cluster: filter.cluster, range, limit: 1_000 });
    const actual = await summarizeLeaseWindows(db.store, { range, gaps, until, ...filter });
    expect(byLease(actual), `window ${range.from.toISOString()} – ${range.to.toISOString()} until ${until.toISOString()}`).toEqual(await reference(range, gaps, until, filter));
  }
}

let eu: Cluster;
let flappy: Lease;

beforeAll(async () => {
  db = await createMigratedDatabase('store_timeline_rollups');
  eu = await seedCluster(db.store, 'eu');
  const us = await seedCluster(db.store, 'us');
  const created = { createdAt: new Date(base - HOUR) };
  const leases = [
    await seedLease(db.store, eu, { namespace: 'kube-system', name: 'kube-scheduler', ...created }),
    await seedLease(db.store, eu, { namespace: 'operators', name: 'flappy', ...created }),
    await seedLease(db.store, eu, { namespace: 'operators', name: 'late-starter', createdAt: new Date(base + 10 * HOUR) }),
    await seedLease(db.store, us, { namespace: 'kube-system', name: 'kube-scheduler', ...created }),
    await seedLease(db.store, us, { namespace: 'operators', name: 'deleted', ...created, deletedAt: new Date(base + 30 * HOUR) }),
    await seedLease(db.store, us, { namespace: 'operators', name: 'never-held', ...created }),
    await seedLease(db.store, us, { namespace: 'operators', name: 'seen-after-expiry', ...created }),
  ];
  flappy = leases[1]!;
  await seedLease(db.store, eu, { namespace: 'kube-node-lease', name: 'node-1', kind: 'node_heartbeat', ...created });
  await seedTransitions(db.store, leases[0]!, randomHistory(base, base + 42 * HOUR));
  await seedTransitions(db.store, leases[1]!, randomHistory(base, base + 42 * HOUR));
  await seedTransitions(db.store, leases[2]!, randomHistory(base + 10 * HOUR, base + 42 * HOUR));
  await seedTransitions(db.store, leases[3]!, randomHistory(base, base + 42 * HOUR));
  await seedTransitions(db.store, leases[4]!, [...randomHistory(base, base + 30 * HOUR), { at: new Date(base + 30 * HOUR), kind: 'deleted' }]);
  // The window opens on a missed change naming a holder while the stored buckets, which read on from
  // the expiry, say nobody led: the window must trust its own opening until the next acquisition.
  await seedTransitions(db.store, leases[6]!, [
    { at: new Date(base + 10 * 60_000), cause: 'first', toHolder: 'pod-a_1' },
    { at: new Date(base + HOUR), kind: 'expired', fromHolder: 'pod-a_1' },
    { at: new Date(base + HOUR + 30 * 60_000), kind: 'missed', fromHolder: 'pod-b_2', toHolder: 'pod-b_2', missedCount: 2 },
    { at: new Date(base + 5 * HOUR), cause: 'unknown', toHolder: 'pod-c_3', leaderlessMs: 30 * 60_000 },
    { at: new Date(base + 9 * HOUR + 5_000), kind: 'resumed', fromHolder: 'pod-c_3', toHolder: null },
    { at: new Date(base + 14 * HOUR), cause: 'expiry', fromHolder: 'pod-c_3', toHolder: 'pod-a_1', leaderlessMs: 90 * 60_000 },
    { at: new Date(base + 20 * HOUR), kind: 'expired', fromHolder: 'pod-a_1' },
    // A resumption naming no holder changes nothing: nobody leads until the acquisition at 26 h.
    { at: new Date(base + 20 * HOUR + 30 * 60_000), kind: 'resumed', fromHolder: 'pod-b_2', toHolder: null },
    { at: new Date(base + 26 * HOUR), cause: 'expiry', fromHolder: null, toHolder: 'pod-b_2' },
  ]);
  await seedGap(db.store, eu, { startedAt: new Date(base + 5 * HOUR + 1_234), endedAt: new Date(base + 6 * HOUR + 20 * 60_000) });
  await seedGap(db.store, eu, { startedAt: new Date(base + 20 * HOUR + 30 * 60_000), endedAt: new Date(base + 20 * HOUR + 40 * 60_000), reason: 'controller_down' });
  await seedGap(db.store, us, { startedAt: new Date(base + 12 * HOUR), endedAt: new Date(base + 12 * HOUR + 5_000) });
  await seedGap(db.store, us, { startedAt: new Date(base + 40 * HOUR + 17), endedAt: null, reason: 'connect_failed' });
});

afterAll(async () => {
  await db.drop();
});

describe('the failover audit over timeline rollups', () => {
  it('rolls up closed ten-minute buckets once and writes nothing the second time', async () => {
    const first = await rollUpTimelines(db.store, { now: new Date(base + 43 * HOUR) });
    expect(first).toMatchObject({ isSkipped: false, rolledUntil: new Date(base + 42 * HOUR + 50 * 60_000), leases: 6 });
    expect(first.rowsWritten).toBeGreaterThan(1_000);
    expect(await rollUpTimelines(db.store, { now: new Date(base + 43 * HOUR) })).toMatchObject({ isSkipped: false, rowsWritten: 0 });
  });

  it('summarises every window exactly as from the transitions themselves', async () => {
    await expectSameAsReference([
      { range: { from: new Date(base + 2 * HOUR), to: new Date(base + 8 * HOUR) }, until: new Date(base + 43 * HOUR) },
      { range: { from: new Date(base + 9 * HOUR + 30 * 60_000), to: new Date(base + 20 * HOUR) }, until: new Date(base + 43 * HOUR) },
      { range: { from: new Date(base + 19 * HOUR), to: new Date(base + 30 * HOUR) }, until: new Date(base + 43 * HOUR) },
      { range: { from: new Date(base + 21 * HOUR), to: new Date(base + 30 * HOUR) }, until: new Date(base + 43 * HOUR) },
      ...randomWindows(150),
    ]);
  });

  it('sees transitions stored late once the job ran again', async () => {
    const late = new Date(base + 17 * HOUR + 123_456);
    await seedTransitions(db.store, flappy, [
      { at: late, kind: 'missed', fromHolder: 'pod-a_1', toHolder: 'pod-a_1', missedCount: 3 },
      { at: new Date(late.getTime() + 1_000), cause: 'expiry', fromHolder: 'pod-a_1', toHolder: 'pod-b_2', leaderlessMs: 3 * HOUR },
    ]);
    const run = await rollUpTimelines(db.store, { now: new Date(base + 43 * HOUR) });
    expect(run.rowsWritten).toBeGreaterThan(0);
    await expectSameAsReference([
      { range: { from: new Date(base + 12 * HOUR), to: new Date(base + 24 * HOUR) }, until: new Date(base + 43 * HOUR) },
      ...randomWindows(20),
    ]);
  });

  it('reads transitions for the buckets not rolled up yet', async () => {
    await db.store.prisma.$executeRaw`DELETE FROM "TimelineRollup" WHERE bucket >= ${new Date(base + 20 * HOUR)}::timestamptz`;
    await expectSameAsReference(randomWindows(20));
  });
});
