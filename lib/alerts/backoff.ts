export type Backoff = { initialMs: number; maxMs: number; jitter: number };

export const defaultDeliveryBackoff: Backoff = { initialMs: 2_000, maxMs: 5 * 60_000, jitter: 0.2 };

// Delay before attempt `attempt + 1` after `attempt` failures: doubling, capped, spread by ±jitter so
// many notifications that failed together (a receiver restarting) do not retry in lockstep.
export function retryDelayMs(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(exponent, 30));
  const spread = base * backoff.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(backoff.maxMs, base + spread)));
}

export type DeliveryOutcome = { ok: true; status: number } | { ok: false; error: string; isRetryable: boolean };

// 408, 425 and 429 are the receiver asking us to come back later; other 4xx mean the request itself
// is wrong, and sending it again would fail the same way.
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 425 || status === 429;
}
