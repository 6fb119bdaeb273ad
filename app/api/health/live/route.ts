import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';

export const dynamic = 'force-dynamic';

// Liveness: the process answers. A database outage is not a reason to restart the pod (readiness covers it).
export const GET = defineRoute({ access: 'public', probe: true }, async ({ request }) => {
  parseQuery(request, noQuery);
  return Response.json({ status: 'alive' }, { headers: { 'cache-control': 'no-store' } });
});
