import { NotFoundError } from '@/lib/errors';
import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getActiveFleet } from '@/lib/sim/active-fleet';

export const dynamic = 'force-dynamic';

// The simulated fleet this process runs: its clusters and who leads each lease right now.
export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
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
});
