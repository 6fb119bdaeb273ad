import { sloBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { toSloDto, toSloSummaryDto } from '@/lib/api/slo-dto';
import { defineRoute } from '@/lib/http/define-route';
import { summarizeSlo } from '@/lib/server/slo/report-slo';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';
import { createSlo, listSlos } from '@/lib/store/slos';

export const dynamic = 'force-dynamic';

const sloExample = '{"name":"control plane","namespacePattern":"kube-system","targetPercent":99.95,"windowDays":30}';

export const GET = defineRoute({ access: 'viewer', heavy: true }, async ({ request }) => {
  parseQuery(request, noQuery);
  const store = getStore();
  const now = new Date();
  const summaries = [];
  for (const slo of await listSlos(store)) summaries.push(toSloSummaryDto(await summarizeSlo(store, slo, now)));
  return respondJson({ slos: summaries });
});

export const POST = defineRoute({ access: 'editor' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, sloBody, sloExample);
  const store = getStore();
  const slo = await createSlo(store, { ...body, createdBy: identity.name });
  await recordAuditEntry(store, { actor: identity.name, action: 'create', targetKind: 'slo', targetId: String(slo.id), detail: { slo: body } });
  return Response.json({ slo: toSloDto(slo) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/slos/${slo.id}` } });
});
