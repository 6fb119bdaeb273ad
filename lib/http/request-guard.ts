import { isLoopbackHost } from '../env';
import { ForbiddenError, MisdirectedRequestError, PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import type { AuthConfig } from '../auth/auth-config';

export const maxBodyBytes = 256 * 1024;

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isMutation(method: string): boolean {
  return !safeMethods.has(method.toUpperCase());
}

function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!;
  return host.replace(/:\d+$/, '');
}

// DNS rebinding: a name the attacker controls that resolves to us still carries the attacker's Host.
export function assertAllowedHost(host: string | null, config: AuthConfig): void {
  if (host === null) return;
  const lower = host.toLowerCase();
  if (config.publicUrl) {
    if (lower !== config.publicUrl.host.toLowerCase()) throw new MisdirectedRequestError(`unknown Host ${host.slice(0, 100)}: this server answers to ${config.publicUrl.host} (LEASETRAIL_PUBLIC_URL)`);
    return;
  }
  if (config.mode === 'none' && !isLoopbackHost(hostnameOf(lower))) {
    throw new MisdirectedRequestError(`unknown Host ${host.slice(0, 100)}: without LEASETRAIL_PUBLIC_URL only localhost names are answered`);
  }
}

function expectedOrigin(request: Request, config: AuthConfig): string | null {
  if (config.publicUrl) return config.publicUrl.origin;
  const host = request.headers.get('host');
  if (!host) return new URL(request.url).origin;
  return `${new URL(request.url).protocol}//${host}`;
}

// CSRF: a browser always sends Origin (or at least Sec-Fetch-Site) with a cross-site POST; a bearer
// token is never sent by a browser on its own, so token requests need neither.
export function assertSameOrigin(request: Request, config: AuthConfig, hasBearer: boolean): void {
  if (hasBearer) return;
  const origin = request.headers.get('origin');
  if (origin !== null) {
    if (origin !== expectedOrigin(request, config)) throw new ForbiddenError(`cross-origin request refused: Origin ${origin.slice(0, 100)} is not this site`);
    return;
  }
  const site = request.headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') throw new ForbiddenError(`cross-site request refused (Sec-Fetch-Site: ${site.slice(0, 30)})`);
  if (site === null && config.mode !== 'none') throw new ForbiddenError('changes need a same-origin Origin header (sent by browsers) or an API token (Authorization: Bearer …)');
}

// Forms and text/plain are what a foreign page can send without asking; JSON is not. A declared
// Content-Type must be JSON; a body announced without one is refused too.
export function assertJsonBody(request: Request): void {
  const length = Number(request.headers.get('content-length') ?? '0');
  if (Number.isFinite(length) && length > maxBodyBytes) throw new PayloadTooLargeError(`the body is ${length} bytes; at most ${maxBodyBytes} are accepted`);
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  const hasDeclaredBody = length > 0 || request.headers.has('transfer-encoding');
  if (type === '' && !hasDeclaredBody) return;
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`the body must be sent as Content-Type: application/json${type ? ` (got ${type.slice(0, 60)})` : ''}`);
}

function hasNul(value: string): boolean {
  return value.includes('\0');
}

// Every path segment must decode, and no decoded input may carry a NUL (PostgreSQL text cannot hold one).
export function assertCleanUrl(request: Request): void {
  const url = new URL(request.url);
  for (const segment of url.pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new ValidationError(`invalid path: ${segment.slice(0, 60)} is not valid percent-encoding`, [{ path: 'path', message: 'bad percent-encoding' }]);
    }
    if (hasNul(decoded)) throw new ValidationError('invalid path: must not contain a NUL byte', [{ path: 'path', message: 'NUL byte' }]);
  }
  for (const [key, value] of url.searchParams) {
    if (hasNul(key) || hasNul(value)) throw new ValidationError(`invalid ${hasNul(key) ? 'query' : key}: must not contain a NUL byte`, [{ path: key, message: 'NUL byte' }]);
  }
}

export function assertCleanParams(params: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(params)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.some((entry) => typeof entry === 'string' && hasNul(entry))) throw new ValidationError(`invalid ${key}: must not contain a NUL byte`, [{ path: key, message: 'NUL byte' }]);
  }
}

// Changes take their input in the JSON body only, so a query string on one is a mistake worth naming.
export function assertNoQuery(request: Request): void {
  const keys = [...new Set(new URL(request.url).searchParams.keys())];
  if (keys.length > 0) throw new ValidationError(`unknown query parameter ${keys.join(', ').slice(0, 100)}: changes take their input in the JSON body`, keys.map((key) => ({ path: key, message: 'unknown query parameter' })));
}
