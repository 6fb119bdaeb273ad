import { toTransitionsResponse } from '@/lib/api/dto';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { type LeaseRouteContext, leaseParams, transitionsQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { getStore } from '@/lib/store/client';
import { listTransitions } from '@/lib/store/transitions';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: LeaseRouteContext): Promise<Response> {
  try {
    const key = leaseParams.parse(await params);
    const { range, limit } = parseQuery(request, transitionsQuery);
    return respondJson(toTransitionsResponse(await listTransitions(getStore(), { key, range, limit }), range));
  } catch (error) {
    return handleApiError(error);
  }
}
