import type { MicroTime } from './types';

// A time written by a holder's clock, never later than our own observation of it: nothing can show a
// write before it happened. The exact text is kept only when it is believable.
export function boundedAt(time: MicroTime | null, observedAt: number): { at: number; atIso?: string } {
  if (time === null || time.ms > observedAt) return { at: observedAt };
  return { at: time.ms, atIso: time.iso };
}
