import { parseQuery } from '@/lib/api/query';
import { noQuery } from '@/lib/api/schemas';
import { defineRoute } from '@/lib/http/define-route';
import { isDraining } from '@/lib/server/lifecycle';
import { getStore } from '@/lib/store/client';
import { getHealth } from '@/lib/store/health';

export const dynamic = 'force-dynamic';

// Readiness: send traffic here only while the database answers and the process is not shutting down.
// Up or down and why, nothing more: probes ask without credentials.
export const GET = defineRoute({ access: 'public', probe: true }, async ({ request }) => {
  parseQuery(request, noQuery);
  const headers = { 'cache-control': 'no-store' };
  if (isDraining()) return Response.json({ status: 'draining', error: 'shutting down' }, { status: 503, headers });
  const health = await getHealth(getStore(), '');
  const ready = health.database.reachable;
  return Response.json(ready ? { status: 'ready' } : { status: 'unavailable', error: health.database.error ?? 'the database does not answer' }, { status: ready ? 200 : 503, headers });
});
