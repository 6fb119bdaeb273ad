import { describe, expect, it } from 'vitest';
import { deriveEvents, isLeaseKindTracked, defaultDeriveOptions } from '@/lib/leases';
import { feed, observe, renewalsOf, transitionsOf, withHeartbeats } from './factory';

const heartbeats = [0, 10_000, 20_000].map((renew) => observe({ holder: 'worker-7', acquire: null, renew, transitions: null, duration: 40, kind: 'node_heartbeat' }));

describe('node heartbeats', () => {
  it('are excluded by default', () => {
    expect(isLeaseKindTracked('node_heartbeat', defaultDeriveOptions)).toBe(false);
    expect(feed(heartbeats).events).toEqual([]);
  });

  it('are still tracked in the state while excluded, so opting in later starts clean', () => {
    expect(feed(heartbeats).state.last.renewTime).toEqual(heartbeats[2]?.renewTime);
  });

  it('produce renewals with their 10 s interval when opted in', () => {
    const { events } = feed(heartbeats, undefined, withHeartbeats);
    expect(renewalsOf(events).map((renewal) => renewal.intervalMs)).toEqual([null, 10_000, 10_000]);
  });

  it('never produce acquisitions, not even at first sighting', () => {
    expect(transitionsOf(feed(heartbeats, undefined, withHeartbeats).events)).toEqual([]);
  });
});

describe('apiserver identity leases', () => {
  const identity = (holder: string, renew: number) => observe({ holder, acquire: null, renew, transitions: null, duration: 3600, kind: 'apiserver_identity' });

  it('are tracked by default', () => {
    expect(isLeaseKindTracked('apiserver_identity', defaultDeriveOptions)).toBe(true);
  });

  it('derive no leadership transition when a restarted apiserver takes its identity lease over', () => {
    const { events } = feed([identity('apiserver-07a5_0c89', 0), identity('apiserver-07a5_84f2', 30_000)]);
    expect(transitionsOf(events)).toEqual([]);
  });

  it('start a new renewal chain for the new instance', () => {
    const { events } = feed([identity('apiserver-07a5_0c89', 0), identity('apiserver-07a5_84f2', 30_000), identity('apiserver-07a5_84f2', 40_000)]);
    expect(renewalsOf(events).map((renewal) => [renewal.holder, renewal.intervalMs])).toEqual([
      ['apiserver-07a5_0c89', null],
      ['apiserver-07a5_84f2', null],
      ['apiserver-07a5_84f2', 10_000],
    ]);
  });

  it('keep no leadership cause', () => {
    expect(deriveEvents(undefined, identity('apiserver-07a5_0c89', 0)).state.lastCause).toBeNull();
  });
});
