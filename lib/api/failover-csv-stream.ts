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
  const overBudget = () => new BudgetExceededError(`the export took longer than its ${options.budgetMs / 1000} s budget`);
  let isHeaderSent = false;
  let isPulling = false;
  let isDone = false;
  let isExpired = false;
  let expiry: ReturnType<typeof setTimeout> | undefined;
  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>, error?: unknown) => {
    if (isDone) return;
    isDone = true;
    clearTimeout(expiry);
    await cursor.close();
    if (error === undefined) controller.close();
    else controller.error(error);
  };
  return new ReadableStream<Uint8Array>(
    {
      // A reader that stops reading (and never hangs up) must not hold the connection and the heavy
      // slot for ever: at the budget the stream is ended from outside too.
      start(controller) {
        expiry = setTimeout(() => {
          isExpired = true;
          if (!isPulling) void finish(controller, overBudget());
        }, options.budgetMs);
        expiry.unref?.();
      },
      async pull(controller) {
        if (isDone) return;
        isPulling = true;
        try {
          if (!isHeaderSent) {
            isHeaderSent = true;
            controller.enqueue(encoder.encode(renderCsvHeader(failoverCsvColumns)));
            return;
          }
          // A pull must enqueue or end the stream: the stream does not ask again for a pull that gave
          // nothing, and a batch can give nothing when its rows wait on the next one for their burst.
          for (;;) {
            if (now() > deadline || isExpired) throw overBudget();
            const batch = await cursor.read(options.batchRows);
            if (batch.length === 0) {
              const rest = render(marker.end());
              if (rest) controller.enqueue(encoder.encode(rest));
              await finish(controller);
              return;
            }
            const text = render(batch.flatMap((failover) => marker.push(failover)));
            if (text) {
              controller.enqueue(encoder.encode(text));
              return;
            }
          }
        } catch (error) {
          await finish(controller, error);
        } finally {
          isPulling = false;
        }
        if (isExpired) await finish(controller, overBudget());
      },
      cancel: async () => {
        isDone = true;
        clearTimeout(expiry);
        await cursor.close();
      },
    },
    { highWaterMark: 0 },
  );
}
