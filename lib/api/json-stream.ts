// A big JSON answer (the 31-day fleet timeline: 500 leases, 20,000 transitions, 1.5 MB) converted and
// serialized a slice at a time as the client reads, instead of in one go: the event loop that answers
// health and the live stream gets a turn between slices. The bytes are those JSON.stringify gives for
// the same object.

// perSlice: items converted and written at once for this list (the default for the answer otherwise);
// a few for big items (a fleet timeline lease carries up to 400 churn buckets), hundreds for small ones.
export type JsonField<T = unknown> = { key: string; value: unknown } | { key: string; items: readonly T[]; map: (item: T) => unknown; perSlice?: number };

// `T` differs per field: each field checks its own items against its own map.
export const jsonList = <T>(key: string, items: readonly T[], map: (item: T) => unknown, perSlice?: number): JsonField => ({
  key,
  items,
  map: map as (item: unknown) => unknown,
  ...(perSlice === undefined ? {} : { perSlice }),
});

function* pieces(fields: readonly JsonField[], itemsPerSlice: number): Generator<string> {
  let buffer = '{';
  let isFirst = true;
  for (const field of fields) {
    if ('items' in field) {
      buffer += `${isFirst ? '' : ','}${JSON.stringify(field.key)}:[`;
      isFirst = false;
      const size = Math.max(1, field.perSlice ?? itemsPerSlice);
      for (let start = 0; start < field.items.length; start += size) {
        // As in JSON.stringify of the whole array, an item that maps to undefined is written as null.
        const slice = field.items.slice(start, start + size).map((item) => JSON.stringify(field.map(item) ?? null));
        buffer += `${start === 0 ? '' : ','}${slice.join(',')}`;
        yield buffer;
        buffer = '';
      }
      buffer += ']';
    } else {
      const text = JSON.stringify(field.value);
      // JSON.stringify leaves out a key whose value is undefined.
      if (text === undefined) continue;
      buffer += `${isFirst ? '' : ','}${JSON.stringify(field.key)}:${text}`;
      isFirst = false;
    }
  }
  yield `${buffer}}`;
}

export function streamJsonObject(fields: readonly JsonField[], options: { itemsPerSlice?: number } = {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const source = pieces(fields, Math.max(1, options.itemsPerSlice ?? 200));
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = source.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      cancel() {
        source.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}

export function respondJsonStream(fields: readonly JsonField[], options: { itemsPerSlice?: number } = {}): Response {
  return new Response(streamJsonObject(fields, options), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
}
