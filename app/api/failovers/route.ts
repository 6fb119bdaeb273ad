import { toFailoversCsv, toFailoversResponse } from '@/lib/api/audit-dto';
import { failoversQuery } from '@/lib/api/audit-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { exportFileName } from '@/lib/audit/export-name';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFailoverAudit } from '@/lib/store/failovers';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  const { format, burst, range, cluster, namespace, cause, limit } = parseQuery(request, failoversQuery);
  const audit = await getFailoverAudit(getStore(), { range, cluster, namespace, cause, limit, burstGapMs: burst * 1_000, now: new Date() });
  const response = toFailoversResponse(audit, range, { cluster: cluster ?? null, namespace: namespace ?? null, cause: cause ?? null, burstSeconds: burst });
  if (format === 'json') return respondJson(response);
  return new Response(toFailoversCsv(response), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${exportFileName(range, 'csv')}"`,
      'cache-control': 'no-store',
      // A CSV has no room for "there is more": the header says it, and the JSON's hasMore does too.
      'x-leasetrail-truncated': String(response.hasMore),
    },
  });
});
