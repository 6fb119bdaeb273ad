import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KubeConfig, type Cluster, type User } from '@kubernetes/client-node';

// How a client reaches one simulated cluster: its CA (HTTPS) and its credentials, as a real kubeconfig carries them.
export type KubeconfigCluster = {
  name: string;
  url: string;
  caPem?: string;
  token?: string;
  clientCertificate?: { certPem: string; keyPem: string };
};

const base64 = (text: string) => Buffer.from(text).toString('base64');
const userName = (cluster: KubeconfigCluster) => (cluster.token || cluster.clientCertificate ? `${cluster.name}-user` : 'leasetrail-sim');

function clusterOf(cluster: KubeconfigCluster): Cluster {
  // client-node refuses an http:// server unless the cluster skips TLS verification.
  return { name: cluster.name, server: cluster.url, skipTLSVerify: !cluster.caPem, ...(cluster.caPem ? { caData: base64(cluster.caPem) } : {}) };
}

function userOf(cluster: KubeconfigCluster): User {
  if (cluster.clientCertificate) return { name: userName(cluster), certData: base64(cluster.clientCertificate.certPem), keyData: base64(cluster.clientCertificate.keyPem) };
  if (cluster.token) return { name: userName(cluster), token: cluster.token };
  return { name: userName(cluster) };
}

function toKubeConfig(clusters: readonly KubeconfigCluster[], currentContext: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  const users = new Map(clusters.map((cluster) => [userName(cluster), userOf(cluster)]));
  kubeConfig.loadFromOptions({
    clusters: clusters.map(clusterOf),
    users: [...users.values()],
    contexts: clusters.map((cluster) => ({ name: cluster.name, cluster: cluster.name, user: userName(cluster) })),
    currentContext,
  });
  return kubeConfig;
}

export function renderKubeconfig(clusters: readonly KubeconfigCluster[], currentContext = clusters[0]?.name ?? ''): string {
  return toKubeConfig(clusters, currentContext).exportConfig();
}

export async function writeKubeconfigFile(filePath: string, clusters: readonly KubeconfigCluster[]): Promise<string> {
  const absolute = path.resolve(filePath);
  await mkdir(path.dirname(absolute), { recursive: true });
  await writeFile(absolute, renderKubeconfig(clusters), { mode: 0o600 });
  return absolute;
}

/** A client-node KubeConfig for one cluster, the same as its context in the written file. */
export function createKubeConfig(cluster: KubeconfigCluster): KubeConfig {
  return toKubeConfig([cluster], cluster.name);
}
