import { toClustersResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
  return respondJson(toClustersResponse(await listClusters(getStore())));
});
