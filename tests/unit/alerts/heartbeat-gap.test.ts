import { describe, expect, it } from 'vitest';
import { clusterShareIntervals, heartbeatGapConditions, heartbeatGapPeriods, neededNodes, type HeartbeatFacts } from '@/lib/alerts/conditions';
import { heartbeatGapParams } from '@/lib/alerts/params';

const now = 1_000_000;
// A closed gap of `gapMs` that ended `agoMs` before now, and the last renewal `lastAgoMs` before now.
const node = (name: string, gapMs: number | null, lastAgoMs: number | null, cluster = 'prod-eu', gapAgoMs = 1_000): HeartbeatFacts => ({
  subject: { cluster, namespace: 'kube-node-lease', name },
  gaps: gapMs === null ? [] : [{ endedAt: now - gapAgoMs, gapMs }],
  lastRenewAt: lastAgoMs === null ? null : now - lastAgoMs,
  blindSince: null,
});

describe('heartbeat_gap rule', () => {
  it('fires per node for a gap that ended in the window or one still open, and says when a quiet node would cross', () => {
    const params = heartbeatGapParams.parse({ gapSeconds: 30 });
    expect(params).toEqual({ scope: 'node', gapSeconds: 30, windowSeconds: 300, clusterSharePercent: 50 });
    const [closed, open, fine] = heartbeatGapConditions([node('a', 35_000, 5_000, 'prod-eu', 5_000), node('b', 10_000 + 1, 31_000), node('c', null, 4_000)], params, now);
    expect(closed).toMatchObject({ isActive: true, value: 35, summary: 'heartbeat gap 35 s (threshold 30 s)' });
    expect(open).toMatchObject({ isActive: true, value: 31 });
    expect(fine).toMatchObject({ isActive: false, changesAt: now - 4_000 + 30_000 });
  });

  it('fires per cluster once the share of nodes over the threshold at the same moment reaches the threshold', () => {
    const params = heartbeatGapParams.parse({ scope: 'cluster', gapSeconds: 20, clusterSharePercent: 50 });
    const facts = [node('a', 25_000, 1_000), node('b', 22_000, 1_000), node('c', null, 1_000), node('d', null, 2_000), node('x', 30_000, 0, 'prod-us'), node('y', null, 0, 'prod-us'), node('z', null, 0, 'prod-us')];
    const conditions = heartbeatGapConditions(facts, params, now);
    expect(conditions.map((condition) => [condition.subject, condition.isActive, condition.value])).toEqual([
      [{ cluster: 'prod-eu', namespace: null, name: null }, true, 50],
      [{ cluster: 'prod-us', namespace: null, name: null }, false, 33.3],
    ]);
    expect(conditions[0]!.summary).toBe('2 of 4 nodes with a heartbeat gap of 20 s or more at once within 5 min (50 %, threshold 50 %)');
  });

  it('counts gaps at once only when they overlap, as the preview does', () => {
    const params = heartbeatGapParams.parse({ scope: 'cluster', gapSeconds: 20, clusterSharePercent: 50 });
    // Two gaps of 25 s inside the window, one a minute after the other: never two nodes over 20 s together.
    const apart = [node('a', 25_000, 1_000, 'prod-eu', 100_000), node('b', 25_000, 1_000, 'prod-eu', 10_000), node('c', null, 1_000), node('d', null, 1_000)];
    const [condition] = heartbeatGapConditions(apart, params, now);
    expect(condition).toMatchObject({ isActive: false, value: 25 });
    const perNode = apart.map((fact) => heartbeatGapPeriods(fact, 20_000));
    const upToNow = (intervals: Array<{ start: number; end: number | null }>) => intervals.filter((interval) => interval.start <= now);
    expect(upToNow(clusterShareIntervals(perNode, neededNodes(4, 50)))).toEqual([]);
    const together = [node('a', 25_000, 1_000, 'prod-eu', 10_000), node('b', 26_000, 1_000, 'prod-eu', 9_000), node('c', null, 1_000), node('d', null, 1_000)];
    expect(heartbeatGapConditions(together, params, now)[0]).toMatchObject({ isActive: true, value: 50 });
    expect(upToNow(clusterShareIntervals(together.map((fact) => heartbeatGapPeriods(fact, 20_000)), 2))).toEqual([{ start: now - 15_000, end: now - 10_000 }]);
  });

  it('never fires while Leasetrail is blind on the cluster: the silence of every node is then its own', () => {
    const blindSince = now - 60_000;
    // The watch went down a minute ago; the nodes renewed until then, so every lease looks 60 s old.
    const blind = ['a', 'b', 'c', 'd'].map((name) => ({ ...node(name, null, 61_000), blindSince }));
    expect(heartbeatGapConditions(blind, heartbeatGapParams.parse({ gapSeconds: 30 }), now).map((condition) => condition.isActive)).toEqual([false, false, false, false]);
    expect(heartbeatGapConditions(blind, heartbeatGapParams.parse({ scope: 'cluster', gapSeconds: 30 }), now)[0]).toMatchObject({ isActive: false, value: 0, changesAt: null });
    // A gap that had already crossed the threshold before Leasetrail went blind still counts, up to then.
    const stuck = { ...node('e', null, 100_000), blindSince };
    expect(heartbeatGapConditions([stuck], heartbeatGapParams.parse({ gapSeconds: 30 }), now)[0]).toMatchObject({ isActive: true, value: 40 });
  });

  it('refuses thresholds below the kubelet renew interval and unknown scopes', () => {
    expect(heartbeatGapParams.safeParse({ gapSeconds: 10 }).error?.issues[0]?.message).toBe('gapSeconds must be a whole number from 11 to 3600');
    expect(heartbeatGapParams.safeParse({ gapSeconds: 30, scope: 'pod' }).error?.issues[0]?.message).toBe('scope must be node or cluster');
  });
});
