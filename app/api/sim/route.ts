import { NotFoundError } from '@/lib/errors';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getActiveFleet } from '@/lib/sim/active-fleet';

export const dynamic = 'force-dynamic';

// The simulated fleet this process runs: its clusters and who leads each lease right now.
export async function GET(): Promise<Response> {
  try {
    const fleet = getActiveFleet();
    if (!fleet) throw new NotFoundError('no simulated fleet runs in this process');
    return Response.json(
      {
        clusters: fleet.clusters.map((cluster) => ({
          name: cluster.name,
          url: cluster.url,
          leases: cluster.leases.map((lease) => ({ lease, leader: fleet.leaderOf(cluster.name, lease) ?? null })),
        })),
      },
      { headers: { 'cache-control': 'no-store' } },
    );
  } catch (error) {
    return handleApiError(error);
  }
}
