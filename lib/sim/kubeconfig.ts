import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export type KubeconfigCluster = { name: string; url: string };

// client-node refuses an http:// server unless the cluster skips TLS verification.
export function renderKubeconfig(clusters: readonly KubeconfigCluster[], currentContext = clusters[0]?.name ?? ''): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', 'clusters:'];
  for (const cluster of clusters) {
    lines.push(`- name: ${JSON.stringify(cluster.name)}`, '  cluster:', `    server: ${JSON.stringify(cluster.url)}`, '    insecure-skip-tls-verify: true');
  }
  lines.push('users:', '- name: "leasetrail-sim"', '  user: {}', 'contexts:');
  for (const cluster of clusters) {
    lines.push(`- name: ${JSON.stringify(cluster.name)}`, '  context:', `    cluster: ${JSON.stringify(cluster.name)}`, '    user: "leasetrail-sim"');
  }
  lines.push(`current-context: ${JSON.stringify(currentContext)}`, '');
  return lines.join('\n');
}

export async function writeKubeconfigFile(filePath: string, clusters: readonly KubeconfigCluster[]): Promise<string> {
  const absolute = path.resolve(filePath);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, renderKubeconfig(clusters), { mode: 0o600 });
  return absolute;
}

/** A client-node KubeConfig for one cluster, the same as its context in the written file. */
export function createKubeConfig(cluster: KubeconfigCluster): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: cluster.name, server: cluster.url, skipTLSVerify: true }],
    users: [{ name: 'leasetrail-sim' }],
    contexts: [{ name: cluster.name, cluster: cluster.name, user: 'leasetrail-sim' }],
    currentContext: cluster.name,
  });
  return kubeConfig;
}
