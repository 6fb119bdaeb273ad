import { parentPort } from 'node:worker_threads';
import { createStore, type Store } from '../store/client';
import { defaultPreviewBudget, previewRule } from './alerts/preview-rule';
import { serializeError, type PreviewReply, type PreviewTask } from './preview-pool';

// One rule preview at a time, off the web tier's main thread (see preview-pool.ts). The thread keeps a
// small connection pool of its own per database.
const port = parentPort!;
const stores = new Map<string, Store>();

port.on('message', (task: PreviewTask) => {
  const store = stores.get(task.databaseUrl) ?? createStore(task.databaseUrl, { max: 2 });
  stores.set(task.databaseUrl, store);
  const cancelled = new Int32Array(task.cancel);
  previewRule(store, task.input, { ...defaultPreviewBudget, isCancelled: () => Atomics.load(cancelled, 0) === 1 }).then(
    (result) => port.postMessage({ result } satisfies PreviewReply),
    (error: unknown) => port.postMessage({ error: serializeError(error) } satisfies PreviewReply),
  );
});
