import { getStore } from '@/lib/store/client';
import { getHealth } from '@/lib/store/health';
import { appVersion } from '@/lib/version';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const health = await getHealth(getStore(), appVersion);
  return Response.json(health, { status: health.database.reachable ? 200 : 503, headers: { 'cache-control': 'no-store' } });
}
