import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from '@/lib/sim/kubeconfig';

describe('renderKubeconfig', () => {
  it('gives one context per cluster that client-node loads, with TLS verification skipped for http', () => {
    const text = renderKubeconfig([
      { name: 'sim-1', url: 'http://127.0.0.1:4001' },
      { name: 'sim-2', url: 'http://127.0.0.1:4002' },
    ]);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(text);
    expect(kubeConfig.getContexts().map((context) => context.name)).toEqual(['sim-1', 'sim-2']);
    expect(kubeConfig.getCurrentContext()).toBe('sim-1');
    expect(kubeConfig.getCluster('sim-2')).toMatchObject({ server: 'http://127.0.0.1:4002', skipTLSVerify: true });
    expect(kubeConfig.getCurrentUser()?.name).toBe('leasetrail-sim');
  });
});
