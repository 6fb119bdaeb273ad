import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

// @kubernetes/client-node 2.0.1 asks for undici 8, which crashes at import on Node 20; package.json
// overrides it to undici 7. These fail the day the override is dropped or stops applying.
// Importing the client loads a large module graph: seconds on a busy machine, not a timing check.
describe('@kubernetes/client-node on this Node.js', { timeout: 60_000 }, () => {
  it('resolves undici 7 for the Kubernetes client', () => {
    const clientEntry = require.resolve('@kubernetes/client-node');
    const undiciPackage = require.resolve('undici/package.json', { paths: [clientEntry] });
    const { version } = require(undiciPackage) as { version: string };
    expect(Number(version.split('.')[0])).toBe(7);
  });

  it('imports and builds an API client', async () => {
    const k8s = await import('@kubernetes/client-node');
    const config = new k8s.KubeConfig();
    config.loadFromOptions({
      clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    const api = config.makeApiClient(k8s.CoordinationV1Api);
    await expect(api.listLeaseForAllNamespaces()).rejects.toThrow(/ECONNREFUSED|fetch failed|connect/i);
  });
});
