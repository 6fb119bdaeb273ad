import { isDraining } from '@/lib/server/lifecycle';
import { getStore } from '@/lib/store/client';
import { getHealth } from '@/lib/store/health';
import { appVersion } from '@/lib/version';

export const dynamic = 'force-dynamic';

// Readiness: send traffic here only while the database answers and the process is not shutting down.
export async function GET(): Promise<Response> {
  const headers = { 'cache-control': 'no-store' };
  if (isDraining()) return Response.json({ status: 'draining', error: 'shutting down' }, { status: 503, headers });
  const health = await getHealth(getStore(), appVersion);
  return Response.json(health, { status: health.database.reachable ? 200 : 503, headers });
}
