import { defineConfig, devices } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

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
  webServer: {
    command: `rm -rf .data/e2e-${port} && node scripts/launch.mjs start`,
    url: `${baseURL}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    env: { NODE_ENV: 'production', PORT: String(port), HOST: '127.0.0.1', LEASETRAIL_DATA_DIR: `.data/e2e-${port}`, LEASETRAIL_SIMULATE: 'always', LOG_LEVEL: 'warn' },
  },
});
