import { getAuthConfig, type AuthConfig } from '../auth/auth-config';
import { localIdentity, type Identity } from '../auth/identity';
import { identifyBrowser } from '../auth/identify';
import { hasRole, type Role } from '../auth/roles';
import { readCookie, sessionCookie } from '../auth/session';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { getStore } from '../store/client';
import { findLiveApiToken, isApiTokenShaped } from '../store/api-tokens';
import { handleApiError } from './handle-api-error';
import { getHeavyGate } from './heavy-reads';
import { assertAllowedHost, assertCleanParams, assertCleanUrl, assertJsonBody, assertNoQuery, assertSameOrigin, isMutation } from './request-guard';

export type Access = 'public' | Role;

export type RouteInput<P> = { request: Request; identity: Identity; params: P };

type RouteContext<P> = { params: Promise<P> };

export type RouteHandler<P> = ((request: Request, context?: RouteContext<P>) => Promise<Response>) & { access: Access; isHeavy: boolean };

function bearerOf(request: Request): string | null {
  const header = request.headers.get('authorization');
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
  return match[1]!;
}

async function identify(request: Request, config: AuthConfig, bearer: string | null): Promise<Identity | string> {
  if (bearer !== null) {
    const token = isApiTokenShaped(bearer) ? await findLiveApiToken(getStore(), bearer, new Date()) : null;
    if (!token) throw new UnauthorizedError('the API token is unknown, expired or revoked');
    return { name: `token:${token.name}`, role: token.role, source: 'token', groups: [], tokenId: token.id };
  }
  if (config.mode === 'none') return localIdentity;
  const verdict = await identifyBrowser(request.headers, readCookie(request, sessionCookie), config, Date.now());
  return 'identity' in verdict ? verdict.identity : verdict.anonymous;
}

// Every app/api handler is one of these: host, CSRF, body type, input hygiene, identity, role and
// the heavy-read limit are checked here once, before the handler sees the request.
// `probe`: a liveness or readiness probe. Kubelet asks by pod IP, so the Host pin does not apply; it
// must be public and reveal nothing beyond up or down.
export function defineRoute<P = Record<string, never>>(options: { access: Access; heavy?: boolean; probe?: boolean }, handler: (input: RouteInput<P>) => Promise<Response>): RouteHandler<P> {
  const route = async (request: Request, context?: RouteContext<P>): Promise<Response> => {
    let release: (() => void) | undefined;
    try {
      const config = getAuthConfig();
      if (!options.probe) assertAllowedHost(request.headers.get('host'), config);
      assertCleanUrl(request);
      const bearer = bearerOf(request);
      let identity: Identity = localIdentity;
      if (options.access !== 'public' || bearer !== null) {
        const found = await identify(request, config, bearer);
        if (typeof found === 'string') {
          if (options.access !== 'public') throw new UnauthorizedError(found);
        } else {
          identity = found;
        }
      }
      if (isMutation(request.method)) {
        assertSameOrigin(request, config, bearer !== null);
        assertJsonBody(request);
        assertNoQuery(request);
      }
      const params = ((await context?.params) ?? {}) as P;
      assertCleanParams(params as Record<string, unknown>);
      if (options.access !== 'public' && !hasRole(identity.role, options.access)) {
        throw new ForbiddenError(`${identity.name} is ${identity.role === 'admin' ? 'an' : 'a'} ${identity.role}; this needs the ${options.access} role`);
      }
      if (options.heavy) release = getHeavyGate().acquire();
      const response = await handler({ request, identity, params });
      if (!release || !response.body) {
        release?.();
        return response;
      }
      // A streamed answer (the CSV export) is still working until its last byte is sent or the client
      // goes away: the slot is held until then.
      return new Response(releaseWhenDone(response.body, release), response);
    } catch (error) {
      release?.();
      return handleApiError(error);
    }
  };
  return Object.assign(route, { access: options.access, isHeavy: options.heavy ?? false });
}


function releaseWhenDone(body: ReadableStream<Uint8Array>, release: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (!done) return controller.enqueue(value);
          release();
          controller.close();
        } catch (error) {
          release();
          controller.error(error);
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
