import { toFleetResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFleetSummary } from '@/lib/store/fleet';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, z.object({}));
  return respondJson(toFleetResponse(await getFleetSummary(getStore())));
});
