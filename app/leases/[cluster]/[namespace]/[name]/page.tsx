import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import type { SearchParams } from 'nuqs/server';
import { toLeaseDto } from '@/lib/api/dto';
import { NotFoundError } from '@/lib/errors';
import { prefetchLeaseHistory } from '@/lib/server/prefetch-lease-history';
import { getStore } from '@/lib/store/client';
import { getLeaseOrThrow } from '@/lib/store/leases';
import { LeaseClient } from './client';
import { loadLeaseSearchParams } from './search-params';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const { cluster, namespace, name } = await params;
  return { title: `${decodeURIComponent(namespace)}/${decodeURIComponent(name)} · ${decodeURIComponent(cluster)}` };
}

// The shell renders from the current lease row alone; what the timeline needs for the first range
// streams in the same response, so the browser draws it without asking again and a slow query never
// holds the shell back.
export default async function LeasePage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<SearchParams> }) {
  const raw = await params;
  const key = { cluster: decodeURIComponent(raw.cluster), namespace: decodeURIComponent(raw.namespace), name: decodeURIComponent(raw.name) };
  const store = getStore();
  const lease = await getLeaseOrThrow(store, key).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  const history = prefetchLeaseHistory(store, key, await loadLeaseSearchParams(searchParams));
  return <LeaseClient leaseKey={key} initialLease={toLeaseDto(lease)} history={history} />;
}
