import { KubeConfig, Watch } from '@kubernetes/client-node';
import { LeaseApiServer, type ApiServerOptions } from '@/lib/sim/api-server';
import { createKubeConfig } from '@/lib/sim/kubeconfig';

export type WatchEvent = { type: string; object: { kind?: string; metadata?: { name?: string; resourceVersion?: string }; spec?: Record<string, unknown>; code?: number; reason?: string } };

export async function startApiServer(options: Partial<ApiServerOptions> = {}): Promise<{ server: LeaseApiServer; kubeConfig: KubeConfig }> {
  const server = new LeaseApiServer({ name: 'test', ...options });
  await server.start();
  return { server, kubeConfig: createKubeConfig({ name: 'test', url: server.url }) };
}

/** Poll a condition every few milliseconds; fail after timeoutMs. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export type WatchHandle = { events: WatchEvent[]; ended: Promise<unknown>; hasEnded: () => boolean; stop: () => void };

/** A client-node watch that collects its events; `ended` resolves with what `done` received. */
export async function openWatch(kubeConfig: KubeConfig, path: string, params: Record<string, string | number | boolean>): Promise<WatchHandle> {
  const events: WatchEvent[] = [];
  let hasEnded = false;
  let resolveEnded: (value: unknown) => void = () => undefined;
  const ended = new Promise<unknown>((resolve) => (resolveEnded = resolve));
  const controller = await new Watch(kubeConfig).watch(
    path,
    params,
    (type, object) => events.push({ type, object: object as WatchEvent['object'] }),
    (error) => {
      hasEnded = true;
      resolveEnded(error ?? null);
    },
  );
  return { events, ended, hasEnded: () => hasEnded, stop: () => controller.abort() };
}
