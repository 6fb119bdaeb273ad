import { parentPort, workerData } from 'node:worker_threads';
import { loggerFor } from '../log';
import { getRegistry } from '../metrics/registry';
import { ownMetrics } from '../metrics/thread-metrics';
import { deserializeTarget } from './cluster-sources';
import { Controller } from './controller';
import type { WorkerInput, WorkerMessage, WorkerRequest } from './controller-protocol';

const input = workerData as WorkerInput;
const port = parentPort!;
const controller = new Controller({
  databaseUrl: input.databaseUrl,
  targets: input.targets.map(deserializeTarget),
  watchConfig: input.watchConfig,
  log: loggerFor('controller', { thread: input.thread }),
  instanceId: `${input.instanceId}-t${input.thread}`,
  listConcurrency: input.listConcurrency,
  threads: 1,
  domain: `t${input.thread}/${input.threadCount}`,
  ...(input.balanceIntervalMs === undefined ? {} : { balanceIntervalMs: input.balanceIntervalMs }),
  ...(input.maxLeaseSeries === undefined ? {} : { maxLeaseSeries: input.maxLeaseSeries }),
  watcher: input.watcher,
});
const send = (message: WorkerMessage) => port.postMessage(message);
controller.on('transitions', (cluster, rows) => send({ type: 'transitions', cluster, rows }));
controller.on('status', (cluster, status) => send({ type: 'status', cluster, status }));
let reported = '';
const reportMalformed = setInterval(() => {
  const counts = Object.fromEntries(input.targets.map((target) => [target.name, controller.malformed(target.name)]));
  const quarantined = Object.fromEntries(input.targets.map((target) => [target.name, controller.quarantined(target.name)]));
  const text = JSON.stringify([counts, quarantined]);
  if (text !== reported) send({ type: 'malformed', counts, quarantined });
  reported = text;
}, 250);
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'metrics') {
    const { id } = message;
    void getRegistry()
      .getMetricsAsJSON()
      .then(
        (metrics) => send({ type: 'metrics', id, metrics: ownMetrics(metrics) }),
        (error: unknown) => send({ type: 'metrics-failed', id, error: (error as Error).message }),
      );
    return;
  }
  clearInterval(reportMalformed);
  void controller.stop().finally(() => send({ type: 'stopped' }));
});
controller.start();
