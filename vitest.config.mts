import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  resolve: { alias: { '@': root } },
  test: {
    // One channel-secret key for the test process and the controllers it starts (LEASETRAIL_SECRET_KEY).
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', LEASETRAIL_SECRET_KEY: 'bGVhc2V0cmFpbC10ZXN0LWtleS1vZi0zMi1ieXRlcyE=' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/integration/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
