import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type https from 'node:https';
import path from 'node:path';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { matchesFilter, type NameFilter } from './watch-config';

export type ClusterSource = 'kubeconfig' | 'in_cluster' | 'simulated';

export type ClusterTarget = { name: string; source: ClusterSource; server: string; kubeConfig: KubeConfig };

export type LoadedTargets = { targets: ClusterTarget[]; problems: string[] };

// kubectl's rules: KUBECONFIG is a path list whose missing entries are skipped; without it, ~/.kube/config.
export function listKubeconfigFiles(kubeconfigEnv: string | undefined, homeDir: string): string[] {
  if (kubeconfigEnv !== undefined && kubeconfigEnv !== '') {
    return [...new Set(kubeconfigEnv.split(path.delimiter).filter((file) => file !== '' && existsSync(file)))];
  }
  const fallback = path.join(homeDir, '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

function targetForContext(merged: KubeConfig, contextName: string, source: ClusterSource): ClusterTarget | string {
  const context = merged.getContextObject(contextName);
  if (!context) return `context ${contextName} is not defined`;
  const cluster = merged.getCluster(context.cluster);
  if (!cluster) return `context ${contextName} names cluster ${context.cluster}, which is not defined`;
  const user = merged.getUser(context.user) ?? { name: context.user };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({ clusters: [cluster], users: [user], contexts: [context], currentContext: context.name });
  return { name: context.name, source, server: cluster.server, kubeConfig };
}

// Every context is one cluster, named after the context; the first file that defines a name wins.
export function loadKubeconfigTargets(files: string[], source: ClusterSource = 'kubeconfig'): LoadedTargets {
  const targets: ClusterTarget[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const fileConfig = new KubeConfig();
    try {
      fileConfig.loadFromFile(file);
    } catch (error) {
      problems.push(`${file}: cannot be read as a kubeconfig: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      continue;
    }
    for (const context of fileConfig.getContexts()) {
      if (seen.has(context.name)) continue;
      seen.add(context.name);
      const target = targetForContext(fileConfig, context.name, source);
      if (typeof target === 'string') problems.push(`${file}: ${target}`);
      else targets.push(target);
    }
  }
  return { targets, problems };
}

const tokenFileProvider = 'leasetrail-token-file';
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

// The kubelet rotates a projected service-account token by swapping the file; client-node rereads it only
// every 60 s. This rereads it on the first request after the file changed (one stat per request).
class RotatingTokenFileAuth implements Authenticator {
  private cached: { token: string; version: string } | undefined;

  isAuthProvider(user: User): boolean {
    return user.authProvider?.name === tokenFileProvider;
  }

  async applyAuthentication(user: User, options: https.RequestOptions): Promise<void> {
    const file = (user.authProvider?.config as { path: string }).path;
    const info = await stat(file);
    const version = `${info.ino}:${info.mtimeMs}:${info.size}`;
    if (this.cached?.version !== version) this.cached = { token: (await readFile(file, 'utf8')).trim(), version };
    options.headers = { ...options.headers, Authorization: `Bearer ${this.cached.token}` };
  }
}

// `root` prefixes the service-account folder (/var/run/secrets/kubernetes.io/serviceaccount), for tests.
export function loadInClusterTarget(name = 'in-cluster', root = ''): ClusterTarget {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster(root);
  const cluster = kubeConfig.getCurrentCluster()!;
  const tokenFile = `${root}/var/run/secrets/kubernetes.io/serviceaccount/token`;
  kubeConfig.loadFromClusterAndUser(cluster, { name: 'in-cluster-service-account', authProvider: { name: tokenFileProvider, config: { path: tokenFile } } });
  kubeConfig.addAuthenticator(new RotatingTokenFileAuth());
  return { name, source: 'in_cluster', server: cluster.server, kubeConfig };
}

export function selectTargets(targets: ClusterTarget[], contexts: NameFilter): ClusterTarget[] {
  return targets.filter((target) => matchesFilter(target.name, contexts));
}

// A target as plain data, to hand to a worker thread: the kubeconfig travels as text (exec and
// token-file users included); an in-cluster target is loaded again from the service account.
export type SerializedTarget = { name: string; source: ClusterSource; server: string; kubeconfig: string | null };

export function serializeTarget(target: ClusterTarget): SerializedTarget {
  return { name: target.name, source: target.source, server: target.server, kubeconfig: target.source === 'in_cluster' ? null : target.kubeConfig.exportConfig() };
}

export function deserializeTarget(serialized: SerializedTarget): ClusterTarget {
  if (serialized.kubeconfig === null) return { ...loadInClusterTarget(serialized.name), server: serialized.server };
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(serialized.kubeconfig);
  return { name: serialized.name, source: serialized.source, server: serialized.server, kubeConfig };
}
