import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LeaseApiServer } from '@/lib/sim/api-server';
import { LeaderElector, type ElectorEvent, type ElectorOptions } from '@/lib/sim/elector';
import { formatTime, parseMicroTime } from '@/lib/sim/micro-time';
import { startApiServer, waitFor } from './support';

// Whole seconds, as a Lease stores them; RetryPeriod + RenewDeadline stays under LeaseDuration − 1 s because
// client-go compares records at one-second resolution.
const timings = { leaseDurationMs: 2_000, renewDeadlineMs: 700, retryPeriodMs: 150 };
const maxJitteredWait = timings.retryPeriodMs * 2.2;
const slackMs = 150;

type Write = { at: number; holder: string; transitions: number; renewTime: string; resourceVersion: string };
type Seen = ElectorEvent & { monotonic: number };

let server: LeaseApiServer;
let kubeConfig: KubeConfig;
let writes: Write[];
let events: Seen[];
let electors: LeaderElector[];

beforeEach(async () => {
  ({ server, kubeConfig } = await startApiServer());
  writes = [];
  events = [];
  electors = [];
  server.onWrite((event) =>
    writes.push({
      at: performance.now(),
      holder: event.object.spec.holderIdentity ?? '',
      transitions: event.object.spec.leaseTransitions ?? 0,
      renewTime: event.object.spec.renewTime ?? '',
      resourceVersion: event.object.metadata.resourceVersion,
    }),
  );
});

afterEach(async () => {
  await Promise.all(electors.map((elector) => elector.crash()));
  await server.stop();
});

function startElector(identity: string, options: Partial<ElectorOptions> = {}): LeaderElector {
  const elector = new LeaderElector({
    kubeConfig,
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity,
    ...timings,
    onEvent: (event) => events.push({ ...event, monotonic: performance.now() }),
    ...options,
  });
  electors.push(elector);
  void elector.start();
  return elector;
}

function believers(): LeaderElector[] {
  return electors.filter((elector) => elector.isLeader);
}

async function waitForLeader(except?: LeaderElector): Promise<LeaderElector> {
  return waitFor(() => believers().find((elector) => elector !== except), 10_000, 'a leader');
}

function acquisitions(): Array<Extract<Seen, { type: 'acquired' }>> {
  return events.filter((event): event is Extract<Seen, { type: 'acquired' }> => event.type === 'acquired');
}

/** The write at which the record last changed as client-go compares it: renewTime at whole seconds. */
function lastRecordChange(holder: string): Write {
  const own = writes.filter((write) => write.holder === holder);
  const last = own.at(-1)!;
  const second = (write: Write) => formatTime(parseMicroTime(write.renewTime)!);
  return own.find((write) => second(write) === second(last))!;
}

describe('LeaderElector (client-go port)', () => {
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
    for (const event of events) {
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
      await waitFor(() => writes.filter((write) => write.holder === leader.identity).length >= 8, 5_000, 'a few renewals');
      const crashedAt = performance.now();
      await leader.crash();
      const crashed = leader.identity;
      leader = await waitForLeader();
      const takeover = writes.find((write) => write.holder === leader.identity)!;
      const lastRenewal = writes.filter((write) => write.holder === crashed).at(-1)!;
      expect(takeover.at - lastRecordChange(crashed).at).toBeGreaterThanOrEqual(timings.leaseDurationMs);
      // Renewals within one second look alike to client-go, so the last renewal can be up to a second later.
      expect(takeover.at - lastRenewal.at).toBeGreaterThanOrEqual(timings.leaseDurationMs - 1_000);
      expect(takeover.at - crashedAt).toBeLessThanOrEqual(timings.leaseDurationMs + 2 * maxJitteredWait + slackMs);
      expect(acquisitions().at(-1)).toMatchObject({ identity: leader.identity, from: crashed, cause: 'after-expiry' });
    }
  });

  it('hands over within about one RetryPeriod after a graceful release', async () => {
    for (const id of ['a', 'b', 'c']) startElector(`host-${id}_${id}`, { releaseOnCancel: true });
    const leader = await waitForLeader();
    await leader.stop();
    const release = writes.find((write) => write.holder === '')!;
    expect(release.transitions).toBe(writes.at(-2)!.transitions);
    const next = await waitForLeader(leader);
    const takeover = writes.find((write) => write.holder === next.identity)!;
    expect(takeover.at - release.at).toBeLessThanOrEqual(maxJitteredWait + slackMs);
    expect(acquisitions().at(-1)).toMatchObject({ from: '', cause: 'after-release' });
    expect(events.find((event) => event.type === 'released')).toMatchObject({ identity: leader.identity });
  });

  it('writes ReleaseOnCancel as an empty holder with a 1 s duration and unchanged transitions', async () => {
    const only = startElector('solo_1', { releaseOnCancel: true });
    await waitForLeader();
    await only.stop();
    const lease = server.store.getOrThrow('kube-system', 'kube-scheduler');
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
    const holderChanges = writes.filter((write, i) => write.holder !== '' && i > 0 && write.holder !== writes[i - 1]!.holder).length;
    expect(acquisitions()).toHaveLength(holderChanges + 1);
    expect(acquisitions()[0]!.cause).toBe('first');
    expect(server.store.getOrThrow('kube-system', 'kube-scheduler').spec.leaseTransitions).toBe(holderChanges);
    expect(acquisitions().map((event) => event.leaseTransitions)).toEqual(acquisitions().map((_, i) => i));
  });

  it('lets a paused leader believe until its RenewDeadline passes after resuming, and never lets it write again', async () => {
    for (const id of ['a', 'b']) startElector(`host-${id}_${id}`);
    const paused = await waitForLeader();
    paused.pause();
    const successor = await waitForLeader(paused);
    expect(paused.isLeader).toBe(true);
    const takeoverAt = writes.find((write) => write.holder === successor.identity)!.at;
    const resumedAt = performance.now();
    paused.resume();
    expect(await paused.done).toBe('lost');
    const stoppedAfter = events.find((event) => event.type === 'stopped-leading' && event.identity === paused.identity)!.monotonic - resumedAt;
    expect(stoppedAfter).toBeLessThanOrEqual(timings.retryPeriodMs + timings.renewDeadlineMs + slackMs);
    expect(writes.filter((write) => write.holder === paused.identity && write.at > takeoverAt)).toEqual([]);
  });

  it('writes its skewed clock into renewTime while takeovers still follow the candidates own clocks', async () => {
    const hourMs = 3_600_000;
    const skewed = startElector('skewed_1');
    await waitForLeader();
    startElector('honest_1');
    skewed.setClockOffset(hourMs);
    await waitFor(() => writes.filter((write) => write.holder === skewed.identity).length > 12, 5_000, 'skewed renewals');
    const last = writes.filter((write) => write.holder === skewed.identity).at(-1)!;
    const offset = parseMicroTime(last.renewTime)! - Date.now();
    expect(offset).toBeGreaterThan(hourMs - 5_000);
    expect(offset).toBeLessThan(hourMs + 5_000);
    expect(new Set(writes.map((write) => write.holder))).toEqual(new Set([skewed.identity]));
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
    expect(server.store.getOrThrow('kube-system', 'kube-scheduler').spec.holderIdentity).toBe(leader.identity);
    await waitForLeader(leader);
    expect(performance.now() - stoppedAt).toBeGreaterThanOrEqual(timings.leaseDurationMs - 1_000);
    expect(acquisitions().at(-1)).toMatchObject({ from: leader.identity, cause: 'after-expiry' });
  });

  it('refuses timings client-go refuses', () => {
    expect(() => new LeaderElector({ kubeConfig, namespace: 'a', name: 'b', identity: 'c', leaseDurationMs: 2_000, renewDeadlineMs: 2_000, retryPeriodMs: 100 })).toThrow(
      /leaseDuration must be greater than renewDeadline/,
    );
  });
});
