import { toLeaseResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseParams, leaseParams, noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getLeaseOrThrow } from '@/lib/store/leases';

export const dynamic = 'force-dynamic';

export const GET = defineRoute<LeaseParams>({ access: 'viewer' }, async ({ request, params }) => {
  const key = leaseParams.parse(params);
  parseQuery(request, noQuery);
  return respondJson(toLeaseResponse(await getLeaseOrThrow(getStore(), key)));
});
