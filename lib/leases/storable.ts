import type { LeaseEvent } from './types';

// Durations and offsets are stored in int4 columns. A value beyond them (a holder 30 days ahead, an
// interval across a month-long outage) is clamped to the column and reported, so one absurd value
// is counted on its lease instead of failing the batch of its whole cluster.
export const int4Max = 2_147_483_647;

export function clampInt4(value: number | null): { value: number | null; isClamped: boolean } {
  if (value === null) return { value: null, isClamped: false };
  const rounded = Math.round(value);
  const clamped = Math.max(-int4Max, Math.min(int4Max, rounded));
  return { value: clamped, isClamped: clamped !== rounded };
}

const fits = (value: number | null) => value === null || (value <= int4Max && value >= -int4Max);

// The hot path's check: most events carry nothing near the limits and need no copy.
export function isBeyondColumns(event: LeaseEvent): boolean {
  const fields = numericFields[event.type];
  if (fields === undefined) return false;
  for (const field of fields) {
    const value = (event as Record<string, unknown>)[field];
    if (typeof value === 'number' && !fits(value)) return true;
  }
  return false;
}

type Clamped<T> = { event: T; clamped: string[] };

export function clampForStorage<T extends LeaseEvent>(event: T): Clamped<T> {
  const fields = numericFields[event.type] ?? [];
  if (fields.length === 0) return { event, clamped: [] };
  const clamped: string[] = [];
  let result: T = event;
  for (const field of fields) {
    const current = (event as Record<string, unknown>)[field];
    if (typeof current !== 'number') continue;
    const { value, isClamped } = clampInt4(current);
    if (!isClamped) continue;
    clamped.push(`${field}=${current}`);
    result = { ...result, [field]: value };
  }
  return { event: result, clamped };
}

const numericFields: Record<string, readonly string[]> = {
  transition: ['leaderlessMs', 'overlapMs', 'missedCount'],
  renewal: ['intervalMs', 'lagMs'],
  skew: ['offsetMs'],
  missed: ['count'],
};
