import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { toLeaseDto } from '@/lib/api/dto';
import { NotFoundError } from '@/lib/errors';
import { getStore } from '@/lib/store/client';
import { getLeaseOrThrow } from '@/lib/store/leases';
import { LeaseClient } from './client';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

export async function generateMetadata({ params }: { params: Promise<Params> }): Promise<Metadata> {
  const { cluster, namespace, name } = await params;
  return { title: `${decodeURIComponent(namespace)}/${decodeURIComponent(name)} · ${decodeURIComponent(cluster)}` };
}

// The shell renders from the current lease row alone; timeline, chart and table load on the client
// so a slow history query never holds the page back.
export default async function LeasePage({ params }: { params: Promise<Params> }) {
  const raw = await params;
  const key = { cluster: decodeURIComponent(raw.cluster), namespace: decodeURIComponent(raw.namespace), name: decodeURIComponent(raw.name) };
  const lease = await getLeaseOrThrow(getStore(), key).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return <LeaseClient leaseKey={key} initialLease={toLeaseDto(lease)} />;
}
