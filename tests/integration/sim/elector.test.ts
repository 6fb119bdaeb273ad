import { describe, expect, it } from 'vitest';
import { LeaderElector } from '@/lib/sim/elector';
import { parseMicroTime } from '@/lib/sim/micro-time';
import { waitFor } from './support';
import { acquisitions, maxJitteredWait, slackMs, startElector, state, timings, registerElectorHarness, waitForLeader } from './elector-support';

registerElectorHarness();

describe('LeaderElector (client-go port)', () => {
  it('hands over within about one RetryPeriod after a graceful release', async () => {
    for (const id of ['a', 'b', 'c']) startElector(`host-${id}_${id}`, { releaseOnCancel: true });
    const leader = await waitForLeader();
    await leader.stop();
    const release = state.writes.find((write) => write.holder === '')!;
    expect(release.transitions).toBe(state.writes.at(-2)!.transitions);
    const next = await waitForLeader(leader);
    const takeover = state.writes.find((write) => write.holder === next.identity)!;
    expect(takeover.at - release.at).toBeLessThanOrEqual(maxJitteredWait + slackMs);
    expect(acquisitions().at(-1)).toMatchObject({ from: '', cause: 'after-release' });
    expect(state.events.find((event) => event.type === 'released')).toMatchObject({ identity: leader.identity });
  });

  it('writes ReleaseOnCancel as an empty holder with a 1 s duration and unchanged transitions', async () => {
    const only = startElector('solo_1', { releaseOnCancel: true });
    await waitForLeader();
    await only.stop();
    const lease = state.server.store.getOrThrow('kube-system', 'kube-scheduler');
    expect(lease.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, leaseTransitions: 0 });
    expect(lease.spec.acquireTime).toBe(lease.spec.renewTime);
    expect(lease.spec.renewTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  it('counts leaseTransitions exactly once per change of holder', async () => {
    for (const id of ['a', 'b', 'c', 'd']) startElector(`host-${id}_${id}`, { releaseOnCancel: true });
    let leader = await waitForLeader();
    await leader.stop();
    leader = await waitForLeader(leader);
    await leader.crash();
    leader = await waitForLeader(leader);
    await leader.stop();
    await waitForLeader(leader);
    const holderChanges = state.writes.filter((write, i) => write.holder !== '' && i > 0 && write.holder !== state.writes[i - 1]!.holder).length;
    expect(acquisitions()).toHaveLength(holderChanges + 1);
    expect(acquisitions()[0]!.cause).toBe('first');
    expect(state.server.store.getOrThrow('kube-system', 'kube-scheduler').spec.leaseTransitions).toBe(holderChanges);
    expect(acquisitions().map((event) => event.leaseTransitions)).toEqual(acquisitions().map((_, i) => i));
  });

  it('lets a paused leader believe until its RenewDeadline passes after resuming, and never lets it write again', async () => {
    for (const id of ['a', 'b']) startElector(`host-${id}_${id}`);
    const paused = await waitForLeader();
    paused.pause();
    const successor = await waitForLeader(paused);
    expect(paused.isLeader).toBe(true);
    const takeoverAt = state.writes.find((write) => write.holder === successor.identity)!.at;
    const resumedAt = performance.now();
    paused.resume();
    expect(await paused.done).toBe('lost');
    const stoppedAfter = state.events.find((event) => event.type === 'stopped-leading' && event.identity === paused.identity)!.monotonic - resumedAt;
    expect(stoppedAfter).toBeLessThanOrEqual(timings.retryPeriodMs + timings.renewDeadlineMs + slackMs);
    expect(state.writes.filter((write) => write.holder === paused.identity && write.at > takeoverAt)).toEqual([]);
  });

  it('writes its skewed clock into renewTime while takeovers still follow the candidates own clocks', async () => {
    const hourMs = 3_600_000;
    const skewed = startElector('skewed_1');
    await waitForLeader();
    startElector('honest_1');
    skewed.setClockOffset(hourMs);
    await waitFor(() => state.writes.filter((write) => write.holder === skewed.identity).length > 12, 5_000, 'skewed renewals');
    const last = state.writes.filter((write) => write.holder === skewed.identity).at(-1)!;
    const offset = parseMicroTime(last.renewTime)! - Date.now();
    expect(offset).toBeGreaterThan(hourMs - 5_000);
    expect(offset).toBeLessThan(hourMs + 5_000);
    expect(new Set(state.writes.map((write) => write.holder))).toEqual(new Set([skewed.identity]));
  });

  it('loses leadership when its calls are slower than RenewDeadline, and a candidate takes over', async () => {
    const slow = startElector('slow_1');
    await waitForLeader();
    startElector('fast_1');
    slow.setCallDelay(timings.renewDeadlineMs + 300);
    const slowedAt = performance.now();
    expect(await slow.done).toBe('lost');
    expect(performance.now() - slowedAt).toBeLessThanOrEqual(timings.retryPeriodMs + timings.renewDeadlineMs + slackMs);
    const next = await waitForLeader(slow);
    expect(next.identity).toBe('fast_1');
    expect(acquisitions().at(-1)).toMatchObject({ from: 'slow_1', cause: 'after-expiry' });
  });

  it('leaves the holder in place without ReleaseOnCancel, so the successor waits for expiry', async () => {
    for (const id of ['a', 'b']) startElector(`host-${id}_${id}`, { releaseOnCancel: false });
    const leader = await waitForLeader();
    const stoppedAt = performance.now();
    await leader.stop();
    expect(state.server.store.getOrThrow('kube-system', 'kube-scheduler').spec.holderIdentity).toBe(leader.identity);
    await waitForLeader(leader);
    expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(timings.leaseDurationMs - 1_000);
    expect(acquisitions().at(-1)).toMatchObject({ from: leader.identity, cause: 'after-expiry' });
  });

  it('refuses timings client-go refuses', () => {
    expect(() => new LeaderElector({ kubeConfig: state.kubeConfig, namespace: 'a', name: 'b', identity: 'c', leaseDurationMs: 2_000, renewDeadlineMs: 2_000, retryPeriodMs: 100 })).toThrow(
      /leaseDuration must be greater than renewDeadline/,
    );
  });
});
