import type { Store } from '../../../lib/store/client';

const globalForStore = globalThis as unknown as { leasetrailStore?: Store };

// Route handlers reach the database through getStore(); point it at the test's own database.
export function pointRoutesAtStore(store: Store): () => void {
  const previous = globalForStore.leasetrailStore;
  globalForStore.leasetrailStore = store;
  return () => {
    globalForStore.leasetrailStore = previous;
  };
}

// `never` lets one helper take every route's GET, whatever its params.
type Handler = (request: Request, context: { params: Promise<never> }) => Promise<Response>;

export type Answer<T = unknown> = { status: number; headers: Headers; body: T };

// Calls an exported GET as Next would: a real Request, and params as a Promise.
export async function callGet<T = unknown>(handler: Handler, url: string, params: Record<string, string> = {}): Promise<Answer<T>> {
  const response = await handler(new Request(new URL(url, 'http://leasetrail.test')), { params: Promise.resolve(params) as Promise<never> });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}
