import { describe, expect, it } from 'vitest';
import { emptyDegradedState, evaluateDegraded, feedDegraded, feedOwnedDegraded, getSourceStatus, getTypicalIntervalMs, type DegradedInput, type DegradedState } from '@/lib/leases/api-degraded';
import { compareVersions, pickStrategy, rankCandidates, type CandidateRecord } from '@/lib/leases/candidate-ranking';
import { buildFailoverHint, getSilentSince, type FailoverFacts } from '@/lib/leases/failover-hint';
import { getOwnerWorkload, isKeptEvent, parseIdentity, resolveHolderPod, type PodRecord } from '@/lib/leases/pod-identity';
import { T0, feed, observe, only, renewals, transitionsOf } from './factory';

const pod = (input: Partial<PodRecord> & { pod: string }): PodRecord => ({ namespace: 'kube-system', uid: `uid-${input.pod}`, nodeName: null, ownerKind: null, ownerName: null, firstSeenAt: 0, lastSeenAt: 100_000, ...input });

describe('identity parsing and pod resolution', () => {
  it.each([
    ['cp-2_6f0c2a7e-1b2c-4d5e-8f90-123456789abc', { host: 'cp-2', suffix: '6f0c2a7e-1b2c-4d5e-8f90-123456789abc' }],
    ['ingress-nginx-controller-7d9f8b6c5-x2k4p', { host: 'ingress-nginx-controller-7d9f8b6c5-x2k4p', suffix: null }],
    ['my_host_with_underscores_abc', { host: 'my_host_with_underscores', suffix: 'abc' }],
    ['trailing_', { host: 'trailing_', suffix: null }],
  ])('parses %s', (identity, expected) => {
    expect(parseIdentity(identity)).toEqual(expected);
  });

  it('names the workload: a ReplicaSet belongs to its Deployment, a Node owns a static pod', () => {
    expect(getOwnerWorkload('ReplicaSet', 'cert-manager-6d4b7c9f8d')).toEqual({ kind: 'Deployment', name: 'cert-manager' });
    expect(getOwnerWorkload('Node', 'cp-2')).toEqual({ kind: 'static pod', name: 'cp-2' });
    expect(getOwnerWorkload('StatefulSet', 'etcd')).toEqual({ kind: 'StatefulSet', name: 'etcd' });
    expect(getOwnerWorkload(null, null)).toBeNull();
  });

  it('resolves a Deployment pod by name and a static pod by its node, preferring the lease component', () => {
    const pods = [
      pod({ pod: 'kube-controller-manager-cp-2', nodeName: 'cp-2' }),
      pod({ pod: 'kube-scheduler-cp-2', nodeName: 'cp-2' }),
      pod({ pod: 'widget-6d4b7c9f8d-x2k4p', namespace: 'operators', nodeName: 'worker-1' }),
    ];
    expect(resolveHolderPod('cp-2_abc', pods, { namespace: 'kube-system', leaseName: 'kube-scheduler', at: 50_000 })?.pod).toBe('kube-scheduler-cp-2');
    expect(resolveHolderPod('widget-6d4b7c9f8d-x2k4p_abc', pods, { namespace: 'operators', leaseName: 'widgets', at: 50_000 })?.nodeName).toBe('worker-1');
    // Two static pods on the node and neither is the lease's component: ambiguous, so no answer.
    expect(resolveHolderPod('cp-2_abc', pods, { namespace: 'kube-system', leaseName: 'cloud-controller', at: 50_000 })).toBeNull();
    // A pod seen only long after the moment is not the one that held the lease then.
    expect(resolveHolderPod('cp-2_abc', [pod({ pod: 'kube-scheduler-cp-2', nodeName: 'cp-2', firstSeenAt: 10 * 60_000, lastSeenAt: 20 * 60_000 })], { namespace: 'kube-system', leaseName: 'kube-scheduler', at: 0 })).toBeNull();
  });
});

describe('which Events are kept', () => {
  const hosts = new Map([['cp-2', 0], ['widget-6d4b7c9f8d-x2k4p', 0]]);
  it('keeps LeaderElection Events and the Events of holder pods only', () => {
    expect(isKeptEvent({ involvedKind: 'Lease', involvedName: 'kube-scheduler', reason: 'LeaderElection' }, new Map())).toBe(true);
    expect(isKeptEvent({ involvedKind: 'Pod', involvedName: 'kube-scheduler-cp-2', reason: 'BackOff' }, hosts)).toBe(true);
    expect(isKeptEvent({ involvedKind: 'Pod', involvedName: 'widget-6d4b7c9f8d-x2k4p', reason: 'OOMKilling' }, hosts)).toBe(true);
    expect(isKeptEvent({ involvedKind: 'Pod', involvedName: 'batch-job-29384-abcde', reason: 'Pulled' }, hosts)).toBe(false);
    expect(isKeptEvent({ involvedKind: 'Node', involvedName: 'cp-2', reason: 'NodeNotReady' }, hosts)).toBe(false);
  });
});

describe('candidate ranking (OldestEmulationVersion)', () => {
  const now = 10 * 60_000;
  const candidate = (name: string, binaryVersion: string, emulationVersion: string | null, extra: Partial<CandidateRecord> = {}): CandidateRecord => ({ name, leaseName: 'kube-scheduler', binaryVersion, emulationVersion, strategy: 'OldestEmulationVersion', pingTime: null, renewTime: now - 1000, createdAt: 0, ...extra });

  it('ranks the lowest emulation version first, then the lowest binary, then the oldest, and says why', () => {
    const ranked = rankCandidates(
      [candidate('a', '1.34.0', '1.34'), candidate('b', '1.34.0', '1.33'), candidate('c', '1.33.2', '1.33', { createdAt: 5 }), candidate('d', '1.33.2', '1.33', { createdAt: 1 }), candidate('e', '1.10.0', '1.10', { renewTime: now - 31 * 60_000 })],
      now,
    );
    expect(ranked.map((entry) => [entry.name, entry.rank])).toEqual([['d', 1], ['c', 2], ['b', 3], ['a', 4], ['e', null]]);
    expect(ranked[0]!.why).toBe('first: lowest emulation version 1.33, binary 1.33.2');
    expect(ranked[1]!.why).toBe('same versions, joined later');
    expect(ranked[2]!.why).toBe('same emulation version, binary 1.34.0 is newer than 1.33.2');
    expect(ranked[3]!.why).toBe('emulation version 1.34 is newer than 1.33');
    expect(ranked[4]).toMatchObject({ isStale: true, why: 'stale: no renewal for 30 min' });
  });

  it('compares versions numerically and by semver precedence, not as text', () => {
    expect(rankCandidates([candidate('new', '1.10.0', '1.10'), candidate('old', '1.9.0', '1.9')], now)[0]!.name).toBe('old');
    expect(compareVersions('v1.33.0-alpha.2', '1.33.0')).toBeLessThan(0);
    expect(compareVersions('1.33.0-alpha.10', '1.33.0-alpha.2')).toBeGreaterThan(0);
    expect(compareVersions(' 1.33 ', '1.33.0')).toBe(0);
  });

  it('skips a candidate whose emulation or binary version does not parse, as kube-apiserver does, instead of ranking it first', () => {
    const ranked = rankCandidates([candidate('none', '1.30.0', null), candidate('junk', 'abc', '1.30'), candidate('short', '1.33.0', '1.33-rc'), candidate('good', '1.34.0', '1.34')], now);
    expect(ranked.map((entry) => [entry.name, entry.rank])).toEqual([['good', 1], ['junk', null], ['none', null], ['short', null]]);
    expect(ranked.find((entry) => entry.name === 'none')!.why).toBe('not ranked: emulation version missing');
    expect(ranked.find((entry) => entry.name === 'junk')!.why).toBe('not ranked: binary version "abc" is no valid version');
  });

  it('takes the strategy from the candidates with the highest binary version and ranks every candidate that answered', () => {
    // An older candidate offering another strategy is still ranked: the newest binaries decide the strategy.
    const mixed = rankCandidates([candidate('old', '1.33.0', '1.33', { strategy: 'ThirdParty' }), candidate('new', '1.34.0', '1.33')], now);
    expect(mixed.map((entry) => [entry.name, entry.rank])).toEqual([['old', 1], ['new', 2]]);
    expect(pickStrategy([candidate('old', '1.33.0', '1.33'), candidate('new', '1.34.0', '1.34', { strategy: 'ThirdParty' })])).toEqual({ strategy: 'ThirdParty', conflict: null });
    const thirdParty = rankCandidates([candidate('old', '1.33.0', '1.33'), candidate('new', '1.34.0', '1.34', { strategy: 'ThirdParty' })], now);
    expect(thirdParty.map((entry) => entry.rank)).toEqual([null, null]);
    expect(thirdParty[0]!.why).toBe("the candidates' strategy ThirdParty is not built in: order unknown");
    const conflict = rankCandidates([candidate('a', '1.34.0', '1.34'), candidate('b', '1.34.0', '1.34', { strategy: 'ThirdParty' })], now);
    expect(conflict[0]!.why).toBe('not ranked: no election while a and b at binary version 1.34.0 offer OldestEmulationVersion and ThirdParty');
  });

  it('leaves out a candidate that has not answered its ping, and reports how fast the others answered', () => {
    const ranked = rankCandidates([candidate('slow', '1.30.0', '1.30', { pingTime: now - 500, renewTime: now - 2000 }), candidate('quick', '1.34.0', '1.34', { pingTime: now - 500, renewTime: now - 480 })], now);
    expect(ranked.map((entry) => [entry.name, entry.rank, entry.pingAnsweredMs])).toEqual([['quick', 1, 20], ['slow', null, null]]);
    expect(ranked[1]!.why).toBe('not ranked: ping not answered yet');
  });
});

describe('preferred-holder handover cause', () => {
  it('gives a handover to spec.preferredHolder its own cause', () => {
    const before = renewals('cp-1_a', 0, 10_000, 1);
    const marked = { ...observe({ holder: 'cp-1_a', acquire: 0, renew: 10_000, transitions: 1, at: 10_500 }), strategy: 'OldestEmulationVersion', preferredHolder: 'cp-2_b', resourceVersion: 'marked' };
    // As kube-apiserver's election controller writes it: acquireTime and preferredHolder cleared, leaseTransitions unchanged, 15 s.
    const takeover = { ...observe({ holder: 'cp-2_b', acquire: null, renew: 25_500, transitions: 1 }), strategy: 'OldestEmulationVersion' };
    const acquired = only(transitionsOf(feed([...before, marked, takeover]).events, 'acquired').slice(1));
    expect(acquired).toMatchObject({ cause: 'preferred_holder', fromHolder: 'cp-1_a', toHolder: 'cp-2_b', at: T0 + 25_500, leaderlessMs: 500 });
  });

  it('keeps expiry when someone other than the preferred holder takes the lease', () => {
    const marked = { ...observe({ holder: 'cp-1_a', acquire: 0, renew: 10_000, transitions: 1 }), preferredHolder: 'cp-2_b', strategy: 'OldestEmulationVersion' };
    const takeover = observe({ holder: 'cp-3_c', acquire: 26_000, renew: 26_000, transitions: 2 });
    expect(only(transitionsOf(feed([observe({ holder: 'cp-1_a', transitions: 1 }), marked, takeover]).events, 'acquired').slice(1)).cause).toBe('expiry');
  });
});

describe('API server degraded bands', () => {
  const renew = (key: string, observedAt: number, intervalMs: number | null = 2000): DegradedInput => ({ type: 'renewal', key, observedAt, intervalMs });
  const steady = (keys: string[], until: number) => keys.flatMap((key) => Array.from({ length: until / 2000 + 1 }, (_, i) => renew(key, i * 2000, i === 0 ? null : 2000)));

  it('opens a band when most leases stop renewing at once, dated from when they stopped, and closes it when they resume', () => {
    let state = feedDegraded(emptyDegradedState, steady(['a', 'b', 'c'], 10_000));
    expect(evaluateDegraded(state, 11_000).changes).toEqual([]);
    const opened = evaluateDegraded(state, 19_000);
    expect(opened.changes).toEqual([{ type: 'opened', band: { startedAt: 10_000, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 } }]);
    state = feedDegraded(opened.state, [renew('a', 20_000, 10_000), renew('b', 20_000, 10_000), renew('c', 20_000, 10_000)]);
    expect(evaluateDegraded(state, 20_100).changes).toEqual([{ type: 'closed', band: opened.changes[0]!.band, endedAt: 20_100 }]);
  });

  it('decides the same when its one holder feeds it in place, and feedDegraded leaves the state it was given alone', () => {
    const inputs: DegradedInput[] = [
      ...steady(['a', 'b', 'c', 'd'], 10_000),
      { type: 'holder-changed', key: 'd', observedAt: 10_500 },
      { type: 'watch', status: 'blind', at: 11_000 },
      renew('a', 11_500),
      { type: 'watch', status: 'streaming', at: 12_000 },
      renew('b', 14_000, 4_000),
      renew('d', 14_000, 3_500),
      renew('d', 16_000),
    ];
    const start = { ...emptyDegradedState, leases: new Map() };
    let pure: DegradedState = start;
    let owned: DegradedState = { ...emptyDegradedState, leases: new Map() };
    for (let from = 0; from < inputs.length; from += 5) {
      const before = new Map(pure.leases);
      const next = feedDegraded(pure, inputs.slice(from, from + 5));
      expect(pure.leases).toEqual(before);
      pure = next;
      owned = feedOwnedDegraded(owned, inputs.slice(from, from + 5));
      expect(owned).toEqual(pure);
    }
    expect(start.leases.size).toBe(0);
    for (const now of [16_500, 22_000, 30_000]) {
      const fromPure = evaluateDegraded(pure, now);
      const fromOwned = evaluateDegraded(owned, now);
      expect(fromOwned).toEqual(fromPure);
      pure = fromPure.state;
      owned = fromOwned.state;
    }
    expect(pure.open).toMatchObject({ reason: 'renewals_stalled' });
  });

  it('opens no band for two leases going quiet at once (two leaders on one dying node), and never overlaps bands', () => {
    const quiet = feedDegraded(emptyDegradedState, steady(['a', 'b', 'c', 'd'], 10_000).filter((input) => !(input.type === 'renewal' && ['a', 'b'].includes(input.key) && input.observedAt > 4_000)));
    expect(evaluateDegraded(quiet, 10_500).changes).toEqual([]);
    let state = feedDegraded(emptyDegradedState, steady(['a', 'b', 'c'], 10_000));
    state = evaluateDegraded(state, 19_000).state;
    state = evaluateDegraded(feedDegraded(state, [renew('a', 20_000, 10_000), renew('b', 20_000, 10_000), renew('c', 20_000, 10_000)]), 20_100).state;
    const reopened = evaluateDegraded(state, 29_000).changes[0];
    expect(reopened).toMatchObject({ type: 'opened', band: { startedAt: 20_100 } });
  });

  it('opens no band for a lone stuck holder while the other leases keep renewing', () => {
    const state = feedDegraded(emptyDegradedState, [...steady(['a', 'b', 'c'], 30_000).filter((input) => !(input.type === 'renewal' && input.key === 'a' && input.observedAt > 10_000))]);
    expect(evaluateDegraded(state, 30_500).changes).toEqual([]);
  });

  it('takes the renewal right after an acquire (client-go polls at once) for no renew period: no band while every lease renews on time', () => {
    // Three leases acquired at 0 and renewed 10 ms later, as client-go's renew loop does, then every 2 s.
    const acquired = (key: string): DegradedInput[] => [{ type: 'holder-changed', key, observedAt: 0 }, renew(key, 10, 10), ...Array.from({ length: 30 }, (_, i) => renew(key, 2_010 + i * 2_000))];
    const state = feedDegraded(emptyDegradedState, ['a', 'b', 'c'].flatMap(acquired));
    // 1.5 s after the last renewal of all three: on time for a 2 s period (a running average had made it 10 ms).
    expect(evaluateDegraded(state, 60_010 + 1_500).changes).toEqual([]);
    // A real stall is still seen: four periods without a renewal.
    expect(evaluateDegraded(state, 60_010 + 8_500).changes).toEqual([{ type: 'opened', band: { startedAt: 60_010, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 } }]);
  });

  it('keeps the usual interval through one short or one long interval, and needs two before it judges a lease', () => {
    expect(getTypicalIntervalMs([2_000])).toBeNull();
    expect(getTypicalIntervalMs([1_500, 2_500])).toBe(2_000);
    expect(getTypicalIntervalMs([5, 2_000, 2_000])).toBe(2_000);
    expect(getTypicalIntervalMs([2_000, 2_000, 2_000, 30_000, 2_000, 2_000, 40, 2_000])).toBe(2_000);
    // A lease renewing faster for good is followed once most recent intervals say so.
    expect(getTypicalIntervalMs([2_000, 2_000, 2_000, 500, 500, 500, 500, 500])).toBe(500);
    // A lease that had a short retry once, not after an acquire, still renews every 2 s: not overdue at 1.5 s.
    const retried = ['a', 'b', 'c'].flatMap((key) => [...steady([key], 10_000), renew(key, 10_050, 50), renew(key, 12_050, 2_000)]);
    expect(evaluateDegraded(feedDegraded(emptyDegradedState, retried), 13_550).changes).toEqual([]);
  });

  it('opens a watch_failed band while the watch errors transiently', () => {
    const state = feedDegraded(emptyDegradedState, [...steady(['a'], 6000), { type: 'watch', status: getSourceStatus('reconnecting'), at: 7000 }]);
    expect(evaluateDegraded(state, 7000).changes).toEqual([{ type: 'opened', band: { startedAt: 7000, reason: 'watch_failed', stalledLeases: 0, totalLeases: 1 } }]);
  });

  it("never takes Leasetrail's own 401/403 for the API server", () => {
    expect(getSourceStatus('failing')).toBe('blind');
    const state = feedDegraded(emptyDegradedState, [...steady(['a', 'b', 'c'], 4000), { type: 'watch', status: getSourceStatus('failing'), at: 5000 }]);
    expect(evaluateDegraded(state, 60_000).changes).toEqual([]);
  });

  it('judges nothing while the Lease source relists, and counts every lease from the end of the relist', () => {
    // A 410 at 10 s, then a list of many leases that takes 20 s: nothing renewed meanwhile as far as the watch can tell.
    let state = feedDegraded(emptyDegradedState, [...steady(['a', 'b', 'c'], 10_000), { type: 'watch', status: 'blind', at: 10_000 }]);
    expect(evaluateDegraded(state, 29_000).changes).toEqual([]);
    // Renewals cannot arrive while blind; one that would is not counted either.
    state = feedDegraded(state, [renew('a', 20_000, 10_000), { type: 'watch', status: 'streaming', at: 30_000 }]);
    expect(evaluateDegraded(state, 30_100).changes).toEqual([]);
    expect(evaluateDegraded(state, 35_000).changes).toEqual([]);
    // Once streaming, a real stall is still seen, dated from the end of the relist at the earliest.
    expect(evaluateDegraded(state, 39_000).changes).toEqual([{ type: 'opened', band: { startedAt: 30_000, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 3 } }]);
  });

  it('ends an open band where Leasetrail lost sight of the cluster', () => {
    const opened = evaluateDegraded(feedDegraded(emptyDegradedState, steady(['a', 'b', 'c'], 10_000)), 19_000);
    const blind = feedDegraded(opened.state, [{ type: 'watch', status: 'blind', at: 21_000 }]);
    expect(evaluateDegraded(blind, 50_000).changes).toEqual([{ type: 'closed', band: opened.changes[0]!.band, endedAt: 21_000 }]);
  });
});

describe('failover hints', () => {
  const base: FailoverFacts = { cause: 'expiry', at: 100_000, observedAt: 100_050, fromHolder: 'cp-1_a', toHolder: 'cp-2_b', leaderlessMs: 1_000, overlapMs: null, leaseDurationSeconds: 15, restarts: [], bands: [], otherLeases: 3, otherLeasesRenewed: 3 };

  it('does not put a takeover inside a band that starts at the takeover itself (the API server took that write)', () => {
    // Seen at 99,970 on our clock, dated 100,000 by the holder; the band starts at that observation, give or take clocks.
    const seen = { ...base, observedAt: 99_970 };
    const band = { id: '1', startedAt: 99_970, endedAt: 105_000, reason: 'renewals_stalled' as const, stalledLeases: 3, totalLeases: 3 };
    expect(buildFailoverHint({ ...seen, bands: [band] }).kind).toBe('process');
    expect(buildFailoverHint({ ...seen, bands: [{ ...band, startedAt: 95_000 }] }).kind).toBe('api_server');
  });

  it('dates the previous holder silence from the transition', () => {
    expect(getSilentSince(base)).toBe(84_000);
    expect(getSilentSince({ ...base, leaderlessMs: null, overlapMs: 2_000 })).toBe(87_000);
  });

  it('shows an OOMKilled restart beside the failover it explains, timed against the expiry', () => {
    const hint = buildFailoverHint({ ...base, restarts: [{ id: '7', pod: 'kcm-cp-1', container: 'kcm', reason: 'OOMKilled', exitCode: 137, finishedAt: 97_000, observedAt: 97_000 + 5_000 }] });
    expect(hint).toEqual({
      kind: 'container_restart',
      text: "previous holder's container restarted 2 s before expiry: OOMKilled (exit 137)",
      evidence: [{ type: 'restart', id: '7', text: "previous holder's container restarted 2 s before expiry: OOMKilled (exit 137)" }],
    });
  });

  it('shows a restart after the takeover as a consequence, not as the cause', () => {
    const hint = buildFailoverHint({ ...base, otherLeasesRenewed: 3, restarts: [{ id: '9', pod: 'p', container: 'kcm', reason: 'Error', exitCode: 255, finishedAt: 104_000, observedAt: 104_000 + 5_000 }] });
    expect(hint.kind).toBe('process');
    expect(hint.evidence).toContainEqual({ type: 'restart', id: '9', text: 'afterwards: container kcm exited 4 s after the takeover: Error (exit 255)' });
  });

  it('ignores restarts long before the silence began', () => {
    expect(buildFailoverHint({ ...base, restarts: [{ id: '7', pod: 'p', container: 'c', reason: 'Error', exitCode: 255, finishedAt: 10_000, observedAt: 10_000 + 5_000 }] }).kind).toBe('process');
  });

  it('tags a failover inside an API-server-degraded band, whatever else happened', () => {
    const hint = buildFailoverHint({ ...base, bands: [{ id: '3', startedAt: 84_000, endedAt: 101_000, reason: 'renewals_stalled', stalledLeases: 4, totalLeases: 4 }] });
    expect(hint.kind).toBe('api_server');
    expect(hint.text).toBe('4 of 4 leases of the cluster stopped renewing together: the API server or etcd, not the process; the failover happened inside it');
    expect(hint.evidence).toEqual([{ type: 'band', id: '3', text: '4 of 4 leases overdue at once' }]);
  });

  it('prefers a container that died before the cluster degraded, and keeps the band as evidence', () => {
    const restarts = [{ id: '7', pod: 'kcm-cp-1', container: 'kcm', reason: 'OOMKilled', exitCode: 137, finishedAt: 84_000, observedAt: 84_000 + 5_000 }];
    const hint = buildFailoverHint({ ...base, restarts, bands: [{ id: '3', startedAt: 85_500, endedAt: 101_000, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 4 }] });
    expect(hint.kind).toBe('container_restart');
    expect(hint.evidence.map((evidence) => evidence.type)).toEqual(['restart', 'band']);
  });

  it('takes a process exit inside an API server stall for a consequence of the stall', () => {
    const restarts = [{ id: '8', pod: 'kcm-cp-1', container: 'kcm', reason: 'Error', exitCode: 255, finishedAt: 84_000, observedAt: 84_000 + 5_000 }];
    const hint = buildFailoverHint({ ...base, restarts, bands: [{ id: '3', startedAt: 83_900, endedAt: 101_000, reason: 'renewals_stalled', stalledLeases: 3, totalLeases: 4 }] });
    expect(hint.kind).toBe('api_server');
    expect(hint.evidence.map((evidence) => evidence.type)).toEqual(['band', 'restart']);
  });

  it('does not tag a failover with a band that ended before the holder went silent', () => {
    expect(buildFailoverHint({ ...base, bands: [{ id: '3', startedAt: 10_000, endedAt: 20_000, reason: 'renewals_stalled', stalledLeases: 2, totalLeases: 2 }] }).kind).toBe('process');
  });

  it('points at the process when the holder stopped alone while the others kept renewing', () => {
    expect(buildFailoverHint({ ...base, otherLeasesRenewed: 2 })).toMatchObject({ kind: 'process', evidence: [{ type: 'renewals', text: '2 of 3 other election leases renewed meanwhile' }] });
  });

  it('needs more than half of the other leases, and two at least, renewing to point at the process', () => {
    expect(buildFailoverHint({ ...base, otherLeasesRenewed: 1 })).toMatchObject({ kind: 'no_evidence', text: 'no restart or degraded band recorded; only 1 of 3 other election leases renewed meanwhile, too few to tell process from API server' });
    expect(buildFailoverHint({ ...base, otherLeases: 1, otherLeasesRenewed: 1 }).kind).toBe('no_evidence');
    expect(buildFailoverHint({ ...base, otherLeases: 10, otherLeasesRenewed: 5 }).kind).toBe('no_evidence');
    expect(buildFailoverHint({ ...base, otherLeases: 10, otherLeasesRenewed: 6 }).text).toBe('the previous holder stopped renewing alone while 6 of 10 other leases of the cluster kept renewing: points at the process or its node, not the API server');
  });

  it('says the failover happened inside a band only when the takeover is inside it', () => {
    const ended = buildFailoverHint({ ...base, bands: [{ id: '3', startedAt: 80_000, endedAt: 95_000, reason: 'renewals_stalled', stalledLeases: 4, totalLeases: 4 }] });
    expect(ended).toMatchObject({ kind: 'api_server', text: '4 of 4 leases of the cluster stopped renewing together: the API server or etcd, not the process; the previous holder went silent inside it; it ended 5 s before the takeover' });
    const later = buildFailoverHint({ ...base, bands: [{ id: '3', startedAt: 88_000, endedAt: 95_000, reason: 'renewals_stalled', stalledLeases: 4, totalLeases: 4 }] });
    expect(later.text).toBe('4 of 4 leases of the cluster stopped renewing together: the API server or etcd, not the process; it ended 5 s before the takeover');
  });

  it('never times a restart whose end was not reported, nor makes it the hint', () => {
    const hint = buildFailoverHint({ ...base, restarts: [{ id: '7', pod: 'kcm-cp-1', container: 'kcm', reason: 'OOMKilled', exitCode: 137, finishedAt: null, observedAt: 99_000 }] });
    expect(hint.kind).toBe('process');
    expect(hint.text).not.toMatch(/restarted/);
    expect(hint.evidence).toContainEqual({ type: 'restart', id: '7', text: `container kcm of kcm-cp-1 restarted, by ${new Date(99_000).toISOString()} at the latest (when it ended was not reported): OOMKilled (exit 137)` });
  });

  // Found by walking every chaos operation of the simulated fleet (tests/integration/controller/chaos-hints.test.ts).
  it('calls a release a release, even when the container exited right after it (a clean stop), and times nothing against expiry', () => {
    const restarts = [{ id: '4', pod: 'widgets-x', container: 'manager', reason: 'Completed', exitCode: 0, finishedAt: 99_000, observedAt: 99_900 }];
    const hint = buildFailoverHint({ ...base, cause: 'release', restarts });
    expect(hint).toEqual({ kind: 'released', text: 'the previous holder released the lease (clean shutdown or hand-off)', evidence: [{ type: 'restart', id: '4', text: 'container manager of widgets-x restarted: Completed (exit 0)' }] });
  });

  it('does not blame a container that exited after its holder had stopped renewing (client-go exits once RenewDeadline passes)', () => {
    // Last renewal at 84,000; 30 % of the 15 s lease is 88,500: an exit at 96,000 followed the silence, it did not cause it.
    const restarts = [{ id: '5', pod: 'kcm-cp-1', container: 'kcm', reason: 'Error', exitCode: 255, finishedAt: 96_000, observedAt: 96_500 }];
    const hint = buildFailoverHint({ ...base, otherLeasesRenewed: 3, restarts });
    expect(hint.kind).toBe('process');
    expect(hint.evidence).toContainEqual({ type: 'restart', id: '5', text: "previous holder's container exited 12 s after its last renewal: Error (exit 255)" });
    const alone = buildFailoverHint({ ...base, otherLeases: 0, otherLeasesRenewed: 0, restarts });
    expect(alone).toMatchObject({ kind: 'no_evidence', text: "the previous holder's container exited only after it had stopped renewing; no degraded band recorded, and no other lease of the cluster recorded to tell process from API server" });
    expect(buildFailoverHint({ ...base, otherLeasesRenewed: 1, restarts }).text).toBe(
      "the previous holder's container exited only after it had stopped renewing; no degraded band recorded; only 1 of 3 other election leases renewed meanwhile, too few to tell process from API server",
    );
  });

  it('names an own exit the cause only when its whole-second time cannot fall past the first 30 % of the lease; a kill at that time is named', () => {
    // 30 % of 15 s after the last renewal (84,000) is 88,500. Reported 88,000: it ended before 89,000, maybe after 88,500.
    const at88 = (reason: string, exitCode: number) => [{ id: '6', pod: 'kcm-cp-1', container: 'kcm', reason, exitCode, finishedAt: 88_000, observedAt: 88_500 }];
    expect(buildFailoverHint({ ...base, restarts: at88('Error', 255) }).kind).toBe('process');
    expect(buildFailoverHint({ ...base, restarts: at88('Error', 137) }).kind).toBe('container_restart');
    expect(buildFailoverHint({ ...base, restarts: at88('OOMKilled', 137) }).kind).toBe('container_restart');
    expect(buildFailoverHint({ ...base, restarts: [{ ...at88('Completed', 0)[0]!, finishedAt: 87_000 }] }).kind).toBe('container_restart');
    // A 2 s lease leaves 0.6 s: an own exit reported 0.3 s before the last renewal cannot be placed, and is said to be before it.
    const short = { ...base, leaseDurationSeconds: 2, leaderlessMs: 0, at: 100_000 };
    expect(buildFailoverHint({ ...short, restarts: [{ ...at88('Error', 1)[0]!, finishedAt: 97_700 }] }).evidence).toContainEqual({ type: 'restart', id: '6', text: "previous holder's container exited 0.3 s before its last renewal: Error (exit 1)" });
  });

  it('shows the band around a change it did not see, without judging the change', () => {
    const band = { id: '6', startedAt: 95_000, endedAt: 99_500, reason: 'watch_failed' as const, stalledLeases: 0, totalLeases: 3 };
    const hint = buildFailoverHint({ ...base, cause: 'unknown', observedAt: 100_400, bands: [band] });
    expect(hint).toEqual({
      kind: 'not_observed',
      text: "Leasetrail did not see this change happen; the cluster's API server was degraded around it (watch of the cluster failing), which may be why, but the change itself is not judged",
      evidence: [{ type: 'band', id: '6', text: 'watch of the cluster failing' }],
    });
    expect(buildFailoverHint({ ...base, cause: 'unknown', bands: [{ ...band, startedAt: 10_000, endedAt: 20_000 }] }).evidence).toEqual([]);
  });

  it('states of a coordinated handover only what the lease recorded', () => {
    const hint = buildFailoverHint({ ...base, cause: 'preferred_holder' });
    expect(hint.text).toBe('coordinated election: the lease named cp-2_b its preferred holder (spec.preferredHolder), who took it over');
  });

  it('claims nothing without evidence, and says when the change was not observed', () => {
    expect(buildFailoverHint({ ...base, otherLeases: 0, otherLeasesRenewed: 0 })).toMatchObject({ kind: 'no_evidence', evidence: [] });
    expect(buildFailoverHint({ ...base, otherLeasesRenewed: null }).kind).toBe('no_evidence');
    expect(buildFailoverHint({ ...base, cause: 'unknown' }).kind).toBe('not_observed');
    expect(buildFailoverHint({ ...base, cause: 'release' }).kind).toBe('released');
    expect(buildFailoverHint({ ...base, cause: 'preferred_holder' }).kind).toBe('coordinated_handover');
  });
});
