import { describe, expect, it } from 'vitest';
import { deriveEvents, markBlind } from '@/lib/leases';
import { T0, feed, micro, observe, only, renewalsOf } from './factory';

describe('deriveEvents: renewals', () => {
  it('measures the interval by the holder renewTime, not by when we saw it', () => {
    const { events } = feed([observe({ renew: 0, at: 40 }), observe({ renew: 2000, at: 2900 }), observe({ renew: 4100, at: 4150 })]);
    expect(renewalsOf(events).map((renewal) => renewal.intervalMs)).toEqual([null, 2000, 2100]);
  });

  it('measures the lag as our receive time minus renewTime', () => {
    const { events } = feed([observe({ renew: 0 }), observe({ renew: 2000, at: 2370 })]);
    expect(renewalsOf(events).at(-1)).toEqual({ type: 'renewal', holder: 'host-a_1', renewTime: micro(2000), observedAt: T0 + 2370, intervalMs: 2000, lagMs: 370 });
  });

  it('keeps a negative lag when the holder clock runs ahead', () => {
    const { events } = feed([observe({ renew: 0 }), observe({ renew: 2000, at: 1700 })]);
    expect(renewalsOf(events).at(-1)?.lagMs).toBe(-300);
  });

  it('reports no lag for a list reply, which arrives long after the write it shows', () => {
    const { events } = feed([observe({ renew: 0 }), observe({ renew: 2000, at: 3500, source: 'list' })]);
    expect(renewalsOf(events).at(-1)).toMatchObject({ intervalMs: 2000, lagMs: null });
  });

  it('derives no renewal when only metadata changed', () => {
    const { events } = feed([observe({ renew: 0, rv: '1' }), observe({ renew: 0, rv: '2', labels: { touched: 'yes' }, at: 900 })]);
    expect(renewalsOf(events)).toHaveLength(1);
  });

  it('derives no interval across a blind spot', () => {
    const first = deriveEvents(undefined, observe({ renew: 0 }));
    const { events } = feed([observe({ renew: 30_000, source: 'list' })], markBlind(first.state));
    expect(only(renewalsOf(events)).intervalMs).toBeNull();
  });

  it('keeps the interval of a renewal that only changed leaseDurationSeconds', () => {
    const { events } = feed([observe({ renew: 0 }), observe({ renew: 2000, duration: 30 })]);
    expect(renewalsOf(events).at(-1)?.intervalMs).toBe(2000);
  });

  it('derives no transition from plain renewals', () => {
    const { events } = feed([observe({ renew: 0 }), observe({ renew: 2000 }), observe({ renew: 4000 })]);
    expect(events.filter((event) => event.type === 'transition')).toHaveLength(1);
  });
});
