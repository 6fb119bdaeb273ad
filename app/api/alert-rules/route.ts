import { toRuleDto } from '@/lib/api/alert-dto';
import { ruleBody } from '@/lib/api/alert-schemas';
import { parseJsonBody } from '@/lib/api/body';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { handleApiError } from '@/lib/http/handle-api-error';
import { createRule, listRules } from '@/lib/store/alerts';
import { getStore } from '@/lib/store/client';

export const dynamic = 'force-dynamic';

const ruleExample = '{"name":"scheduler flapping","kind":"flapping","params":{"transitions":3,"windowSeconds":600},"namePattern":"kube-scheduler","forSeconds":0,"quietSeconds":300,"channelIds":[1]}';

export async function GET(request: Request): Promise<Response> {
  try {
    parseQuery(request, noQuery);
    return respondJson({ rules: (await listRules(getStore())).map(toRuleDto) });
  } catch (error) {
    return handleApiError(error);
  }
}

export async function POST(request: Request): Promise<Response> {
  try {
    const body = await parseJsonBody(request, ruleBody, ruleExample);
    const rule = await createRule(getStore(), body);
    return Response.json({ rule: toRuleDto(rule) }, { status: 201, headers: { 'cache-control': 'no-store', location: `/api/alert-rules/${rule.id}` } });
  } catch (error) {
    return handleApiError(error);
  }
}
