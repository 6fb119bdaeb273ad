import { parseCsvRecords } from '../helpers/csv';

type Handler = (request: Request) => Promise<Response>;

export type TextAnswer = { status: number; headers: Headers; text: string };

const url = (path: string) => new URL(path, 'http://leasetrail.test');

// Route handlers called as Next calls them, for answers that are not JSON (CSV) and for POST bodies.
export async function callText(handler: Handler, path: string): Promise<TextAnswer> {
  const response = await handler(new Request(url(path)));
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function callPost<T = unknown>(handler: Handler, path: string, body: unknown): Promise<{ status: number; body: T }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await handler(new Request(url(path), { method: 'POST', body: text, headers: { 'content-type': 'application/json' } }));
  return { status: response.status, body: (await response.json()) as T };
}

type FailoverLike = {
  id: string;
  kind: string;
  cluster: string;
  namespace: string;
  name: string;
  at: string;
  observedAt: string;
  cause: string;
  fromHolder: string | null;
  toHolder: string | null;
  isRestart: boolean;
  leaderlessMs: number | null;
  overlapMs: number | null;
  missedCount: number;
  leaseTransitions: number | null;
};

// What each JSON failover must read as in the CSV: the documented columns, empty for null.
export function expectedCsvRows(failovers: FailoverLike[], bursts: Array<{ start: string; failoverIds: string[] }>): Array<Record<string, string>> {
  const text = (value: string | number | boolean | null) => (value === null ? '' : String(value));
  const burstOf = (id: string) => bursts.find((burst) => burst.failoverIds.includes(id))?.start ?? null;
  return failovers.map((failover) => ({
    id: failover.id,
    at: failover.at,
    observed_at: failover.observedAt,
    cluster: failover.cluster,
    namespace: failover.namespace,
    lease: failover.name,
    kind: failover.kind,
    cause: failover.cause,
    from_holder: text(failover.fromHolder),
    to_holder: text(failover.toHolder),
    is_restart: text(failover.isRestart),
    leaderless_ms: text(failover.leaderlessMs),
    overlap_ms: text(failover.overlapMs),
    missed_count: text(failover.missedCount),
    lease_transitions: text(failover.leaseTransitions),
    burst_start: text(burstOf(failover.id)),
  }));
}

export { parseCsvRecords };
