import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseParams, leaseParams, renewalsQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getLeaseContext } from '@/lib/store/failover-context';

export const dynamic = 'force-dynamic';

export const GET = defineRoute<LeaseParams>({ access: 'viewer' }, async ({ request, params }) => {
  const key = leaseParams.parse(params);
  const { range } = parseQuery(request, renewalsQuery);
  return respondJson(await getLeaseContext(getStore(), key, range, Date.now()));
});
