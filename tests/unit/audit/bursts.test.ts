import { describe, expect, it } from 'vitest';
import { createBurstMarker, groupBursts, type BurstMember } from '../../../lib/audit/bursts';

const failover = (id: string, at: number, cluster = 'eu', name = `lease-${id}`): BurstMember => ({ id, at, cluster, namespace: 'kube-system', name });

describe('groupBursts', () => {
  it('finds nothing in an empty window or around a lone failover', () => {
    expect(groupBursts([], 60_000)).toEqual([]);
    expect(groupBursts([failover('1', 0)], 60_000)).toEqual([]);
  });

  it('joins failovers at most W apart into one burst and reports its clusters, leases and span', () => {
    const bursts = groupBursts([failover('1', 0, 'eu', 'a'), failover('2', 20_000, 'us', 'b'), failover('3', 40_000, 'eu', 'a')], 20_000);
    expect(bursts).toEqual([
      { start: 0, end: 40_000, count: 3, clusters: ['eu', 'us'], leases: ['eu/kube-system/a', 'us/kube-system/b'], failoverIds: ['1', '2', '3'] },
    ]);
  });

  it('chains: the run continues while each gap is within W, however long the run', () => {
    const chain = Array.from({ length: 10 }, (_, index) => failover(String(index), index * 50_000));
    const [burst] = groupBursts(chain, 50_000);
    expect(burst?.count).toBe(10);
    expect(burst?.end).toBe(450_000);
  });

  it('splits where one gap exceeds W by a millisecond', () => {
    const bursts = groupBursts([failover('1', 0), failover('2', 1_000), failover('3', 62_001), failover('4', 63_000)], 60_000);
    expect(bursts.map((burst) => burst.failoverIds)).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('orders by time first, whatever order the failovers come in', () => {
    const bursts = groupBursts([failover('3', 20_000), failover('1', 0), failover('2', 10_000)], 10_000);
    expect(bursts[0]?.failoverIds).toEqual(['1', '2', '3']);
  });

  it('puts the largest burst first, then the one across more clusters, then the earlier one', () => {
    const bursts = groupBursts(
      [
        failover('a1', 0, 'eu'),
        failover('a2', 1_000, 'eu'),
        failover('b1', 100_000, 'eu'),
        failover('b2', 101_000, 'us'),
        failover('c1', 200_000, 'eu'),
        failover('c2', 201_000, 'eu'),
        failover('c3', 202_000, 'eu'),
        failover('d1', 300_000, 'eu'),
        failover('d2', 301_000, 'eu'),
      ],
      5_000,
    );
    expect(bursts.map((burst) => burst.failoverIds[0])).toEqual(['c1', 'b1', 'a1', 'd1']);
  });

  it('counts a lease that failed over twice in a burst once among its leases', () => {
    const [burst] = groupBursts([failover('1', 0, 'eu', 'a'), failover('2', 3_000, 'eu', 'a')], 60_000);
    expect(burst?.count).toBe(2);
    expect(burst?.leases).toEqual(['eu/kube-system/a']);
  });
});

describe('createBurstMarker, groupBursts for a stream', () => {
  // A small linear congruential generator: the same histories on every run.
  const randomFrom = (seed: number) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;

  it('marks every failover with the start of the burst groupBursts puts it in, on random histories', () => {
    const random = randomFrom(7);
    for (let history = 0; history < 300; history += 1) {
      let at = 0;
      const items = Array.from({ length: Math.floor(random() * 40) }, (_, i) => {
        at += Math.floor(random() * 3) === 0 ? Math.floor(random() * 200_000) : Math.floor(random() * 70_000);
        return { id: String(i), at, cluster: 'c', namespace: 'n', name: `l${i % 3}`, isTimed: random() > 0.15 };
      });
      const bursts = groupBursts(items.filter((item) => item.isTimed), 60_000);
      const expected = items.map((item) => (item.isTimed ? (bursts.find((burst) => burst.failoverIds.includes(item.id))?.start ?? null) : null));
      const marker = createBurstMarker<(typeof items)[number]>({ maxGapMs: 60_000, atOf: (item) => item.at, isTimed: (item) => item.isTimed });
      const marked = [...items.flatMap((item) => marker.push(item)), ...marker.end()];
      expect(marked.map((entry) => entry.item.id)).toEqual(items.map((item) => item.id));
      expect(marked.map((entry) => entry.burstStart)).toEqual(expected);
    }
  });

  it('holds back only what waits on the next failover', () => {
    const marker = createBurstMarker<{ at: number; timed: boolean }>({ maxGapMs: 10, atOf: (item) => item.at, isTimed: (item) => item.timed });
    expect(marker.push({ at: 0, timed: true })).toEqual([]);
    expect(marker.push({ at: 5, timed: false })).toEqual([]);
    expect(marker.push({ at: 8, timed: true }).map((entry) => entry.burstStart)).toEqual([0, null, 0]);
    expect(marker.push({ at: 9, timed: false })).toEqual([{ item: { at: 9, timed: false }, burstStart: null }]);
    expect(marker.push({ at: 100, timed: true })).toEqual([]);
    expect(marker.end()).toEqual([{ item: { at: 100, timed: true }, burstStart: null }]);
  });
});
