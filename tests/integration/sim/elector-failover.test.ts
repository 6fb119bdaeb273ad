import { describe, expect, it } from 'vitest';
import { waitFor } from './support';
import { acquisitions, believers, lastRecordChange, maxJitteredWait, slackMs, startElector, state, timings, registerElectorHarness, waitForLeader } from './elector-support';

registerElectorHarness();

describe('LeaderElector (client-go port): failover', () => {
  it('elects exactly one leader and never lets two believe at once across crashes and stops', async () => {
    let overlaps = 0;
    const sampler = setInterval(() => {
      if (believers().length > 1) overlaps++;
    }, 2);
    try {
      for (const id of ['a', 'b', 'c']) startElector(`host-${id}_${id}`);
      let leader = await waitForLeader();
      await leader.crash();
      startElector('host-d_d');
      leader = await waitForLeader(leader);
      await leader.stop({ release: true });
      leader = await waitForLeader(leader);
      await leader.crash();
      await waitForLeader(leader);
    } finally {
      clearInterval(sampler);
    }
    expect(overlaps).toBe(0);
    const intervals = new Map<string, { start: number; end: number }>();
    for (const event of state.events) {
      if (event.type === 'started-leading') intervals.set(event.identity, { start: event.monotonic, end: Infinity });
      if (event.type === 'stopped-leading') intervals.get(event.identity)!.end = event.monotonic;
    }
    const sorted = [...intervals.values()].sort((x, y) => x.start - y.start);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.start).toBeGreaterThanOrEqual(sorted[i - 1]!.end);
    expect(sorted).toHaveLength(4);
  });

  it('takes over after a crash no sooner than LeaseDuration after the last change and within LeaseDuration + 2 jittered retries', async () => {
    for (const id of ['a', 'b', 'c']) startElector(`host-${id}_${id}`);
    let leader = await waitForLeader();
    for (let round = 0; round < 2; round++) {
      await waitFor(() => state.writes.filter((write) => write.holder === leader.identity).length >= 8, 5_000, 'a few renewals');
      const crashedAt = performance.now();
      await leader.crash();
      const crashed = leader.identity;
      leader = await waitForLeader();
      const takeover = state.writes.find((write) => write.holder === leader.identity)!;
      const lastRenewal = state.writes.filter((write) => write.holder === crashed).at(-1)!;
      expect(takeover.at - lastRecordChange(crashed).at).toBeGreaterThanOrEqual(timings.leaseDurationMs);
      // Renewals within one second look alike to client-go, so the last renewal can be up to a second later.
      expect(takeover.at - lastRenewal.at).toBeGreaterThanOrEqual(timings.leaseDurationMs - 1_000);
      expect(takeover.at - crashedAt).toBeLessThanOrEqual(timings.leaseDurationMs + 2 * maxJitteredWait + slackMs);
      expect(acquisitions().at(-1)).toMatchObject({ identity: leader.identity, from: crashed, cause: 'after-expiry' });
    }
  });
});
