import { afterEach, describe, expect, it, vi } from 'vitest';
import { streamFailoversCsv } from '../../../lib/api/failover-csv-stream';
import { failoverCsvColumns } from '../../../lib/audit/csv';
import { BudgetExceededError } from '../../../lib/errors';
import type { FailoverCursor, FailoverRecord } from '../../../lib/store/failovers';

const failover = (id: number, at: number): FailoverRecord => ({
  id: BigInt(id),
  kind: 'acquired',
  cluster: 'prod',
  namespace: 'ops',
  name: 'worker',
  at: new Date(at),
  observedAt: new Date(at + 100),
  cause: 'expiry',
  fromHolder: `pod-${id - 1}`,
  toHolder: `pod-${id}`,
  isRestart: false,
  leaderlessMs: 1_000,
  overlapMs: null,
  missedCount: 0,
  leaseTransitions: id,
});

// The rows a server-side cursor would give, batch by batch (the real cursor runs against PostgreSQL
// in tests/integration/access/heavy-reads.test.ts); records how it was read and whether it was closed.
function cursorOver(rows: FailoverRecord[]) {
  let next = 0;
  const reads: number[] = [];
  const cursor: FailoverCursor & { reads: number[]; closed: number } = {
    isTruncated: false,
    reads,
    closed: 0,
    read: async (count) => {
      reads.push(count);
      const batch = rows.slice(next, next + count);
      next += batch.length;
      return batch;
    },
    close: async () => {
      cursor.closed += 1;
    },
  };
  return cursor;
}

const decode = (chunks: Uint8Array[]) => chunks.map((chunk) => new TextDecoder().decode(chunk)).join('');

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value);
  return chunks;
}

afterEach(() => vi.useRealTimers());

describe('streamFailoversCsv', () => {
  it('sends the header, then one chunk per cursor batch, and closes the cursor at the end', async () => {
    const base = Date.UTC(2026, 10, 24, 10);
    const cursor = cursorOver([failover(1, base), failover(2, base + 10_000), failover(3, base + 600_000)]);
    const chunks = await readAll(streamFailoversCsv(cursor, { burstGapMs: 60_000, batchRows: 2, budgetMs: 60_000 }));
    const lines = decode(chunks).split('\r\n');
    expect(lines[0]).toBe(failoverCsvColumns.join(','));
    expect(lines).toHaveLength(5);
    // The first two are a burst starting at the first; the third is alone.
    expect(lines[1]!.endsWith(',2026-11-24T10:00:00.000Z')).toBe(true);
    expect(lines[2]!.endsWith(',2026-11-24T10:00:00.000Z')).toBe(true);
    expect(lines[3]!.endsWith(',')).toBe(true);
    expect(cursor.reads).toEqual([2, 2, 2]);
    expect(cursor.closed).toBe(1);
  });

  it('reads the cursor only as fast as the client reads', async () => {
    const cursor = cursorOver(Array.from({ length: 10 }, (_, i) => failover(i + 1, i * 1_000_000)));
    const reader = streamFailoversCsv(cursor, { burstGapMs: 60_000, batchRows: 2, budgetMs: 60_000 }).getReader();
    await reader.read();
    await reader.read();
    expect(cursor.reads).toEqual([2]);
    await reader.cancel();
    expect(cursor.closed).toBe(1);
  });

  it('ends a stream whose reader stopped reading once the budget is spent, closing the cursor', async () => {
    vi.useFakeTimers();
    const cursor = cursorOver(Array.from({ length: 10 }, (_, i) => failover(i + 1, i * 1_000_000)));
    const reader = streamFailoversCsv(cursor, { burstGapMs: 60_000, batchRows: 2, budgetMs: 120_000 }).getReader();
    await reader.read();
    await vi.advanceTimersByTimeAsync(120_001);
    expect(cursor.closed).toBe(1);
    await expect(reader.read()).rejects.toBeInstanceOf(BudgetExceededError);
  });

  it('errors the stream, rather than ending it as if complete, when the budget runs out between reads', async () => {
    let clock = 0;
    const cursor = cursorOver(Array.from({ length: 10 }, (_, i) => failover(i + 1, i * 1_000_000)));
    const reader = streamFailoversCsv(cursor, { burstGapMs: 60_000, batchRows: 2, budgetMs: 1_000, now: () => clock }).getReader();
    await reader.read();
    await reader.read();
    clock = 1_001;
    await expect(reader.read()).rejects.toThrow('the export took longer than its 1 s budget');
    expect(cursor.closed).toBe(1);
  });
});

describe('streamFailoversCsv with batches that give nothing yet', () => {
  it('keeps reading while every row of a batch waits on the next for its burst', async () => {
    // Batches of one: each lone failover waits on the next to know it is not in a burst.
    const cursor = cursorOver(Array.from({ length: 5 }, (_, i) => failover(i + 1, i * 1_000_000)));
    const chunks = await readAll(streamFailoversCsv(cursor, { burstGapMs: 60_000, batchRows: 1, budgetMs: 60_000 }));
    expect(decode(chunks).split('\r\n')).toHaveLength(7);
    expect(cursor.closed).toBe(1);
  });
});
