import { toLeasesResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { leasesQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { listLeases } from '@/lib/store/leases';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const query = parseQuery(request, leasesQuery);
  return respondJson(toLeasesResponse(await listLeases(getStore(), query)));
});
