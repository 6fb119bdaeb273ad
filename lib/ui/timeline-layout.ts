import type { Marker, Segment } from './timeline';

// Runs of whole pixels as flat [x, width, x, width, …], one list per fill, in order of first use.
export type SegmentRuns = Map<string, number[]>;

// One fillRect per segment cost more than loading the data, and at 24 h a pixel holds several segments.
// Each pixel takes the fill of the last segment over its centre, as painting in order would (one narrower
// than a pixel still claims one); a fill's runs of pixels become one path, without seams between them.
export function layoutSegments(segments: Segment[], input: { xOf: (at: number) => number; left: number; right: number; fillOf: (segment: Segment) => string }): SegmentRuns {
  const { xOf, left, right, fillOf } = input;
  const first = Math.max(0, Math.floor(left));
  const owners: Array<string | undefined> = new Array(Math.max(0, Math.ceil(right) - first));
  for (const segment of segments) {
    const x0 = Math.max(left, xOf(segment.start));
    const x1 = Math.min(right, xOf(segment.end));
    if (x1 - x0 <= 0) continue;
    const fill = fillOf(segment);
    const from = Math.ceil(x0 - 0.5);
    const to = Math.max(from + 1, Math.ceil(x1 - 0.5));
    for (let pixel = from; pixel < to && pixel - first < owners.length; pixel += 1) owners[pixel - first] = fill;
  }
  const runs: SegmentRuns = new Map();
  let start = 0;
  for (let index = 1; index <= owners.length; index += 1) {
    if (index < owners.length && owners[index] === owners[start]) continue;
    const fill = owners[start];
    if (fill !== undefined) {
      const list = runs.get(fill);
      if (list) list.push(first + start, index - start);
      else runs.set(fill, [first + start, index - start]);
    }
    start = index;
  }
  return runs;
}

// Marker positions in pixels by marker type, so each type is one path.
export function layoutMarkers(markers: Marker[], xOf: (at: number) => number): Map<Marker['type'], number[]> {
  const positions = new Map<Marker['type'], number[]>();
  for (const marker of markers) {
    const list = positions.get(marker.type);
    if (list) list.push(xOf(marker.at));
    else positions.set(marker.type, [xOf(marker.at)]);
  }
  return positions;
}

// Segments are ordered and do not overlap, so the one under the pointer is a binary search away.
export function findSegmentAt(segments: Segment[], at: number): Segment | undefined {
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const segment = segments[middle]!;
    if (at < segment.start) high = middle - 1;
    else if (at >= segment.end) low = middle + 1;
    else return segment;
  }
  return undefined;
}
