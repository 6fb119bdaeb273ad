import { wallTimeOf } from './time-zone';

const steps = [1_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000, 172_800_000, 604_800_000];

// Tick instants for a time axis `width` pixels wide, at least `labelPx` apart so labels never overlap,
// on round wall-clock times of `zone` (a +05:30 zone gets ticks at its own whole hours). The renew
// chart and the timeline both take their ticks from here, so the two axes line up. A tick closer than half a
// label to either end of the axis is left out: its centred label would spill past the plot, over the value
// axis's bottom label on the left (the renew chart's "0") or out of the drawing on the right.
export function timeTicks(from: number, to: number, width: number, zone = 'UTC', labelPx = 96): number[] {
  if (!(to > from) || width <= 0) return [];
  const wanted = Math.max(1, Math.floor(width / labelPx));
  const step = steps.find((candidate) => (to - from) / candidate <= wanted) ?? steps[steps.length - 1]!;
  const wall = wallTimeOf(from, zone);
  const offset = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hours, wall.minutes, wall.seconds) - Math.floor(from / 1000) * 1000;
  const edge = ((labelPx / 2) * (to - from)) / width;
  const result: number[] = [];
  for (let at = Math.ceil((from + offset) / step) * step - offset; at < to; at += step) if (at - from >= edge && to - at >= edge) result.push(at);
  return result;
}
