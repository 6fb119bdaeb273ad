import { NotFoundError } from '@/lib/errors';
import { parseJsonBody } from '@/lib/api/body';
import { defineRoute } from '@/lib/http/define-route';
import { getActiveFleet } from '@/lib/sim/active-fleet';
import { chaosOperationSchema } from '@/lib/sim/chaos';

export const dynamic = 'force-dynamic';

// Chaos on the simulated fleet only (crash a leader, pause it, restart an API server…); a real
// cluster is never touched from here.
export const POST = defineRoute({ access: 'admin' }, async ({ request }) => {
  const fleet = getActiveFleet();
  if (!fleet) throw new NotFoundError('no simulated fleet runs in this process; chaos applies only to the simulated fleet');
  const operation = await parseJsonBody(request, chaosOperationSchema, '{"op":"crashLeader","cluster":"sim-prod-eu","lease":"kube-system/kube-scheduler"}');
  const cluster = fleet.clusters.find((candidate) => candidate.name === operation.cluster);
  if (!cluster) throw new NotFoundError(`the simulated fleet has no cluster ${operation.cluster}`);
  if ('lease' in operation && !cluster.leases.includes(operation.lease)) {
    throw new NotFoundError(`cluster ${operation.cluster} of the simulated fleet has no elected lease ${operation.lease} (it has ${cluster.leases.join(', ')})`);
  }
  return Response.json(await fleet.applyChaos(operation));
});
