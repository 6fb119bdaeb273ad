import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log';
import { backoffDelay, defaultBackoff, sleepWithSignal } from './lease-source';
import { getKubeJson, openWatch, WatchHttpError } from './watch-stream';

// What a reflector can say about its resource: readable, refused by RBAC, or not served by this API server.
export type ReflectorAccess = { access: 'granted' } | { access: 'denied'; detail: string } | { access: 'absent'; detail: string };

export type ReflectorOptions = {
  kubeConfig: KubeConfig;
  // Collection paths to try in order (a newer API version first); the first one served is kept.
  paths: readonly string[];
  // The paths are two APIs of the same objects (events.k8s.io/v1 and core/v1 Events): a 403 moves on to the
  // next path as a 404 does, each path's answer is told on its own, and while a later path is served the
  // earlier ones are asked again every recheckMs; once one answers, the reflector lists and watches it instead.
  alternatives?: boolean;
  log: Logger;
  onObject: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown, path: string) => void;
  // `path`: the path the answer is about (with `alternatives`), else the first path.
  onAccess: (access: ReflectorAccess, path: string) => void;
  // After each full list, with its items (already passed to onObject): whatever is not among them is gone.
  onListed?: (objects: readonly unknown[], path: string) => void;
  watchTimeoutSeconds?: number;
  // How long a watch may stay silent before it counts as dead. Pods and Events of a quiet namespace may not change
  // for the whole watch, and an API server sends a bookmark at most about once a minute: by default the server's own
  // timeout (watchTimeoutSeconds) plus a minute, not the Lease watch's 30 s (which cut every quiet watch twice a
  // minute, and each cut relisted: two LISTs a minute per namespace, measured as the controller's connection churn).
  watchSilenceMs?: number;
  // How long to wait before asking again after a 403 or 404: permissions and feature gates change rarely.
  recheckMs?: number;
};

function statusOf(error: unknown): number | undefined {
  return error instanceof WatchHttpError ? error.statusCode : undefined;
}

// The Status message the API server sent ("events.events.k8s.io is forbidden: User … cannot list …").
function refusalDetail(error: unknown): string {
  const message = error instanceof WatchHttpError ? (error.body as { message?: unknown } | undefined)?.message : undefined;
  return typeof message === 'string' && message !== '' ? message : (error as Error).message;
}

// List + watch of one read-only resource (pods, Events, LeaseCandidates): resumes from the last
// resourceVersion, relists after a 410, and reports 403 / 404 as missing access instead of failing.
export async function runReflector(options: ReflectorOptions, signal: AbortSignal): Promise<void> {
  const recheckMs = options.recheckMs ?? 60_000;
  const watchTimeoutSeconds = options.watchTimeoutSeconds ?? 300;
  const watchSilenceMs = options.watchSilenceMs ?? (watchTimeoutSeconds + 60) * 1_000;
  let attempt = 0;
  while (!signal.aborted) {
    const listed = await listFirstServed(options, options.paths, signal);
    if (!listed.served) {
      attempt += 1;
      await sleepWithSignal(listed.isRefused ? recheckMs : backoffDelay(attempt, defaultBackoff, Math.random), signal).catch(() => undefined);
      continue;
    }
    const served = listed.served;
    attempt = 0;
    for (const item of served.items) options.onObject('ADDED', item, served.path);
    options.onListed?.(served.items, served.path);
    let resourceVersion = served.resourceVersion;
    // The alternatives preferred to the one served, asked again every recheckMs while this one is watched.
    const preferred = options.alternatives ? options.paths.slice(0, options.paths.indexOf(served.path)) : [];
    let recheckAt = performance.now() + recheckMs;
    let isSwitching = false;
    let failures = 0;
    // Watch until the history expires (410), the server refuses the watch, or a preferred path is served; then list
    // again. A watch that ends (the server's timeout) or breaks (a reset, silence) resumes from the last
    // resourceVersion, as client-go's reflector does, after a backoff when it broke: a LIST is the expensive request.
    while (!signal.aborted && !isSwitching) {
      let hasDelivered = false;
      const outcome = await new Promise<'again' | 'resume' | 'relist'>((resolve) => {
        let isExpired = false;
        let isOver = false;
        let watch: AbortController | undefined;
        let recheck: NodeJS.Timeout | undefined;
        const stop = () => watch?.abort();
        const armRecheck = () => {
          if (preferred.length === 0 || isOver) return;
          recheck = setTimeout(() => void probePreferred(), Math.max(0, recheckAt - performance.now()));
        };
        const probePreferred = async () => {
          const answer = await listFirstServed(options, preferred, signal, { limit: 1 });
          recheckAt = performance.now() + recheckMs;
          if (answer.served && !isOver) {
            isSwitching = true;
            watch?.abort();
          } else armRecheck();
        };
        signal.addEventListener('abort', stop, { once: true });
        armRecheck();
        void openWatch(
          options.kubeConfig,
          served.path,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: watchTimeoutSeconds },
          (type, object) => {
            hasDelivered = true;
            const rv = (object as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
            if (type === 'ERROR') {
              isExpired = (object as { code?: number } | null)?.code === 410;
              return;
            }
            if (rv) resourceVersion = rv;
            if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') options.onObject(type, object, served.path);
          },
          (error) => {
            isOver = true;
            clearTimeout(recheck);
            signal.removeEventListener('abort', stop);
            resolve(isExpired || isSwitching || statusOf(error) !== undefined ? 'relist' : error ? 'resume' : 'again');
          },
          // Context objects are JSON: pods and Events in protobuf would need their own decoders.
          { encoding: 'json', requestTimeoutMs: watchSilenceMs },
        ).then((controller) => {
          watch = controller;
          if (signal.aborted || isSwitching) controller.abort();
        });
      });
      if (outcome === 'relist') break;
      failures = outcome === 'resume' && !hasDelivered ? failures + 1 : 0;
      if (outcome === 'resume') await sleepWithSignal(backoffDelay(Math.max(1, failures), defaultBackoff, Math.random), signal).catch(() => undefined);
    }
    if (!signal.aborted && !isSwitching) await sleepWithSignal(backoffDelay(1, defaultBackoff, Math.random), signal).catch(() => undefined);
  }
}

type Served = { path: string; resourceVersion: string; items: unknown[] };

// Lists the first of `paths` that answers; tells each refusal (403 denied, 404 absent) and the grant.
async function listFirstServed(options: ReflectorOptions, paths: readonly string[], signal: AbortSignal, query: { limit?: number } = {}): Promise<{ served?: Served; isRefused: boolean }> {
  let refusal: ReflectorAccess | undefined;
  const tell = (access: ReflectorAccess, path: string) => options.onAccess(access, options.alternatives ? path : options.paths[0]!);
  for (const path of paths) {
    try {
      const list = (await getKubeJson(options.kubeConfig, path, query, signal)) as { metadata?: { resourceVersion?: string }; items?: unknown[] };
      tell({ access: 'granted' }, path);
      return { served: { path, resourceVersion: list.metadata?.resourceVersion ?? '', items: list.items ?? [] }, isRefused: false };
    } catch (error) {
      const status = statusOf(error);
      if (status === 403) {
        refusal = { access: 'denied', detail: refusalDetail(error) };
        if (options.alternatives) {
          tell(refusal, path);
          continue;
        }
        break;
      }
      if (status === 404) {
        if (options.alternatives) tell({ access: 'absent', detail: `${path}: not served by this API server` }, path);
        refusal ??= { access: 'absent', detail: `${options.paths.join(', ')}: not served by this API server` };
        continue;
      }
      if (!signal.aborted) options.log.debug({ path, err: (error as Error).message }, 'context list failed; retrying');
      return { isRefused: false };
    }
  }
  if (refusal && !options.alternatives) tell(refusal, paths[0]!);
  return { isRefused: refusal !== undefined };
}
