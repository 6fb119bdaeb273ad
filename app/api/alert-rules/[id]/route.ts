import { toRuleDto } from '@/lib/api/alert-dto';
import { mergeRulePatch, numericIdParams, ruleBody, rulePatch } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { deleteRule, getRuleOrThrow, updateRule } from '@/lib/store/alerts';
import { diffFields, recordAuditEntry } from '@/lib/store/audit-log';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

type Params = { id: string };

export const GET = defineRoute<Params>({ access: 'viewer' }, async ({ request, params }) => {
  const { id } = numericIdParams.parse(params);
  parseQuery(request, noQuery);
  return respondJson({ rule: toRuleDto(await getRuleOrThrow(getStore(), id)) });
});

// Partial update: fields left out keep their stored values; the result is validated as a whole rule.
export const PATCH = defineRoute<Params>({ access: 'editor' }, async ({ request, params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const patch = await parseJsonBody(request, rulePatch, '{"enabled":false} or {"params":{"transitions":5,"windowSeconds":900}}');
  const store = getStore();
  const before = await getRuleOrThrow(store, id);
  const merged = ruleBody.parse(mergeRulePatch(before, patch));
  const rule = await updateRule(store, id, merged);
  await recordAuditEntry(store, { actor: identity.name, action: 'update', targetKind: 'rule', targetId: String(id), detail: { name: rule.name, changes: diffFields(before, rule) } });
  return respondJson({ rule: toRuleDto(rule) });
});

export const DELETE = defineRoute<Params>({ access: 'editor' }, async ({ params, identity }) => {
  const { id } = numericIdParams.parse(params);
  const store = getStore();
  const rule = await getRuleOrThrow(store, id);
  await deleteRule(store, id);
  await recordAuditEntry(store, { actor: identity.name, action: 'delete', targetKind: 'rule', targetId: String(id), detail: { name: rule.name, kind: rule.kind } });
  return new Response(null, { status: 204 });
});
