import { toRuleDto } from '@/lib/api/alert-dto';
import { ruleBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { createRule, listRules } from '@/lib/store/alerts';
import { recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

const ruleExample = '{"name":"scheduler flapping","kind":"flapping","params":{"transitions":3,"windowSeconds":600},"namePattern":"kube-scheduler","forSeconds":0,"quietSeconds":300,"channelIds":[1]}';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  parseQuery(request, noQuery);
  return respondJson({ rules: (await listRules(getStore())).map(toRuleDto) });
});

export const POST = defineRoute({ access: 'editor' }, async ({ request, identity }) => {
  const body = await parseJsonBody(request, ruleBody, ruleExample);
  const store = getStore();
  const rule = await createRule(store, body);
  await recordAuditEntry(store, { actor: identity.name, action: 'create', targetKind: 'rule', targetId: String(rule.id), detail: { rule: body } });
  return Response.json({ rule: toRuleDto(rule) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/alert-rules/${rule.id}` } });
});
