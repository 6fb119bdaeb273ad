import { toRenewalsResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseRouteContext, leaseParams, renewalsQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { listRenewals } from '@/lib/store/renewals';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: LeaseRouteContext): Promise<Response> {
  try {
    const key = leaseParams.parse(await params);
    const { range } = parseQuery(request, renewalsQuery);
    return respondJson(toRenewalsResponse(await listRenewals(getStore(), { key, range }), range));
  } catch (error) {
    return handleApiError(error);
  }
}
