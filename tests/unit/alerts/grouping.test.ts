import { describe, expect, it } from 'vitest';
import { groupRepeatAt, groupSendAt, type GroupTiming } from '../../../lib/alerts/grouping';

// Alertmanager's timers as pure functions of the group's last message and a clock.
const timing: GroupTiming = { groupWaitMs: 10_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 };

function clock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('groupSendAt', () => {
  it('holds the first notification of a new group for group_wait', () => {
    const time = clock(1_000_000);
    expect(groupSendAt(null, timing, time.now())).toBe(1_010_000);
  });

  it('holds a change to a group already notified until group_interval after its last message', () => {
    const time = clock(0);
    const lastSentAt = time.now();
    time.advance(12_000);
    expect(groupSendAt(lastSentAt, timing, time.now())).toBe(300_000);
    time.advance(200_000);
    expect(groupSendAt(lastSentAt, timing, time.now())).toBe(300_000);
  });

  it('sends at once when group_interval has passed since the last message', () => {
    const time = clock(0);
    const lastSentAt = time.now();
    time.advance(301_000);
    expect(groupSendAt(lastSentAt, timing, time.now())).toBe(301_000);
  });

  it('with group_interval 0 (rules from before it) sends changes at once', () => {
    expect(groupSendAt(5_000, { ...timing, groupIntervalMs: 0 }, 6_000)).toBe(6_000);
  });
});

describe('groupRepeatAt', () => {
  it('reminds repeat_interval after the last message', () => {
    expect(groupRepeatAt(1_000, timing)).toBe(1_000 + 4 * 3_600_000);
  });

  it('never reminds more often than group_interval, and not at all with 0', () => {
    expect(groupRepeatAt(0, { ...timing, repeatIntervalMs: 60_000 })).toBe(300_000);
    expect(groupRepeatAt(0, { ...timing, repeatIntervalMs: 0 })).toBeNull();
  });
});
