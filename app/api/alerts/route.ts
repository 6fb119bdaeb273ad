import { toAlertsResponse } from '@/lib/api/alert-dto';
import { alertsQuery } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { handleApiError } from '@/lib/http/handle-api-error';
import { listAlerts } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  try {
    const { rule, ...query } = parseQuery(request, alertsQuery);
    return respondJson(toAlertsResponse(await listAlerts(getStore(), { ...query, ruleId: rule }), query.range));
  } catch (error) {
    return handleApiError(error);
  }
}
