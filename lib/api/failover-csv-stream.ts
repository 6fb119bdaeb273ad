import { createBurstMarker } from '../audit/bursts';
import { failoverCsvColumns, renderCsvHeader, renderCsvRecord } from '../audit/csv';
import { BudgetExceededError } from '../errors';
import type { FailoverCursor, FailoverRecord } from '../store/failovers';
import { toFailoverCsvRecord } from './audit-dto';

export type CsvStreamOptions = { burstGapMs: number; batchRows: number; budgetMs: number; now?: () => number };

// The failover export as a byte stream: one cursor batch per pull, so memory stays at one batch
// whatever the range and a slow reader slows the database reads instead of filling the heap. Past its
// time budget the stream errors (the download fails visibly) rather than end as if it were complete.
export function streamFailoversCsv(cursor: FailoverCursor, options: CsvStreamOptions): ReadableStream<Uint8Array> {
  const now = options.now ?? (() => performance.now());
  const deadline = now() + options.budgetMs;
  const encoder = new TextEncoder();
  const marker = createBurstMarker<FailoverRecord>({ maxGapMs: options.burstGapMs, atOf: (failover) => failover.at.getTime(), isTimed: (failover) => failover.kind === 'acquired' });
  const render = (marked: Array<{ item: FailoverRecord; burstStart: number | null }>) =>
    marked.map(({ item, burstStart }) => renderCsvRecord(failoverCsvColumns, toFailoverCsvRecord(item, burstStart))).join('');
  let isHeaderSent = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!isHeaderSent) {
            isHeaderSent = true;
            controller.enqueue(encoder.encode(renderCsvHeader(failoverCsvColumns)));
            return;
          }
          if (now() > deadline) throw new BudgetExceededError(`the export took longer than its ${options.budgetMs / 1000} s budget`);
          const batch = await cursor.read(options.batchRows);
          if (batch.length === 0) {
            const rest = render(marker.end());
            if (rest) controller.enqueue(encoder.encode(rest));
            await cursor.close();
            controller.close();
            return;
          }
          const text = render(batch.flatMap((failover) => marker.push(failover)));
          if (text) controller.enqueue(encoder.encode(text));
        } catch (error) {
          await cursor.close();
          controller.error(error);
        }
      },
      cancel: () => cursor.close(),
    },
    { highWaterMark: 0 },
  );
}
