import type { AlertSnapshot, Condition, StateChange } from './types';

export type AlertTiming = { forMs: number; quietMs: number };

export type ConditionReading = Pick<Condition, 'isActive' | 'value' | 'summary' | 'endedAt'> & Partial<Pick<Condition, 'since' | 'endedBy'>>;

export type Advanced = { snapshot: AlertSnapshot | null; changes: StateChange[] };

export function isSilenced(snapshot: Pick<AlertSnapshot, 'silencedUntil'>, now: number): boolean {
  return snapshot.silencedUntil !== null && now < snapshot.silencedUntil;
}

// pending → firing → resolved. `for` asks the condition to hold that long before firing; the quiet
// period asks it to stay clear that long before resolving, so a lease that keeps flapping raises
// one alert that stays open instead of a new alert per flap.
export function advanceAlert(current: AlertSnapshot | null, reading: ConditionReading, timing: AlertTiming, now: number): Advanced {
  if (current === null || current.state === 'resolved') {
    if (!reading.isActive) return { snapshot: current, changes: [] };
    const state = timing.forMs <= 0 ? 'firing' : 'pending';
    return {
      snapshot: {
        state,
        startedAt: now,
        firingAt: state === 'firing' ? now : null,
        resolvedAt: null,
        lastActiveAt: now,
        value: reading.value,
        summary: reading.summary,
        silencedUntil: null,
        conditionSince: Math.min(now, reading.since ?? now),
        conditionEndedAt: null,
        endedBy: null,
      },
      changes: [{ from: null, to: state, at: now, note: null }],
    };
  }

  if (current.state === 'pending') {
    if (!reading.isActive) {
      return {
        snapshot: { ...current, state: 'resolved', resolvedAt: now },
        changes: [{ from: 'pending', to: 'resolved', at: now, note: `condition cleared before holding for ${formatMs(timing.forMs)}; never fired` }],
      };
    }
    const updated = { ...current, lastActiveAt: now, value: reading.value, summary: reading.summary, conditionEndedAt: null, endedBy: null };
    if (now - current.startedAt < timing.forMs) return { snapshot: updated, changes: [] };
    return {
      snapshot: { ...updated, state: 'firing', firingAt: now },
      changes: [{ from: 'pending', to: 'firing', at: now, note: `condition held for ${formatMs(now - current.startedAt)}` }],
    };
  }

  if (reading.isActive) return { snapshot: { ...current, lastActiveAt: now, value: reading.value, summary: reading.summary, conditionEndedAt: null, endedBy: null }, changes: [] };
  // The summary written while the condition held was true at that tick; the facts now know the exact end.
  const lastActiveAt = reading.endedAt === null ? current.lastActiveAt : Math.max(current.lastActiveAt, Math.min(reading.endedAt, now));
  const recovering = { ...current, lastActiveAt, conditionEndedAt: current.conditionEndedAt ?? lastActiveAt, endedBy: current.endedBy ?? reading.endedBy ?? null };
  if (now - lastActiveAt < timing.quietMs) return { snapshot: recovering, changes: [] };
  const conditionMs = recovering.conditionEndedAt - recovering.conditionSince;
  const endedText = recovering.endedBy ? `; ended by: ${recovering.endedBy}` : '';
  const quietText = timing.quietMs > 0 ? `, then clear for the ${formatMs(timing.quietMs)} quiet period` : '';
  return {
    snapshot: { ...recovering, state: 'resolved', resolvedAt: now },
    changes: [{ from: 'firing', to: 'resolved', at: now, note: `condition held for ${formatExactMs(conditionMs)}${endedText}${quietText}` }],
  };
}

// When this alert needs looking at again even if no data changes: `for` elapsing, the quiet period
// ending, a silence running out (a firing alert silenced until then is notified at that moment).
export function nextLifecycleDeadline(snapshot: AlertSnapshot, isActive: boolean, timing: AlertTiming, now: number): number | null {
  const deadlines: number[] = [];
  if (snapshot.state === 'pending') deadlines.push(snapshot.startedAt + timing.forMs);
  if (snapshot.state === 'firing' && !isActive) deadlines.push(snapshot.lastActiveAt + timing.quietMs);
  if (snapshot.state === 'firing' && isSilenced(snapshot, now)) deadlines.push(snapshot.silencedUntil!);
  const future = deadlines.filter((at) => at > now);
  return future.length > 0 ? Math.min(...future) : null;
}

// Durations people compare with the audit: to the second below an hour, never rounded to a tick.
export function formatExactMs(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1_000));
  const hours = Math.floor(total / 3_600);
  const minutes = Math.floor((total % 3_600) / 60);
  const seconds = total % 60;
  if (total < 60) return ms < 1_000 && ms > 0 ? `${Math.round(ms)} ms` : `${seconds} s`;
  if (hours === 0) return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

export function formatMs(ms: number): string {
  const seconds = Math.round(ms / 1_000);
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3_600).toFixed(1).replace(/\.0$/, '')} h`;
}
