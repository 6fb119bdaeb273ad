import http from 'node:http';
import { expect, test } from '@playwright/test';

// Raw HTTP, so the Host and Origin headers are exactly what an attacker's page or client would send.
function rawRequest(baseURL: string, options: { method: string; path: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const request = http.request({ host: url.hostname, port: url.port, method: options.method, path: options.path, headers: options.headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

test('every page carries a nonce CSP, frame-ancestors none, nosniff and a referrer policy, and still runs', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const response = await page.goto('/alerts');
  const headers = response!.headers();
  const csp = headers['content-security-policy']!;
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
  expect(csp).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  const nonce = /'nonce-([^']+)'/.exec(csp)![1]!;
  expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
  // Hydrated: a client-side control reacts, which it could not if the CSP had blocked Next's scripts.
  await page.getByRole('tab', { name: /Rules/ }).click();
  await expect(page).toHaveURL(/tab=rules/);
  expect(violations).toEqual([]);
  const again = await page.request.get('/alerts');
  expect(again.headers()['content-security-policy']).not.toContain(nonce);
});

test('a foreign Host (DNS rebinding) and cross-site posts are refused', async ({ baseURL }) => {
  const rebound = await rawRequest(baseURL!, { method: 'GET', path: '/api/clusters', headers: { host: 'rebind.evil.example' } });
  expect(rebound.status).toBe(421);
  const page = await rawRequest(baseURL!, { method: 'GET', path: '/', headers: { host: 'rebind.evil.example' } });
  expect(page.status).toBe(421);
  const plain = await rawRequest(baseURL!, {
    method: 'POST',
    path: '/api/annotations',
    headers: { host: new URL(baseURL!).host, origin: 'https://evil.example', 'content-type': 'text/plain' },
    body: JSON.stringify({ text: 'csrf', at: '2026-11-23T10:00:00Z' }),
  });
  expect(plain.status).toBe(403);
  const form = await rawRequest(baseURL!, {
    method: 'POST',
    path: '/api/alert-rules',
    headers: { host: new URL(baseURL!).host, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'name=csrf&kind=flapping',
  });
  expect(form.status).toBe(415);
});

test('bad percent-encoding in a path is a 400 that says so, not a 500', async ({ baseURL }) => {
  const answer = await rawRequest(baseURL!, { method: 'GET', path: '/api/leases/%E0%A4%A/kube-system/x', headers: { host: new URL(baseURL!).host } });
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
});
