import { sloExportQuery } from '@/lib/api/alert-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { toSloSummaryDto, toSlosCsv } from '@/lib/api/slo-dto';
import { defineRoute } from '@/lib/http/define-route';
import { summarizeSlo } from '@/lib/server/slo/report-slo';
import { getStore } from '@/lib/store/client';
import { listSlos } from '@/lib/store/slos';

export const dynamic = 'force-dynamic';

// Every SLO's figure over its own window, for a report or a spreadsheet.
export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  const { format } = parseQuery(request, sloExportQuery);
  const store = getStore();
  const now = new Date();
  const summaries = [];
  for (const slo of await listSlos(store)) summaries.push(toSloSummaryDto(await summarizeSlo(store, slo, now)));
  if (format === 'json') return respondJson({ generatedAt: now.toISOString(), slos: summaries });
  return new Response(toSlosCsv(summaries), {
    headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="leasetrail-slos-${now.toISOString().slice(0, 10)}.csv"`, 'cache-control': 'no-store' },
  });
});
