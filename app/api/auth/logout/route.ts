import { getAuthConfig } from '@/lib/auth/auth-config';
import { buildLogoutUrl, getOidcSettings } from '@/lib/auth/oidc';
import { clearCookie, openSession, readCookie, sessionCookie } from '@/lib/auth/session';
import { defineRoute } from '@/lib/http/define-route';

export const dynamic = 'force-dynamic';

// Drops the session cookie and answers where to go next: the provider's end-session page when it has one.
export const POST = defineRoute({ access: 'public' }, async ({ request }) => {
  const config = getAuthConfig();
  if (config.mode !== 'oidc') return Response.json({ redirectTo: '/' }, { headers: { 'cache-control': 'no-store' } });
  const settings = getOidcSettings();
  const session = await openSession(readCookie(request, sessionCookie), config.sessionSecret!, Date.now());
  const redirectTo = await buildLogoutUrl(settings, session?.idToken);
  return Response.json({ redirectTo }, { headers: { 'cache-control': 'no-store', 'set-cookie': clearCookie(sessionCookie, settings.publicUrl.protocol === 'https:') } });
});
