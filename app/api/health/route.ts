import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { getStore } from '@/lib/store/client';
import { getHealth } from '@/lib/store/health';
import { appVersion } from '@/lib/version';

export const dynamic = 'force-dynamic';

// Public: probes and load balancers ask without credentials.
export const GET = defineRoute({ access: 'public', probe: true }, async ({ request }) => {
  parseQuery(request, noQuery);
  const health = await getHealth(getStore(), appVersion);
  return Response.json(health, { status: health.database.reachable ? 200 : 503, headers: { 'cache-control': 'no-store' } });
});
