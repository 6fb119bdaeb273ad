import { numericIdParams, sloBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { toSloDto, toSloReportDto } from '@/lib/api/slo-dto';
import { defineRoute } from '@/lib/http/define-route';
import { reportSlo } from '@/lib/server/slo/report-slo';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';
import { deleteSlo, getSloOrThrow, updateSlo } from '@/lib/store/slos';

export const dynamic = 'force-dynamic';

type Params = { id: string };

const sloExample = '{"name":"control plane","namespacePattern":"kube-system","targetPercent":99.95,"windowDays":30}';

// The SLO's window figure, its budget chart, the multi-window burn rates and every lease in scope.
export const GET = defineRoute<Params>({ access: 'viewer', heavy: true }, async ({ request, params }) => {
  const { id } = numericIdParams.parse(params);
  parseQuery(request, noQuery);
  const store = getStore();
  return respondJson(toSloReportDto(await reportSlo(store, await getSloOrThrow(store, id), new Date())));
});

export const PUT = defineRoute<Params>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const body = await parseJsonBody(request, sloBody, sloExample);
  const store = getStore();
  const slo = await updateSlo(store, id, body);
  await recordAuditEntry(store, { actor: identity.name, action: 'update', targetKind: 'slo', targetId: String(id), detail: { slo: body } });
  return respondJson({ slo: toSloDto(slo) });
});

export const DELETE = defineRoute<Params>({ access: 'editor' }, async ({ params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const store = getStore();
  await deleteSlo(store, id);
  await recordAuditEntry(store, { actor: identity.name, action: 'delete', targetKind: 'slo', targetId: String(id), detail: {} });
  return new Response(null, { status: 204 });
});
