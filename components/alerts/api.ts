export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

// Every answer of the API that is not 2xx carries `error`: the message shown to the person.
export async function requestJson<T>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  const body: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError((body as { error?: string } | null)?.error ?? `request failed with ${response.status}`, response.status);
  return body as T;
}

export const alertKeys = {
  open: ['alerts', 'open'] as const,
  history: (cluster: string, days: number) => ['alerts', 'history', cluster, days] as const,
  detail: (id: string) => ['alerts', 'detail', id] as const,
  rules: ['alert-rules'] as const,
  preview: (body: string) => ['alert-rules', 'preview', body] as const,
  channels: ['channels'] as const,
  silences: ['silences'] as const,
};

export const inputClass = 'w-full rounded-md border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700';
export const buttonClass = 'rounded-md border border-zinc-300 px-2.5 py-1 text-sm hover:bg-zinc-100 disabled:opacity-50 dark:border-zinc-700 dark:hover:bg-zinc-800';
export const primaryButtonClass = 'rounded-md bg-zinc-900 px-3 py-1 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300';
