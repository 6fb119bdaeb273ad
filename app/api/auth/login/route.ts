import { z } from 'zod';
import { parseQuery } from '@/lib/api/query';
import { getAuthConfig } from '@/lib/auth/auth-config';
import { getOidcSettings, startLogin } from '@/lib/auth/oidc';
import { loginCookie, loginCookieSeconds, sealLoginState, serializeCookie } from '@/lib/auth/session';
import { NotFoundError, UnavailableError } from '@/lib/errors';
import { defineRoute } from '@/lib/http/define-route';
import { loggerFor } from '@/lib/log';

export const dynamic = 'force-dynamic';

const log = loggerFor('auth');

// Only paths on this site: "//evil.example" and absolute URLs would make the login an open redirect.
const returnTo = z
  .string()
  .max(2_000, 'must be at most 2000 characters')
  .regex(/^\/(?![/\\])/, 'must be a path on this site, e.g. /alerts')
  .default('/');

export const GET = defineRoute({ access: 'public' }, async ({ request }) => {
  const config = getAuthConfig();
  if (config.mode !== 'oidc') throw new NotFoundError('sign-in is handled by OIDC only (LEASETRAIL_AUTH=oidc)');
  const query = parseQuery(request, z.strictObject({ returnTo }));
  const settings = getOidcSettings();
  const start = await startLogin(settings).catch((error: unknown) => {
    log.warn({ err: error, issuer: settings.issuer.href }, 'OIDC discovery failed');
    throw new UnavailableError(`the identity provider at ${settings.issuer.origin} cannot be reached; try again shortly`);
  });
  const sealed = await sealLoginState({ state: start.state, nonce: start.nonce, codeVerifier: start.codeVerifier, returnTo: query.returnTo }, config.sessionSecret!);
  return new Response(null, {
    status: 302,
    headers: {
      location: start.redirectTo.href,
      'cache-control': 'no-store',
      'set-cookie': serializeCookie(loginCookie, sealed, { maxAgeSeconds: loginCookieSeconds, secure: settings.publicUrl.protocol === 'https:', path: '/api/auth' }),
    },
  });
});
