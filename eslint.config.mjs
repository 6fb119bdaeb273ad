import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';
import noServerImportsInClient from './eslint/no-server-imports-in-client.mjs';

const serverOnlyImports = {
  paths: [{ name: '@kubernetes/client-node', message: 'server-only: components receive data as props', allowTypeImports: true }],
  patterns: [
    { group: ['@/lib/store', '@/lib/store/*', '**/lib/store', '**/lib/store/*'], message: 'server-only: components receive data as props', allowTypeImports: true },
    { group: ['@/lib/kube', '@/lib/kube/*', '**/lib/kube', '**/lib/kube/*'], message: 'server-only: components receive data as props', allowTypeImports: true },
  ],
};

const config = [
  { ignores: ['.next/**', 'node_modules/**', '.data/**', 'lib/store/generated/**', 'test-results/**', 'playwright-report/**', 'tests/e2e/artifacts/**', 'next-env.d.ts', '.bench-bundle/**', '.bundle-test-*/**'] },
  ...nextVitals,
  ...nextTypescript,
  {
    plugins: { leasetrail: { rules: { 'no-server-imports-in-client': noServerImportsInClient } } },
    rules: {
      'leasetrail/no-server-imports-in-client': 'error',
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/ban-ts-comment': 'error',
    },
  },
  { files: ['components/**/*.{ts,tsx}', 'app/**/client.tsx'], rules: { '@typescript-eslint/no-restricted-imports': ['error', serverOnlyImports] } },
  { files: ['scripts/**', 'tests/**', 'eslint/**', '*.config.*'], rules: { 'no-console': 'off' } },
];

export default config;
