import { describe, expect, it } from 'vitest';
import { toFleetTimelineLeaseDto, toFleetTimelineResponse, toFleetTimelineTransitionDto, toRangeDto } from '../../../lib/api/dto';
import { jsonList, streamJsonObject, type JsonField } from '../../../lib/api/json-stream';
import type { FleetTimeline } from '../../../lib/store/timeline';

// A big answer is written a slice at a time, and its bytes are those of JSON.stringify over the same object.

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const decoder = new TextDecoder();
  const chunks: string[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(decoder.decode(value));
  }
}

const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 10, minute));

const timeline: FleetTimeline = {
  leases: Array.from({ length: 5 }, (_, index) => ({
    cluster: 'eu',
    namespace: 'kube-system',
    name: `lease-"${index}"`,
    holderIdentity: index === 0 ? null : `pod-${index}`,
    holderSince: index === 0 ? null : at(index),
    stateAtStart: index === 1 ? { state: 'unknown' as const, reason: 'not found' } : { state: 'held' as const, holder: `pod-${index}`, since: at(index).getTime() },
    churn: index === 2 ? [{ start: at(0).getTime(), end: at(10).getTime(), failovers: 4, missed: 1, summary: null }] : null,
  })),
  transitions: Array.from({ length: 7 }, (_, index) => ({
    id: index + 1,
    kind: 'acquired' as const,
    cause: 'expiry' as const,
    at: at(index),
    observedAt: at(index),
    fromHolder: `pod-${index}`,
    toHolder: `pod-${index + 1}`,
    isRestart: false,
    leaderlessMs: index * 100,
    overlapMs: null,
    leaseTransitions: index,
    missedCount: 0,
    cluster: 'eu',
    namespace: 'kube-system',
    name: 'lease-"1"',
  })) as unknown as FleetTimeline['transitions'],
  hasMoreLeases: true,
  bands: [{ id: '7', cluster: 'eu', startedAt: at(3).getTime(), endedAt: null, reason: 'watch_failed', stalledLeases: 0, totalLeases: 4 }],
  hasMoreBands: false,
};
const range = { from: at(0), to: at(60) };

describe('streamJsonObject', () => {
  it('writes the fleet timeline in slices, byte for byte what JSON.stringify gives for the whole answer', async () => {
    const stream = streamJsonObject(
      [
        jsonList('leases', timeline.leases, toFleetTimelineLeaseDto),
        jsonList('transitions', timeline.transitions, toFleetTimelineTransitionDto),
        { key: 'hasMoreLeases', value: timeline.hasMoreLeases },
        jsonList('bands', timeline.bands, (band) => band),
        { key: 'hasMoreBands', value: timeline.hasMoreBands },
        { key: 'range', value: toRangeDto(range) },
      ],
      { itemsPerSlice: 2 },
    );
    const chunks = await chunksOf(stream);
    expect(chunks.join('')).toBe(JSON.stringify(toFleetTimelineResponse(timeline, range)));
    // 3 slices of leases, 4 of transitions, 1 of bands, the closing fields: nothing was serialized in one go.
    expect(chunks).toHaveLength(9);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThan(chunks.join('').length / 3);
  });

  it('matches JSON.stringify for empty lists, undefined values, a list last and first', async () => {
    const cases: Array<{ fields: JsonField[]; object: Record<string, unknown> }> = [
      { fields: [jsonList('a', [], (x) => x), { key: 'b', value: 1 }], object: { a: [], b: 1 } },
      { fields: [{ key: 'skip', value: undefined }, jsonList('a', [1, 2, 3], (x) => (x === 2 ? undefined : { x }))], object: { skip: undefined, a: [{ x: 1 }, null, { x: 3 }] } },
      { fields: [{ key: 'b', value: 'x"y' }, jsonList('a', ['1'], (x) => x)], object: { b: 'x"y', a: ['1'] } },
      { fields: [], object: {} },
    ];
    for (const { fields, object } of cases) expect((await chunksOf(streamJsonObject(fields, { itemsPerSlice: 1 }))).join('')).toBe(JSON.stringify(object));
  });

  it('slices each list by its own size', async () => {
    const chunks = await chunksOf(streamJsonObject([jsonList('big', [1, 2, 3, 4], (x) => x, 1), jsonList('small', [1, 2, 3, 4], (x) => x, 4)], { itemsPerSlice: 2 }));
    expect(chunks).toEqual(['{"big":[1', ',2', ',3', ',4', '],"small":[1,2,3,4', ']}']);
  });

  it('stops converting when the reader cancels', async () => {
    let converted = 0;
    const reader = streamJsonObject([jsonList('items', Array.from({ length: 100 }, (_, index) => index), (item) => (converted += 1, item))], { itemsPerSlice: 10 }).getReader();
    await reader.read();
    await reader.cancel();
    expect(converted).toBe(10);
  });
});
