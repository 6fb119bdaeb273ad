import { toTransitionsResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseParams, leaseParams, transitionsQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { listTransitions } from '@/lib/store/transitions';

export const dynamic = 'force-dynamic';

export const GET = defineRoute<LeaseParams>({ access: 'viewer' }, async ({ request, params }) => {
  const key = leaseParams.parse(params);
  const { range, limit } = parseQuery(request, transitionsQuery);
  return respondJson(toTransitionsResponse(await listTransitions(getStore(), { key, range, limit }), range));
});
