import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';

// The sign-in flow over plain HTTP against a real OpenID provider in this process: authorization
// code + PKCE, groups to roles, a session cookie the API accepts. (tests/e2e/oidc.spec.ts does it in Chromium.)
const providerPort = 39_000 + (process.pid % 1_000);

vi.hoisted(() => {
  const port = 39_000 + (process.pid % 1_000);
  Object.assign(process.env, {
    LEASETRAIL_AUTH: 'oidc',
    LEASETRAIL_PUBLIC_URL: 'http://leasetrail.test',
    LEASETRAIL_SESSION_SECRET: 'integration-session-secret-0123456789abcdef',
    OIDC_ISSUER: `http://127.0.0.1:${port}`,
    OIDC_CLIENT_ID: 'leasetrail',
    OIDC_CLIENT_SECRET: 'integration-client-secret',
    LEASETRAIL_ADMIN_GROUPS: 'platform',
    LEASETRAIL_EDITOR_GROUPS: 'sre',
    LEASETRAIL_VIEWER_GROUPS: 'engineering',
  });
});

const groups: Record<string, string[]> = { alice: ['sre', 'engineering'], eve: ['contractors'] };

let db: MigratedDatabase;
let restore: () => void;
let server: ReturnType<Provider['listen']>;

beforeAll(async () => {
  db = await createMigratedDatabase('oidc');
  restore = pointRoutesAtStore(db.store);
  const provider = new Provider(`http://127.0.0.1:${providerPort}`, {
    clients: [{ client_id: 'leasetrail', client_secret: 'integration-client-secret', redirect_uris: ['http://leasetrail.test/api/auth/callback'], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], profile: ['preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    conformIdTokenClaims: false,
    cookies: { keys: ['integration-provider-cookie-key'] },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, preferred_username: id, groups: groups[id] ?? [] }) };
    },
  });
  server = provider.listen(providerPort, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  expect((server.address() as AddressInfo).port).toBe(providerPort);
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  restore();
  await db.drop();
});

type Jar = Map<string, string>;

function keep(jar: Jar, response: Response): void {
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, ...value] = pair!.split('=');
    jar.set(name!.trim(), value.join('='));
  }
}

const cookieHeader = (jar: Jar) => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');

// Plays the browser at the provider: its login form, then its consent form, until it sends us back.
async function authorizeAt(provider: string, user: string): Promise<string> {
  const jar: Jar = new Map();
  let url = provider;
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 12; step += 1) {
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookieHeader(jar), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    keep(jar, response);
    const location = response.headers.get('location');
    if (location) {
      const next = new URL(location, url);
      if (next.origin === 'http://leasetrail.test') return next.href;
      url = next.href;
      form = undefined;
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(page)?.[1];
    if (!action || !prompt) throw new Error(`unexpected provider page (${response.status}): ${page.slice(0, 200)}`);
    url = new URL(action, url).href;
    form = prompt === 'login' ? { prompt, login: user, password: 'any' } : { prompt };
  }
  throw new Error('the provider never sent the browser back');
}

async function signIn(user: string, returnTo = '/alerts'): Promise<{ status: number; location: string | null; cookies: string[]; body: string }> {
  const login = await import('../../../app/api/auth/login/route');
  const callback = await import('../../../app/api/auth/callback/route');
  const started = await login.GET(new Request(`http://leasetrail.test/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`));
  expect(started.status).toBe(302);
  const toProvider = new URL(started.headers.get('location')!);
  expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
  expect(toProvider.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
  const loginCookie = started.headers.getSetCookie()[0]!.split(';')[0]!;
  expect(started.headers.getSetCookie()[0]).toMatch(/HttpOnly; SameSite=Lax$/);
  const back = await authorizeAt(toProvider.href, user);
  const finished = await callback.GET(new Request(back, { headers: { cookie: loginCookie } }));
  return { status: finished.status, location: finished.headers.get('location'), cookies: finished.headers.getSetCookie(), body: await finished.text() };
}

describe('OIDC sign-in against a real provider', () => {
  it('signs in with code + PKCE, maps groups to a role, and the session cookie works on the API', async () => {
    const me = await import('../../../app/api/auth/me/route');
    const result = await signIn('alice', '/alerts?tab=rules');
    expect(result.status).toBe(302);
    expect(result.location).toBe('http://leasetrail.test/alerts?tab=rules');
    const session = result.cookies.find((line) => line.startsWith('leasetrail_session='))!;
    expect(session).toMatch(/; Max-Age=28800; Path=\/; HttpOnly; SameSite=Lax$/);
    const answer = await me.GET(new Request('http://leasetrail.test/api/auth/me', { headers: { cookie: session.split(';')[0]! } }));
    expect(await answer.json()).toMatchObject({ name: 'alice', role: 'editor', source: 'oidc', groups: ['sre', 'engineering'] });
  });

  it('refuses someone whose groups grant no role', async () => {
    const result = await signIn('eve');
    expect(result.status).toBe(403);
    expect(JSON.parse(result.body)).toEqual({ error: 'eve is in no group that grants a Leasetrail role' });
    expect(result.cookies.some((line) => line.startsWith('leasetrail_session='))).toBe(false);
  });

  it('refuses a callback that does not belong to the sign-in this browser started', async () => {
    const callback = await import('../../../app/api/auth/callback/route');
    const forged = await callback.GET(new Request('http://leasetrail.test/api/auth/callback?code=stolen&state=guess'));
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toMatch(/^the sign-in took too long or was started elsewhere/);
  });

  it('keeps login redirects on this site', async () => {
    const login = await import('../../../app/api/auth/login/route');
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example']) {
      expect((await login.GET(new Request(`http://leasetrail.test/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`))).status).toBe(400);
    }
  });
});
