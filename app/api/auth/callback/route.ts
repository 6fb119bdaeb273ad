import { getAuthConfig } from '@/lib/auth/auth-config';
import { finishLogin, getOidcSettings } from '@/lib/auth/oidc';
import { clearCookie, loginCookie, openLoginState, readCookie, sealSession, serializeCookie, sessionCookie } from '@/lib/auth/session';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '@/lib/errors';
import { defineRoute } from '@/lib/http/define-route';
import { loggerFor } from '@/lib/log';

export const dynamic = 'force-dynamic';

const log = loggerFor('auth');

// The provider sends the browser back here with a code; PKCE, state and nonce tie it to the login it started.
export const GET = defineRoute({ access: 'public' }, async ({ request }) => {
  const config = getAuthConfig();
  if (config.mode !== 'oidc') throw new NotFoundError('sign-in is handled by OIDC only (LEASETRAIL_AUTH=oidc)');
  const settings = getOidcSettings();
  const secure = settings.publicUrl.protocol === 'https:';
  const expected = await openLoginState(readCookie(request, loginCookie), config.sessionSecret!);
  if (!expected) throw new UnauthorizedError('the sign-in took too long or was started elsewhere: start again at /api/auth/login');
  const signedIn = await finishLogin(settings, new URL(request.url).search, expected, config.roleMapping).catch((error: unknown) => {
    log.warn({ err: error }, 'OIDC sign-in failed');
    throw new UnauthorizedError('the identity provider did not confirm the sign-in: start again at /api/auth/login');
  });
  if (!signedIn.role) throw new ForbiddenError(`${signedIn.name} is in no group that grants a Leasetrail role`);
  const expiresAt = Date.now() + config.sessionSeconds * 1000;
  const sealed = await sealSession({ name: signedIn.name, role: signedIn.role, groups: signedIn.groups.slice(0, 50), expiresAt, idToken: signedIn.idToken }, config.sessionSecret!, config.sessionSeconds);
  log.info({ user: signedIn.name, role: signedIn.role }, 'signed in');
  const headers = new Headers({ location: new URL(expected.returnTo, settings.publicUrl).href, 'cache-control': 'no-store' });
  headers.append('set-cookie', serializeCookie(sessionCookie, sealed, { maxAgeSeconds: config.sessionSeconds, secure }));
  headers.append('set-cookie', clearCookie(loginCookie, secure, '/api/auth'));
  return new Response(null, { status: 302, headers });
});
