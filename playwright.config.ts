import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;
// A second Leasetrail signs people in through a real OpenID provider (tests/e2e/oidc.spec.ts).
const oidcPort = port + 1;
const providerPort = port + 90;
export const oidcSettings = { baseURL: `http://127.0.0.1:${oidcPort}`, issuer: `http://127.0.0.1:${providerPort}`, sessionSecret: 'e2e-session-secret-that-is-long-enough-0123456789' };

// End-to-end tests write data: refuse to run them against anything but a database on this machine.
const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  const host = new URL(databaseUrl).hostname;
  if (!['localhost', '127.0.0.1', '::1', '[::1]'].includes(host)) {
    throw new Error(`refusing to run end-to-end tests against the non-local database at ${host}; unset DATABASE_URL to use an embedded one`);
  }
}

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'tests/e2e/artifacts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    baseURL,
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], channel: undefined } }],
  webServer: [
    {
      command: `rm -rf .data/e2e-${port} && node scripts/launch.mjs start`,
      url: `${baseURL}/api/health`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      env: { NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LEASETRAIL_DATA_DIR: `.data/e2e-${port}`, LEASETRAIL_SIMULATE: 'always', LOG_LEVEL: 'warn' },
    },
    {
      command: 'node --import tsx tests/e2e/support/oidc-provider.ts',
      url: `${oidcSettings.issuer}/.well-known/openid-configuration`,
      timeout: 60_000,
      reuseExistingServer: false,
      env: { OIDC_PORT: String(providerPort), LEASETRAIL_URL: oidcSettings.baseURL },
    },
    {
      // Started after the first one has built the app, so it never builds at the same time.
      command: `node --import tsx tests/e2e/support/wait-for.ts ${baseURL}/api/health && rm -rf .data/e2e-${oidcPort} && node scripts/launch.mjs start`,
      url: `${oidcSettings.baseURL}/api/health`,
      timeout: 300_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      env: {
        NODE_ENV: 'production',
        PORT: String(oidcPort),
        HOST: '127.0.0.1',
        LEASETRAIL_DATA_DIR: `.data/e2e-${oidcPort}`,
        LEASETRAIL_SIMULATE: 'never',
        LEASETRAIL_CONTROLLER: 'off',
        LOG_LEVEL: 'warn',
        LEASETRAIL_AUTH: 'oidc',
        LEASETRAIL_PUBLIC_URL: oidcSettings.baseURL,
        LEASETRAIL_SESSION_SECRET: oidcSettings.sessionSecret,
        OIDC_ISSUER: oidcSettings.issuer,
        OIDC_CLIENT_ID: 'leasetrail',
        OIDC_CLIENT_SECRET: 'leasetrail-e2e-client-secret',
        LEASETRAIL_ADMIN_GROUPS: 'platform',
        LEASETRAIL_EDITOR_GROUPS: 'sre',
        LEASETRAIL_VIEWER_GROUPS: 'engineering',
      },
    },
  ],
});
