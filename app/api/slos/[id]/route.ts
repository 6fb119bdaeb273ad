import { numericIdParams, sloBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { toSloDto, toSloReportDto } from '@/lib/api/slo-dto';
import { defineRoute } from '@/lib/http/define-route';
import { reportSlo } from '@/lib/server/slo/report-slo';
import { getStore } from '@/lib/store/client';
import { deleteSlo, getSloOrThrow, updateSlo } from '@/lib/store/slos';

export const dynamic = 'force-dynamic';

type Params = { id: string };

// The SLO's window figure, its budget chart, the multi-window burn rates and every lease in scope.
export const GET = defineRoute<Params>({ access: 'viewer', heavy: true }, async ({ params }) => {
  const { id } = numericIdParams.parse(params);
  const store = getStore();
  return respondJson(toSloReportDto(await reportSlo(store, await getSloOrThrow(store, id), new Date())));
});

export const PUT = defineRoute<Params>({ access: 'editor' }, async ({ request, params }) => {
  const { id } = numericIdParams.parse(params);
  const body = await parseJsonBody(request, sloBody, '{"name":"control plane","namespacePattern":"kube-system","targetPercent":99.95,"windowDays":30}');
  return respondJson({ slo: toSloDto(await updateSlo(getStore(), id, body)) });
});

export const DELETE = defineRoute<Params>({ access: 'editor' }, async ({ params }) => {
  const { id } = numericIdParams.parse(params);
  await deleteSlo(getStore(), id);
  return respondJson({ deleted: id });
});
