import { toGapsResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { gapsQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { listGaps } from '@/lib/store/gaps';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    const query = parseQuery(request, gapsQuery);
    return respondJson(toGapsResponse(await listGaps(getStore(), query), query.range));
  } catch (error) {
    return handleApiError(error);
  }
}
