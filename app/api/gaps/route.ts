import { toGapsResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { gapsQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { listGaps } from '@/lib/store/gaps';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const query = parseQuery(request, gapsQuery);
  return respondJson(toGapsResponse(await listGaps(getStore(), query), query.range));
});
