import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function problems(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

// The first lint loads ESLint's whole configuration (seconds on a busy machine): a cold start, not a timing check.
describe('the client/server import boundary', { timeout: 60_000 }, () => {
  it("forbids lib/store in a 'use client' file anywhere", async () => {
    const found = await problems("'use client';\nimport { getStore } from '@/lib/store/client';\nexport const x = getStore;\n", 'app/leases/client.tsx');
    expect(found.some((p) => p.startsWith('leasetrail/no-server-imports-in-client'))).toBe(true);
  });

  it("forbids @kubernetes/client-node in a 'use client' file", async () => {
    const found = await problems("'use client';\nimport { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;\n", 'app/widget.tsx');
    expect(found).toContain(
      "leasetrail/no-server-imports-in-client: '@kubernetes/client-node' is server-only and must not be imported by a client component; pass the data in as props or fetch it through the API",
    );
  });

  it('forbids the store in components/ even without the directive', async () => {
    const found = await problems("import { listClusters } from '@/lib/store/clusters';\nexport const x = listClusters;\n", 'components/tables/x.tsx');
    expect(found.some((p) => p.startsWith('@typescript-eslint/no-restricted-imports'))).toBe(true);
  });

  it('allows the store in server components and route handlers', async () => {
    const found = await problems("import { getStore } from '@/lib/store/client';\nexport const x = getStore;\n", 'app/api/x/route.ts');
    expect(found).toEqual([]);
  });

  it('allows type-only imports, which never reach the bundle', async () => {
    const found = await problems("'use client';\nimport type { Store } from '@/lib/store/client';\nexport type X = Store;\n", 'app/x/client.tsx');
    expect(found).toEqual([]);
  });
});
