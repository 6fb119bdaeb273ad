import type { Worker } from 'node:worker_threads';
import type { ThreadMetrics, ThreadMetricsSkip } from '../metrics/thread-metrics';
import type { WorkerMessage, WorkerRequest } from './controller-protocol';

export type WorkerMetricsAnswer = { metrics: ThreadMetrics } | { skipped: ThreadMetricsSkip };

// Asks one controller thread for its metrics. A thread that is stuck, fails to render or exits on the way
// is an answer too, at the latest after timeoutMs: one thread must never stall the scrape of the others.
export function requestWorkerMetrics(worker: Worker, id: number, timeoutMs: number): Promise<WorkerMetricsAnswer> {
  return new Promise((resolve) => {
    const finish = (answer: WorkerMetricsAnswer) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(answer);
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'metrics' && message.id === id) finish({ metrics: message.metrics });
      else if (message.type === 'metrics-failed' && message.id === id) finish({ skipped: 'failed' });
    };
    const onExit = () => finish({ skipped: 'exited' });
    const timer = setTimeout(() => finish({ skipped: 'timeout' }), timeoutMs);
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'metrics', id } satisfies WorkerRequest);
  });
}
