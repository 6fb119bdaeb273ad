import { toLeasesResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { leasesQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { listLeases } from '@/lib/store/leases';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    const query = parseQuery(request, leasesQuery);
    return respondJson(toLeasesResponse(await listLeases(getStore(), query)));
  } catch (error) {
    return handleApiError(error);
  }
}
