import { NextResponse, type NextRequest } from 'next/server';
import { getAuthConfig } from '@/lib/auth/auth-config';
import { identifyBrowser } from '@/lib/auth/identify';
import { sessionCookie } from '@/lib/auth/session';
import { assertAllowedHost } from '@/lib/http/request-guard';

// Pages get a fresh CSP nonce each (Next puts it on its own scripts when the request carries the
// policy) and are shown only to someone with a role; API routes check their own role in defineRoute.
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function refuse(status: number, message: string): NextResponse {
  return new NextResponse(`${message}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

// Asked by machines at the pod's address, not at the public URL: the kubelet's probes (Host is the pod IP)
// and a Prometheus scrape presenting its bearer token. The routes check the rest themselves
// (defineRoute's `probe`, app/metrics/route.ts); a browser led there by DNS rebinding reads only health.
const probePaths = new Set(['/api/health', '/api/health/live', '/api/health/ready']);
function answersAnyHost(request: NextRequest): boolean {
  const path = request.nextUrl.pathname;
  if (probePaths.has(path)) return true;
  return path === '/metrics' && /^Bearer \S/i.test(request.headers.get('authorization') ?? '');
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const config = getAuthConfig();
  if (answersAnyHost(request)) return NextResponse.next();
  try {
    assertAllowedHost(request.headers.get('host'), config);
  } catch (error) {
    return refuse(421, (error as Error).message);
  }
  // API routes and the scrape endpoint check their own role (defineRoute) or token.
  if (request.nextUrl.pathname.startsWith('/api/') || request.nextUrl.pathname === '/metrics') return NextResponse.next();

  const verdict = await identifyBrowser(request.headers, request.cookies.get(sessionCookie)?.value, config, Date.now());
  if (!('identity' in verdict)) {
    if (config.mode === 'oidc') {
      const login = new URL('/api/auth/login', config.publicUrl ?? request.url);
      login.searchParams.set('returnTo', `${request.nextUrl.pathname}${request.nextUrl.search}`);
      return NextResponse.redirect(login);
    }
    return refuse(401, `not signed in: ${verdict.anonymous}`);
  }

  const nonce = Buffer.from(crypto.randomUUID()).toString('base64');
  const policy = contentSecurityPolicy(nonce);
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [{ source: '/((?!_next/static|_next/image|favicon.ico).*)' }],
};
