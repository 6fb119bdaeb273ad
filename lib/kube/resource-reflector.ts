import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { request, type Dispatcher } from 'undici';
import type { Logger } from '../log';
import { backoffDelay, defaultBackoff, sleepWithSignal } from './lease-source';
import { openWatch, WatchHttpError } from './watch-stream';

// What a reflector can say about its resource: readable, refused by RBAC, or not served by this API server.
export type ReflectorAccess = { access: 'granted' } | { access: 'denied'; detail: string } | { access: 'absent'; detail: string };

export type ReflectorOptions = {
  kubeConfig: KubeConfig;
  // Collection paths to try in order (a newer API version first); the first one served is kept.
  paths: readonly string[];
  log: Logger;
  onObject: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: unknown, path: string) => void;
  onAccess: (access: ReflectorAccess) => void;
  // After each full list, with its items (already passed to onObject): whatever is not among them is gone.
  onListed?: (objects: readonly unknown[], path: string) => void;
  watchTimeoutSeconds?: number;
  // How long to wait before asking again after a 403 or 404: permissions and feature gates change rarely.
  recheckMs?: number;
};

class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson(kubeConfig: KubeConfig, path: string, signal: AbortSignal): Promise<unknown> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('No currently active cluster');
  const context = new RequestContext(cluster.server + path, HttpMethod.GET);
  await kubeConfig.applySecurityAuthentication(context);
  const response = await request(cluster.server + path, {
    method: 'GET',
    headers: { ...context.getHeaders(), Accept: 'application/json' },
    dispatcher: context.getDispatcher() as Dispatcher | undefined,
    signal,
  });
  const body = (await response.body.json().catch(() => null)) as { message?: string } | null;
  if (response.statusCode !== 200) throw new HttpStatusError(response.statusCode, body?.message ?? `HTTP ${response.statusCode}`);
  return body;
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpStatusError || error instanceof WatchHttpError) return error.statusCode;
  return undefined;
}

// List + watch of one read-only resource (pods, Events, LeaseCandidates): resumes from the last
// resourceVersion, relists after a 410, and reports 403 / 404 as missing access instead of failing.
export async function runReflector(options: ReflectorOptions, signal: AbortSignal): Promise<void> {
  let attempt = 0;
  while (!signal.aborted) {
    let served: { path: string; resourceVersion: string; items: unknown[] } | undefined;
    let refusal: ReflectorAccess | undefined;
    for (const path of options.paths) {
      try {
        const list = (await getJson(options.kubeConfig, path, signal)) as { metadata?: { resourceVersion?: string }; items?: unknown[] };
        served = { path, resourceVersion: list.metadata?.resourceVersion ?? '', items: list.items ?? [] };
        break;
      } catch (error) {
        const status = statusOf(error);
        if (status === 403) {
          refusal = { access: 'denied', detail: (error as Error).message };
          break;
        }
        if (status === 404) {
          refusal ??= { access: 'absent', detail: `${options.paths.join(', ')}: not served by this API server` };
          continue;
        }
        refusal = undefined;
        if (!signal.aborted) options.log.debug({ path, err: (error as Error).message }, 'context list failed; retrying');
        break;
      }
    }
    if (!served) {
      if (refusal) options.onAccess(refusal);
      attempt += 1;
      await sleepWithSignal(refusal ? (options.recheckMs ?? 60_000) : backoffDelay(attempt, defaultBackoff, Math.random), signal).catch(() => undefined);
      continue;
    }
    options.onAccess({ access: 'granted' });
    attempt = 0;
    for (const item of served.items) options.onObject('ADDED', item, served.path);
    options.onListed?.(served.items, served.path);
    let resourceVersion = served.resourceVersion;
    // Watch until the history expires (410) or the watch cannot be opened; then list again.
    for (;;) {
      if (signal.aborted) return;
      const outcome = await new Promise<'again' | 'relist'>((resolve) => {
        let isExpired = false;
        let watch: AbortController | undefined;
        const stop = () => watch?.abort();
        signal.addEventListener('abort', stop, { once: true });
        void openWatch(
          options.kubeConfig,
          served.path,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: options.watchTimeoutSeconds ?? 300 },
          (type, object) => {
            const rv = (object as { metadata?: { resourceVersion?: string } } | null)?.metadata?.resourceVersion;
            if (type === 'ERROR') {
              isExpired = (object as { code?: number } | null)?.code === 410;
              return;
            }
            if (rv) resourceVersion = rv;
            if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') options.onObject(type, object, served.path);
          },
          (error) => {
            signal.removeEventListener('abort', stop);
            resolve(isExpired || error ? 'relist' : 'again');
          },
        ).then((controller) => {
          watch = controller;
          if (signal.aborted) controller.abort();
        });
      });
      if (outcome === 'relist') break;
    }
    if (!signal.aborted) await sleepWithSignal(backoffDelay(1, defaultBackoff, Math.random), signal).catch(() => undefined);
  }
}
