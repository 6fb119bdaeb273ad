import { toLeaseResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseRouteContext, leaseParams, noQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { getLeaseOrThrow } from '@/lib/store/leases';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: LeaseRouteContext): Promise<Response> {
  try {
    const key = leaseParams.parse(await params);
    parseQuery(request, noQuery);
    return respondJson(toLeaseResponse(await getLeaseOrThrow(getStore(), key)));
  } catch (error) {
    return handleApiError(error);
  }
}
