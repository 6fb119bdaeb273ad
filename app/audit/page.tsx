import type { Metadata } from 'next';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';
import { AuditClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Failover audit' };

const renderedAt = () => Date.now();

// The shell knows the clusters for the filter; the audit of the window loads on the client. The
// server's clock is the client's first, so the window text hydrates unchanged (React error #418).
export default async function AuditPage() {
  const clusters = await listClusters(getStore());
  return <AuditClient clusters={clusters.map((cluster) => cluster.name)} initialNow={renderedAt()} />;
}
