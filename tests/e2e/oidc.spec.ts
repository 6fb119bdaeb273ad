import http from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { sealData } from 'iron-session';
import { oidcSettings } from '../../playwright.config';

// Leasetrail with LEASETRAIL_AUTH=oidc against a real OpenID provider (tests/e2e/support/oidc-provider.ts):
// authorization code + PKCE in Chromium, groups mapped to roles, logout, an expired session.
test.use({ baseURL: oidcSettings.baseURL });

async function signIn(page: Page, user: string, path = '/alerts'): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(new RegExp(`^${oidcSettings.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(user);
  await page.locator('input[name="password"]').fill('any');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

test('an SRE signs in, gets the editor role from their group, and sees only what an editor may do', async ({ page }) => {
  await signIn(page, 'alice', '/alerts?tab=rules');
  await expect(page).toHaveURL(`${oidcSettings.baseURL}/alerts?tab=rules`);
  await expect(page.getByLabel('Signed in as')).toContainText('alice · editor');
  await expect(page.getByRole('button', { name: 'New rule' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Admin' })).toHaveCount(0);
  await page.goto('/alerts?tab=channels');
  await expect(page.getByText('Where alerts go.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'New channel' })).toHaveCount(0);

  const cookie = (await page.context().cookies()).find((entry) => entry.name === 'leasetrail_session')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  const me = await page.request.get('/api/auth/me');
  expect(await me.json()).toMatchObject({ name: 'alice', role: 'editor', source: 'oidc', groups: ['sre', 'engineering'] });
  const channel = await page.request.post('/api/channels', { data: { name: 'x', kind: 'slack', config: { url: 'https://hooks.slack.com/services/T/B/C' } }, headers: { origin: oidcSettings.baseURL } });
  expect(channel.status()).toBe(403);
});

test('an admin creates an API token that is shown once and works for automation', async ({ page, playwright }) => {
  await signIn(page, 'root', '/admin');
  await expect(page.getByLabel('Signed in as')).toContainText('root · admin');
  const form = page.getByRole('form', { name: 'New API token' });
  await form.getByLabel('Token name').fill('grafana');
  await form.getByLabel('Role').selectOption('viewer');
  await form.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByLabel('New token').textContent())!;
  expect(token).toMatch(/^lt_[\w-]{43}$/);
  await expect(page.getByRole('table', { name: 'API tokens' })).toContainText('grafana');

  const automation = await playwright.request.newContext({ baseURL: oidcSettings.baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  expect((await automation.get('/api/clusters')).status()).toBe(200);
  // Without LEASETRAIL_METRICS_TOKEN, /metrics is a viewer's read: the token scrapes it.
  const scrape = await automation.get('/metrics');
  expect(scrape.status()).toBe(200);
  expect(await scrape.text()).toContain('# TYPE process_cpu_seconds_total counter');
  expect((await automation.post('/api/annotations', { data: { text: 'x', at: '2026-11-23T10:00:00Z' } })).status()).toBe(403);
  // The last-used column (right after "created by") now shows a time instead of a dash.
  await page.reload();
  await expect(page.getByRole('table', { name: 'API tokens' }).getByRole('row', { name: /grafana/ })).not.toContainText('root—');
  await page.getByRole('button', { name: 'Revoke grafana' }).click();
  await expect(page.getByRole('table', { name: 'API tokens' })).toContainText('revoked');
  expect((await automation.get('/api/clusters')).status()).toBe(401);
  await expect(page.getByRole('table', { name: 'Audit log' })).toContainText('revoke token');
  await automation.dispose();
});

test('someone in no mapped group is refused, and anonymous API calls get 401', async ({ page, request }) => {
  await signIn(page, 'eve');
  await expect(page.locator('body')).toContainText('eve is in no group that grants a Leasetrail role');
  expect((await request.get('/api/clusters')).status()).toBe(401);
});

test('signing out ends the session here and at the provider', async ({ page }) => {
  await signIn(page, 'bob', '/');
  await expect(page.getByLabel('Signed in as')).toContainText('bob · viewer');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(new RegExp(`^${oidcSettings.issuer}/session/end`));
  await page.getByRole('button', { name: /sign me out/i }).click();
  // Back at Leasetrail with no session, and no session at the provider either: the login form again.
  await expect(page).toHaveURL(new RegExp(`^${oidcSettings.issuer}/interaction/`));
  await expect(page.locator('input[name="login"]')).toBeVisible();
  expect((await page.context().cookies(oidcSettings.baseURL)).find((entry) => entry.name === 'leasetrail_session')).toBeUndefined();
  expect((await page.request.get(`${oidcSettings.baseURL}/api/auth/me`)).status()).toBe(401);
});

test('an expired session sends the browser back to sign in and the API answers 401', async ({ page }) => {
  const expired = await sealData({ name: 'alice', role: 'admin', groups: [], expiresAt: Date.now() - 1_000 }, { password: oidcSettings.sessionSecret, ttl: 3600 });
  await page.context().addCookies([{ name: 'leasetrail_session', value: expired, url: oidcSettings.baseURL, httpOnly: true, sameSite: 'Lax' }]);
  const me = await page.request.get('/api/auth/me');
  expect(me.status()).toBe(401);
  expect(((await me.json()) as { error: string }).error).toBe('the session has expired: sign in again');
  await page.goto('/timeline');
  await expect(page).toHaveURL(new RegExp(`^${oidcSettings.issuer}/interaction/`));
});

// Raw HTTP, so the Host header is exactly what the kubelet or Prometheus sends: the pod's address.
function rawGet(baseURL: string, path: string, host: string): Promise<{ status: number; location?: string }> {
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method: 'GET', path, headers: { host } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
    });
    request.on('error', reject);
    request.end();
  });
}

test('with a public URL, probes at the pod address are answered, everything else there is refused, and an anonymous scrape gets 401', async () => {
  const podHost = `10.1.2.3:${new URL(oidcSettings.baseURL).port}`;
  // The kubelet asks at the pod IP; a 421 here would keep every replica out of its Service.
  for (const probe of ['/api/health/live', '/api/health/ready', '/api/health']) expect((await rawGet(oidcSettings.baseURL, probe, podHost)).status, probe).toBe(200);
  expect((await rawGet(oidcSettings.baseURL, '/api/clusters', podHost)).status).toBe(421);
  expect((await rawGet(oidcSettings.baseURL, '/metrics', podHost)).status).toBe(421);
  expect((await rawGet(oidcSettings.baseURL, '/', podHost)).status).toBe(421);
  // At the public Host, an anonymous scrape is an API read without credentials: 401, not a redirect to the login page.
  const anonymous = await rawGet(oidcSettings.baseURL, '/metrics', new URL(oidcSettings.baseURL).host);
  expect(anonymous).toEqual({ status: 401, location: undefined });
});

