export const dynamic = 'force-dynamic';

// Liveness: the process answers. A database outage is not a reason to restart the pod (readiness covers it).
export function GET(): Response {
  return Response.json({ status: 'alive' }, { headers: { 'cache-control': 'no-store' } });
}
