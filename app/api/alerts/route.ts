import { toAlertsResponse } from '@/lib/api/alert-dto';
import { alertsQuery } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { listAlerts } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const { rule, ...query } = parseQuery(request, alertsQuery);
  return respondJson(toAlertsResponse(await listAlerts(getStore(), { ...query, ruleId: rule }), query.range));
});
