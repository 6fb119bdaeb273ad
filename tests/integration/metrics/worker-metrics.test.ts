import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { requestWorkerMetrics } from '../../../lib/kube/worker-metrics';

// Real threads speaking the controller protocol (lib/kube/controller-protocol.ts) in a few lines of plain
// JavaScript: one answers, one never does, one fails to render, one exits while asked.
const answering = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => {
  if (message.type !== 'metrics') return;
  parentPort.postMessage({ type: 'metrics', id: message.id - 1, metrics: [] });
  parentPort.postMessage({ type: 'metrics', id: message.id, metrics: [{ name: 'leasetrail_example', help: 'h', type: 'gauge', aggregator: 'sum', values: [{ value: message.id, labels: {} }] }] });
});`;
const stuck = `require('node:worker_threads').parentPort.on('message', () => undefined);`;
const failing = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => parentPort.postMessage({ type: 'metrics-failed', id: message.id, error: 'cannot render' }));`;
const exiting = `require('node:worker_threads').parentPort.on('message', () => process.exit(0));`;

const workers: Worker[] = [];
function startWorker(code: string): Worker {
  const worker = new Worker(code, { eval: true });
  workers.push(worker);
  return worker;
}

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()));
});

describe('requestWorkerMetrics', () => {
  it('takes the answer to its own request, and leaves no listener behind', async () => {
    const worker = startWorker(answering);
    const listeners = worker.listenerCount('message');
    const answer = await requestWorkerMetrics(worker, 7, 10_000);
    expect(answer).toEqual({ metrics: [{ name: 'leasetrail_example', help: 'h', type: 'gauge', aggregator: 'sum', values: [{ value: 7, labels: {} }] }] });
    expect(worker.listenerCount('message')).toBe(listeners);
    expect(worker.listenerCount('exit')).toBe(0);
  });

  it('gives up on a thread that does not answer within the timeout, one that fails, and one that exits', async () => {
    const started = Date.now();
    const answers = await Promise.all([
      requestWorkerMetrics(startWorker(stuck), 1, 100),
      requestWorkerMetrics(startWorker(failing), 2, 10_000),
      requestWorkerMetrics(startWorker(exiting), 3, 10_000),
    ]);
    expect(answers).toEqual([{ skipped: 'timeout' }, { skipped: 'failed' }, { skipped: 'exited' }]);
    // Bounded by the stuck thread's 100 ms (plus starting three threads), not by the other two's 10 s.
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
