import type { Metadata } from 'next';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';
import { TimelineClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Fleet timeline' };

const renderedAt = () => Date.now();

export default async function TimelinePage() {
  const clusters = await listClusters(getStore());
  // The server's clock is the client's first: both resolve the same window while hydrating.
  return <TimelineClient clusters={clusters.map((cluster) => cluster.name)} initialNow={renderedAt()} />;
}
