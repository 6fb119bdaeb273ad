import { toFailoversResponse } from '@/lib/api/audit-dto';
import { failoversQuery } from '@/lib/api/audit-schemas';
import { streamFailoversCsv } from '@/lib/api/failover-csv-stream';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { exportFileName } from '@/lib/audit/export-name';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFailoverAudit, openFailoverCursor } from '@/lib/store/failovers';

export const dynamic = 'force-dynamic';

// The CSV export streams from a cursor: a batch per read, a statement never longer than 10 s, the whole
// export at most two minutes.
const csvExport = { batchRows: 1_000, statementTimeoutMs: 10_000, budgetMs: 120_000 };

export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  const { format, burst, range, cluster, namespace, cause, limit } = parseQuery(request, failoversQuery);
  if (format === 'csv') {
    const cursor = await openFailoverCursor(getStore(), { range, cluster, namespace, cause, limit }, { statementTimeoutMs: csvExport.statementTimeoutMs });
    return new Response(streamFailoversCsv(cursor, { burstGapMs: burst * 1_000, batchRows: csvExport.batchRows, budgetMs: csvExport.budgetMs }), {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${exportFileName(range, 'csv')}"`,
        'cache-control': 'no-store',
        // A CSV has no room for "there is more": the header says it, and the JSON's hasMore does too.
        'x-leasetrail-truncated': String(cursor.isTruncated),
      },
    });
  }
  const audit = await getFailoverAudit(getStore(), { range, cluster, namespace, cause, limit, burstGapMs: burst * 1_000, now: new Date() });
  return respondJson(toFailoversResponse(audit, range, { cluster: cluster ?? null, namespace: namespace ?? null, cause: cause ?? null, burstSeconds: burst }));
});
