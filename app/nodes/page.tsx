import type { Metadata } from 'next';
import { toClustersResponse } from '@/lib/api/dto';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';
import { NodesClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Nodes' };

export default async function NodesPage() {
  const clusters = await listClusters(getStore());
  return <NodesClient initialClusters={toClustersResponse(clusters)} />;
}
