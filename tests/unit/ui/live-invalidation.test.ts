import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../../lib/changes/notice';
import { createNoticeApplier } from '../../../lib/ui/live-invalidation';

// A query whose every fetch waits for the test to answer it: what was asked, what was cancelled.
function watchedQuery(client: QueryClient, queryKey: string[]) {
  const fetches: Array<{ signal: AbortSignal; answer: () => void }> = [];
  const observer = new QueryObserver(client, {
    queryKey,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: ({ signal }) =>
      new Promise<number>((resolve) => {
        fetches.push({ signal, answer: () => resolve(fetches.length) });
      }),
  });
  const unsubscribe = observer.subscribe(() => undefined);
  return { fetches, unsubscribe };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
const renewal = (cluster: string, lease: string): ChangeEvent => ({ type: 'change', cluster, leases: [lease], renewals: 1 });
const election = (cluster: string, lease: string): ChangeEvent => ({ type: 'change', cluster, leases: [lease], transitions: 1 });

describe('createNoticeApplier', () => {
  const stops: Array<() => void> = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  function setUp() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const notices = createNoticeApplier(client);
    const fleet = watchedQuery(client, ['fleet']);
    const timeline = watchedQuery(client, ['timeline', '24h']);
    const lease = watchedQuery(client, ['lease', 'prod', 'kube-system', 'kube-scheduler', 'detail']);
    stops.push(notices.stop, fleet.unsubscribe, timeline.unsubscribe, lease.unsubscribe);
    return { notices, fleet, timeline, lease };
  }

  async function answerAll(...queries: Array<{ fetches: Array<{ answer: () => void }> }>) {
    for (const query of queries) query.fetches.forEach((fetch) => fetch.answer());
    await settle();
  }

  it('refetches no fleet-wide view for renewals: 1,000 batches of renewals, only the renewed lease', async () => {
    const { notices, fleet, timeline, lease } = setUp();
    await answerAll(fleet, timeline, lease);
    for (let batch = 0; batch < 1_000; batch += 1) {
      notices.apply([renewal('prod', 'kube-system/kube-scheduler'), renewal('prod', `team-${batch}/controller`)]);
      await answerAll(lease);
    }
    expect(fleet.fetches).toHaveLength(1);
    expect(timeline.fetches).toHaveLength(1);
    expect(lease.fetches).toHaveLength(1 + 1_000);
  });

  it('lets a fleet-wide fetch land while elections follow each other, then fetches once more', async () => {
    const { notices, fleet } = setUp();
    await answerAll(fleet);
    notices.apply([election('prod', 'kube-system/kube-scheduler')]);
    await settle();
    expect(fleet.fetches).toHaveLength(2);
    for (let batch = 0; batch < 20; batch += 1) {
      notices.apply([election('prod', `team-${batch}/controller`)]);
      await settle();
    }
    expect(fleet.fetches).toHaveLength(2);
    expect(fleet.fetches[1]!.signal.aborted).toBe(false);
    fleet.fetches[1]!.answer();
    await settle();
    expect(fleet.fetches).toHaveLength(3);
    fleet.fetches[2]!.answer();
    await settle();
    expect(fleet.fetches).toHaveLength(3);
  });

  it("restarts a lease's fetch in flight on a change of its leadership: the answer may predate the change", async () => {
    const { notices, lease } = setUp();
    await answerAll(lease);
    notices.apply([renewal('prod', 'kube-system/kube-scheduler')]);
    await settle();
    expect(lease.fetches).toHaveLength(2);
    notices.apply([election('prod', 'kube-system/kube-scheduler')]);
    await settle();
    expect(lease.fetches).toHaveLength(3);
    expect(lease.fetches[1]!.signal.aborted).toBe(true);
  });
});
