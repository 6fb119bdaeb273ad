import type { Metadata } from 'next';
import { toClustersResponse, toGapsResponse } from '@/lib/api/dto';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';
import { listGaps } from '@/lib/store/gaps';
import { ClustersClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Clusters' };

const weekMs = 7 * 86_400_000;

export default async function ClustersPage() {
  const store = getStore();
  const now = new Date();
  const range = { from: new Date(now.getTime() - weekMs), to: new Date(now.getTime() + 1) };
  const [clusters, gaps] = await Promise.all([listClusters(store), listGaps(store, { range, limit: 1_000 })]);
  return <ClustersClient initialClusters={toClustersResponse(clusters)} initialGaps={toGapsResponse(gaps, range)} />;
}
