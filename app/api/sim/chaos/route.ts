import { NotFoundError, ValidationError } from '@/lib/errors';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getActiveFleet } from '@/lib/sim/active-fleet';
import { chaosOperationSchema } from '@/lib/sim/chaos';

export const dynamic = 'force-dynamic';

// Chaos on the simulated fleet only (crash a leader, pause it, restart an API server…); a real
// cluster is never touched from here.
export async function POST(request: Request): Promise<Response> {
  try {
    const fleet = getActiveFleet();
    if (!fleet) throw new NotFoundError('no simulated fleet runs in this process; chaos applies only to the simulated fleet');
    const body: unknown = await request.json().catch(() => {
      throw new ValidationError('the body must be JSON, e.g. {"op":"crashLeader","cluster":"sim-prod-eu","lease":"kube-system/kube-scheduler"}');
    });
    const operation = chaosOperationSchema.parse(body);
    const cluster = fleet.clusters.find((candidate) => candidate.name === operation.cluster);
    if (!cluster) throw new NotFoundError(`the simulated fleet has no cluster ${operation.cluster}`);
    if ('lease' in operation && !cluster.leases.includes(operation.lease)) {
      throw new NotFoundError(`cluster ${operation.cluster} of the simulated fleet has no elected lease ${operation.lease} (it has ${cluster.leases.join(', ')})`);
    }
    return Response.json(await fleet.applyChaos(operation));
  } catch (error) {
    return handleApiError(error);
  }
}
