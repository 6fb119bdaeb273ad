import { toRuleDto } from '@/lib/api/alert-dto';
import { mergeRulePatch, numericIdParams, ruleBody, rulePatch, type IdRouteContext } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { deleteRule, getRuleOrThrow, updateRule } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    parseQuery(request, noQuery);
    return respondJson({ rule: toRuleDto(await getRuleOrThrow(getStore(), id)) });
  } catch (error) {
    return handleApiError(error);
  }
}

// Partial update: fields left out keep their stored values; the result is validated as a whole rule.
export async function PATCH(request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    const patch = await parseJsonBody(request, rulePatch, '{"enabled":false} or {"params":{"transitions":5,"windowSeconds":900}}');
    const store = getStore();
    const merged = ruleBody.parse(mergeRulePatch(await getRuleOrThrow(store, id), patch));
    return respondJson({ rule: toRuleDto(await updateRule(store, id, merged)) });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function DELETE(_request: Request, { params }: IdRouteContext): Promise<Response> {
  try {
    const { id } = numericIdParams.parse(await params);
    await deleteRule(getStore(), id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return handleApiError(error);
  }
}
