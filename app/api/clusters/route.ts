import { toClustersResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    parseQuery(request, noQuery);
    return respondJson(toClustersResponse(await listClusters(getStore())));
  } catch (error) {
    return handleApiError(error);
  }
}
