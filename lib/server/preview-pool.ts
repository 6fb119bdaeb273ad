import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { BudgetExceededError, ClientGoneError, ValidationError } from '../errors';
import { recordPreviewLoad, recordPreviewRun, type PreviewOutcome } from '../metrics/preview-metrics';
import type { PreviewInput, PreviewResult } from './alerts/preview-rule';

// A rule preview replays up to a month of history: seconds of CPU and a few hundred MB of short-lived
// objects. On the web tier's main thread that froze health, the live stream and every other request for
// as long (50 s in issue 15), so it runs in a small pool of worker threads with their own heap limit and
// their own database connections; the main thread only passes the input and the answer.

export type PreviewTask = { databaseUrl: string; input: PreviewInput; cancel: SharedArrayBuffer };
export type PreviewReply = { result: PreviewResult } | { error: SerializedError };
type SerializedError = { name: string; message: string; issues?: Array<{ path: string; message: string }>; code?: string };

export type PreviewPoolStats = { threads: number; started: number; busy: number; queued: number; completed: number };

export type PreviewPool = {
  run: (databaseUrl: string, input: PreviewInput, signal?: AbortSignal) => Promise<PreviewResult>;
  stats: () => PreviewPoolStats;
  close: () => Promise<void>;
};

export type PreviewPoolOptions = { file: string; threads: number; maxHeapMb: number };

type Pending = { task: PreviewTask; resolve: (result: PreviewResult) => void; reject: (error: unknown) => void; detach: () => void };
type Slot = { worker: Worker | undefined; running: Pending | undefined };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const { code } = error as { code?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(error instanceof ValidationError ? { issues: error.issues } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

function deserializeError(error: SerializedError): Error {
  if (error.name === 'ValidationError') return new ValidationError(error.message, error.issues ?? []);
  if (error.name === 'BudgetExceededError') return new BudgetExceededError(error.message);
  if (error.name === 'ClientGoneError') return new ClientGoneError(error.message);
  // Database errors keep their code, so "unavailable" is still told apart from a bug.
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code === undefined ? {} : { code: error.code }) });
}

function outcomeOf(outcome: { result: PreviewResult } | { error: Error }): PreviewOutcome {
  if ('result' in outcome) return 'answered';
  if (outcome.error instanceof ClientGoneError) return 'cancelled';
  return outcome.error instanceof ValidationError || outcome.error instanceof BudgetExceededError ? 'refused' : 'failed';
}

export function createPreviewPool(options: PreviewPoolOptions): PreviewPool {
  const slots: Slot[] = Array.from({ length: Math.max(1, options.threads) }, () => ({ worker: undefined, running: undefined }));
  const queue: Pending[] = [];
  let started = 0;
  let completed = 0;
  let isClosed = false;

  const settle = (slot: Slot, outcome: { result: PreviewResult } | { error: Error }) => {
    const pending = slot.running;
    if (!pending) return;
    slot.running = undefined;
    pending.detach();
    completed += 1;
    recordPreviewRun(outcomeOf(outcome));
    if ('result' in outcome) pending.resolve(outcome.result);
    else pending.reject(outcome.error);
    // An idle worker does not keep the process alive.
    slot.worker?.unref();
    dispatch();
  };

  const spawn = (slot: Slot): Worker => {
    const worker = new Worker(options.file, { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } });
    started += 1;
    worker.on('message', (reply: PreviewReply) => settle(slot, 'result' in reply ? reply : { error: deserializeError(reply.error) }));
    worker.on('error', (error: Error & { code?: string }) => {
      slot.worker = undefined;
      const cause =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new BudgetExceededError(`the preview needed more than its ${options.maxHeapMb} MB of memory: choose fewer hours or narrower patterns`)
          : error;
      settle(slot, { error: cause });
    });
    worker.on('exit', (code) => {
      if (slot.worker === worker) slot.worker = undefined;
      settle(slot, { error: new Error(`the preview thread exited with code ${code}`) });
    });
    return worker;
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.running || queue.length === 0 || isClosed) continue;
      const pending = queue.shift()!;
      slot.running = pending;
      slot.worker ??= spawn(slot);
      slot.worker.ref();
      slot.worker.postMessage(pending.task);
    }
    recordPreviewLoad({ busy: slots.filter((slot) => slot.running).length, queued: queue.length });
  };

  return {
    run(databaseUrl, input, signal) {
      if (isClosed) return Promise.reject(new Error('the preview pool is closed'));
      if (signal?.aborted) return Promise.reject(new ClientGoneError('the preview was cancelled: its client went away'));
      return new Promise<PreviewResult>((resolve, reject) => {
        const cancel = new SharedArrayBuffer(4);
        const pending: Pending = { task: { databaseUrl, input, cancel }, resolve, reject, detach: () => signal?.removeEventListener('abort', onAbort) };
        // A queued preview is dropped; a running one sees the flag at its next checkpoint and stops.
        function onAbort() {
          const index = queue.indexOf(pending);
          if (index >= 0) {
            queue.splice(index, 1);
            recordPreviewLoad({ busy: slots.filter((slot) => slot.running).length, queued: queue.length });
            pending.detach();
            reject(new ClientGoneError('the preview was cancelled: its client went away'));
            return;
          }
          Atomics.store(new Int32Array(cancel), 0, 1);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(pending);
        dispatch();
      });
    },
    stats: () => ({ threads: slots.length, started, busy: slots.filter((slot) => slot.running).length, queued: queue.length, completed }),
    async close() {
      isClosed = true;
      for (const pending of queue.splice(0)) {
        pending.detach();
        pending.reject(new Error('the preview pool is closed'));
      }
      await Promise.all(slots.map((slot) => slot.worker?.terminate()));
    },
  };
}

// Where the worker's entry is. Production: the server (dist/start.cjs) registers dist/preview-worker.cjs,
// esbuild's bundle of preview-worker.ts beside it. Development (`next dev`) and tests: the bootstrap
// lib/server/preview-worker.cjs, which loads the TypeScript through tsx. A route compiled by Next cannot
// use its own __dirname (it points into .next), hence the registration.
const globalForPool = globalThis as unknown as { leasetrailPreviewWorkerFile?: string; leasetrailPreviewPool?: PreviewPool };

export function registerPreviewWorkerFile(file: string): void {
  globalForPool.leasetrailPreviewWorkerFile = file;
}

export function previewWorkerFile(): string {
  return globalForPool.leasetrailPreviewWorkerFile ?? path.join(process.cwd(), 'lib', 'server', 'preview-worker.cjs');
}

// One thread on a two-core machine (the other core serves requests and PostgreSQL), at most two; each
// thread's heap is capped, so a preview too big for it answers 503 instead of taking the process's memory.
export function getPreviewPool(): PreviewPool {
  globalForPool.leasetrailPreviewPool ??= createPreviewPool({
    file: previewWorkerFile(),
    threads: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
    maxHeapMb: 512,
  });
  return globalForPool.leasetrailPreviewPool;
}

export async function closePreviewPool(): Promise<void> {
  const pool = globalForPool.leasetrailPreviewPool;
  globalForPool.leasetrailPreviewPool = undefined;
  await pool?.close();
}
