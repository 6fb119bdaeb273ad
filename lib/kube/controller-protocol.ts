import type { ThreadMetrics } from '../metrics/thread-metrics';
import type { SerializedTarget } from './cluster-sources';
import type { ClusterControllerOptions } from './cluster-controller';
import type { WatchConfig } from './watch-config';

// One thread of a controller whose clusters are spread over threads (see Controller `threads`): a
// whole Controller of its own (owner session, watchers, writes) for its share of the clusters,
// reporting back what the main thread's Controller re-emits.
export type WorkerInput = {
  databaseUrl: string;
  targets: SerializedTarget[];
  watchConfig: WatchConfig;
  instanceId: string;
  listConcurrency: number;
  thread: number;
  threadCount: number;
  balanceIntervalMs?: number;
  // This thread's share of the per-lease series cap.
  maxLeaseSeries?: number;
  // The plain-data part of the watcher options (no clock, no callbacks).
  watcher: Partial<Omit<ClusterControllerOptions, 'target' | 'session' | 'watchConfig' | 'log' | 'onTransitions' | 'onStatus' | 'clock'>>;
};

export type WorkerMessage =
  | { type: 'transitions'; cluster: string; rows: unknown[] }
  | { type: 'status'; cluster: string; status: unknown }
  | { type: 'malformed'; counts: Record<string, number>; quarantined: Record<string, number> }
  | { type: 'metrics'; id: number; metrics: ThreadMetrics }
  | { type: 'metrics-failed'; id: number; error: string }
  | { type: 'stopped' };

// From the main thread: a scrape asking for the thread's metrics (answered with the same id), or stop.
export type WorkerRequest = { type: 'metrics'; id: number } | { type: 'stop' };

