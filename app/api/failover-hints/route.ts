import { failoverHintsQuery } from '@/lib/api/context-schemas';
import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getFailoverHints } from '@/lib/store/failover-context';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request }) => {
  const { ids } = parseQuery(request, failoverHintsQuery);
  return respondJson({ hints: await getFailoverHints(getStore(), ids) });
});
