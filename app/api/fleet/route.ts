import { toFleetResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { getFleetSummary } from '@/lib/store/fleet';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    parseQuery(request, z.object({}));
    return respondJson(toFleetResponse(await getFleetSummary(getStore())));
  } catch (error) {
    return handleApiError(error);
  }
}
