import { sloBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { respondJson } from '@/lib/api/respond';
import { toSloDto, toSloSummaryDto } from '@/lib/api/slo-dto';
import { defineRoute } from '@/lib/http/define-route';
import { summarizeSlo } from '@/lib/server/slo/report-slo';
import { getStore } from '@/lib/store/client';
import { createSlo, listSlos } from '@/lib/store/slos';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer', heavy: true }, async () => {
  const store = getStore();
  const now = new Date();
  const summaries = [];
  for (const slo of await listSlos(store)) summaries.push(toSloSummaryDto(await summarizeSlo(store, slo, now)));
  return respondJson({ slos: summaries });
});

export const POST = defineRoute({ access: 'editor' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, sloBody, '{"name":"control plane","namespacePattern":"kube-system","targetPercent":99.95,"windowDays":30}');
  return respondJson({ slo: toSloDto(await createSlo(getStore(), { ...body, createdBy: identity.name })) });
});
