import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listKubeconfigFiles, loadKubeconfigTargets, selectTargets } from '../../../lib/kube/cluster-sources';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-kubeconfig-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function kubeconfig(contexts: Array<{ name: string; server: string }>): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...contexts.flatMap((c) => [`- name: ${c.name}-cluster`, '  cluster:', `    server: ${c.server}`, '    insecure-skip-tls-verify: true']),
    'users:',
    ...contexts.flatMap((c) => [`- name: ${c.name}-user`, '  user:', `    token: token-${c.name}`]),
    'contexts:',
    ...contexts.flatMap((c) => [`- name: ${c.name}`, '  context:', `    cluster: ${c.name}-cluster`, `    user: ${c.name}-user`]),
    `current-context: ${contexts[0]?.name ?? ''}`,
  ].join('\n');
}

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, text);
  return target;
}

describe('listKubeconfigFiles', () => {
  it('splits KUBECONFIG, skips missing files and duplicates', async () => {
    const a = await file('a', kubeconfig([{ name: 'a', server: 'https://a' }]));
    const b = await file('b', kubeconfig([{ name: 'b', server: 'https://b' }]));
    const value = [a, path.join(dir, 'missing'), b, a, ''].join(path.delimiter);
    expect(listKubeconfigFiles(value, dir)).toEqual([a, b]);
  });

  it('falls back to ~/.kube/config only when KUBECONFIG is unset', async () => {
    await mkdir(path.join(dir, '.kube'));
    const home = await file('.kube/config', kubeconfig([{ name: 'home', server: 'https://home' }]));
    expect(listKubeconfigFiles(undefined, dir)).toEqual([home]);
    expect(listKubeconfigFiles('', dir)).toEqual([home]);
    expect(listKubeconfigFiles(path.join(dir, 'nothing'), dir)).toEqual([]);
  });

  it('finds nothing on a machine without any kubeconfig', () => {
    expect(listKubeconfigFiles(undefined, dir)).toEqual([]);
  });
});

describe('loadKubeconfigTargets', () => {
  it('makes one cluster per context, named after it, with its own credentials', async () => {
    const a = await file('a', kubeconfig([{ name: 'prod', server: 'https://prod:6443' }, { name: 'staging', server: 'https://staging:6443' }]));
    const { targets, problems } = loadKubeconfigTargets([a]);
    expect(problems).toEqual([]);
    expect(targets.map((t) => [t.name, t.server, t.source])).toEqual([
      ['prod', 'https://prod:6443', 'kubeconfig'],
      ['staging', 'https://staging:6443', 'kubeconfig'],
    ]);
    expect(targets[1]?.kubeConfig.getCurrentContext()).toBe('staging');
    expect(targets[1]?.kubeConfig.getCurrentUser()?.token).toBe('token-staging');
  });

  it('lets the first file win for a context defined twice, as kubectl does', async () => {
    const a = await file('a', kubeconfig([{ name: 'prod', server: 'https://first' }]));
    const b = await file('b', kubeconfig([{ name: 'prod', server: 'https://second' }]));
    expect(loadKubeconfigTargets([a, b]).targets.map((t) => t.server)).toEqual(['https://first']);
  });

  it('reports a broken file and a dangling context without losing the good ones', async () => {
    const broken = await file('broken', 'clusters: [unclosed');
    const dangling = await file(
      'dangling',
      ['apiVersion: v1', 'kind: Config', 'clusters: []', 'users: []', 'contexts:', '- name: lost', '  context:', '    cluster: nowhere', '    user: nobody'].join('\n'),
    );
    const good = await file('good', kubeconfig([{ name: 'good', server: 'https://good' }]));
    const { targets, problems } = loadKubeconfigTargets([broken, dangling, good]);
    expect(targets.map((t) => t.name)).toEqual(['good']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(new RegExp(`^${broken}: cannot be read as a kubeconfig`));
    expect(problems[1]).toBe(`${dangling}: context lost names cluster nowhere, which is not defined`);
  });
});

describe('selectTargets', () => {
  it('applies the config file’s context filter', async () => {
    const a = await file('a', kubeconfig([{ name: 'prod-eu', server: 'https://1' }, { name: 'prod-sandbox', server: 'https://2' }, { name: 'dev', server: 'https://3' }]));
    const { targets } = loadKubeconfigTargets([a]);
    expect(selectTargets(targets, { include: ['prod-*'], exclude: ['*-sandbox'] }).map((t) => t.name)).toEqual(['prod-eu']);
  });
});
