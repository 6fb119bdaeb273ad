import { describe, expect, it } from 'vitest';
import { heartbeatGapConditions, type HeartbeatFacts } from '@/lib/alerts/conditions';
import { heartbeatGapParams } from '@/lib/alerts/params';

const node = (name: string, worstGapMs: number | null, lastRenewAt: number | null, cluster = 'prod-eu'): HeartbeatFacts => ({ subject: { cluster, namespace: 'kube-node-lease', name }, worstGapMs, lastRenewAt });
const now = 1_000_000;

describe('heartbeat_gap rule', () => {
  it('fires per node for a gap that ended in the window or one still open, and says when a quiet node would cross', () => {
    const params = heartbeatGapParams.parse({ gapSeconds: 30 });
    expect(params).toEqual({ scope: 'node', gapSeconds: 30, windowSeconds: 300, clusterSharePercent: 50 });
    const [closed, open, fine] = heartbeatGapConditions([node('a', 35_000, now - 5_000), node('b', 10_000, now - 31_000), node('c', 10_500, now - 4_000)], params, now);
    expect(closed).toMatchObject({ isActive: true, value: 35, summary: 'heartbeat gap 35 s (threshold 30 s)' });
    expect(open).toMatchObject({ isActive: true, value: 31 });
    expect(fine).toMatchObject({ isActive: false, changesAt: now - 4_000 + 30_000 });
  });

  it('fires per cluster once the share of nodes with a gap reaches the threshold', () => {
    const params = heartbeatGapParams.parse({ scope: 'cluster', gapSeconds: 20, clusterSharePercent: 50 });
    const facts = [node('a', 25_000, now - 1_000), node('b', 22_000, now - 1_000), node('c', 10_000, now - 1_000), node('d', 10_000, now - 2_000), node('x', 30_000, now, 'prod-us'), node('y', 10_000, now, 'prod-us'), node('z', 10_000, now, 'prod-us')];
    const conditions = heartbeatGapConditions(facts, params, now);
    expect(conditions.map((condition) => [condition.subject, condition.isActive, condition.value])).toEqual([
      [{ cluster: 'prod-eu', namespace: null, name: null }, true, 50],
      [{ cluster: 'prod-us', namespace: null, name: null }, false, 33.3],
    ]);
    expect(conditions[0]!.summary).toBe('2 of 4 nodes with a heartbeat gap of 20 s or more within 5 min (50 %, threshold 50 %)');
  });

  it('refuses thresholds below the kubelet renew interval and unknown scopes', () => {
    expect(heartbeatGapParams.safeParse({ gapSeconds: 10 }).error?.issues[0]?.message).toBe('gapSeconds must be a whole number from 11 to 3600');
    expect(heartbeatGapParams.safeParse({ gapSeconds: 30, scope: 'pod' }).error?.issues[0]?.message).toBe('scope must be node or cluster');
  });
});
