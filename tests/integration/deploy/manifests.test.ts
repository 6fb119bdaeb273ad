import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

// Every overlay, rendered by kubectl's kustomize, validated object by object against the Kubernetes 1.34 OpenAPI
// schemas (kubernetes-models 5.x; the Prometheus Operator's for ServiceMonitor), offline.
const execFileAsync = promisify(execFile);
const root = path.resolve(__dirname, '..', '..', '..');
const overlays = ['single', 'ha', 'ha-monitored'];

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec?: Record<string, unknown> } & Record<string, unknown>;
type Model = { validate: () => void };
type ModelClass = new (data: unknown) => Model;
type Container = {
  name: string;
  image: string;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; capabilities?: { drop?: string[] } };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
};
type PodSpec = { securityContext?: { runAsNonRoot?: boolean }; containers: Container[]; initContainers?: Container[]; volumes?: Array<{ name: string; emptyDir?: unknown }> };

async function render(overlay: string): Promise<Manifest[]> {
  const { stdout } = await execFileAsync('kubectl', ['kustomize', path.join(root, 'deploy', 'overlays', overlay)]);
  return parseAllDocuments(stdout).map((document) => document.toJSON() as Manifest);
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass> {
  const models = (apiVersion.startsWith('monitoring.coreos.com/')
    ? await import(`@kubernetes-models/prometheus-operator/${apiVersion}`)
    : await import(`kubernetes-models/${apiVersion}`)) as Record<string, ModelClass | undefined>;
  const model = models[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind}`);
  return model;
}

async function validate(manifest: Manifest): Promise<void> {
  const Model = await loadModel(manifest.apiVersion, manifest.kind);
  new Model(manifest).validate();
}

function podSpecOf(manifest: Manifest): PodSpec {
  return (manifest.spec as { template: { spec: PodSpec } }).template.spec;
}

describe.each(overlays)('the %s overlay', (overlay) => {
  it('renders objects that each validate against the Kubernetes API schema', async () => {
    const manifests = await render(overlay);
    expect(manifests.length).toBeGreaterThan(8);
    for (const manifest of manifests) await expect(validate(manifest), `${manifest.kind}/${manifest.metadata.name}`).resolves.toBeUndefined();
  });

  it('runs non-root, read-only, without privileges, with separate probes and resources', async () => {
    const deployments = (await render(overlay)).filter((manifest) => manifest.kind === 'Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const deployment of deployments) {
      const pod = podSpecOf(deployment);
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.volumes?.find((volume) => volume.name === 'tmp')?.emptyDir).toBeDefined();
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        expect(container.image).toMatch(/^ghcr\.io\/leasetrail\/leasetrail:\d+\.\d+\.\d+$/);
        expect(container.resources?.requests?.memory).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      }
      for (const container of pod.containers) {
        expect(container.livenessProbe?.httpGet?.path).toBeDefined();
        expect(container.readinessProbe?.httpGet?.path).toBeDefined();
        expect(container.livenessProbe?.httpGet?.path).not.toBe(container.readinessProbe?.httpGet?.path);
      }
    }
  });

  it('grants only get, list and watch on leases and leasecandidates', async () => {
    const manifests = await render(overlay);
    const roles = manifests.filter((manifest) => manifest.kind === 'ClusterRole' || manifest.kind === 'Role');
    expect(roles).toHaveLength(1);
    expect(roles[0]!.rules).toEqual([{ apiGroups: ['coordination.k8s.io'], resources: ['leases', 'leasecandidates'], verbs: ['get', 'list', 'watch'] }]);
    for (const kind of ['ServiceAccount', 'Service', 'Secret', 'ConfigMap', 'NetworkPolicy', 'PodDisruptionBudget', 'ClusterRoleBinding']) {
      expect(manifests.some((manifest) => manifest.kind === kind), kind).toBe(true);
    }
  });
});

describe('the overlays differ as documented', () => {
  it('single runs web and controller in one pod; HA runs them apart with several replicas each', async () => {
    const single = (await render('single')).filter((manifest) => manifest.kind === 'Deployment');
    expect(single.map((deployment) => [deployment.metadata.name, deployment.spec?.replicas])).toEqual([['leasetrail-web', 1]]);
    const ha = (await render('ha')).filter((manifest) => manifest.kind === 'Deployment');
    expect(ha.map((deployment) => [deployment.metadata.name, deployment.spec?.replicas]).sort()).toEqual([
      ['leasetrail-controller', 2],
      ['leasetrail-web', 3],
    ]);
    const web = ha.find((deployment) => deployment.metadata.name === 'leasetrail-web')!;
    const env = (podSpecOf(web).containers[0] as Container & { env: Array<{ name: string; value?: string }> }).env;
    expect(env.filter((variable) => variable.name === 'LEASETRAIL_CONTROLLER')).toEqual([{ name: 'LEASETRAIL_CONTROLLER', value: 'off' }]);
    expect((await render('ha-monitored')).some((manifest) => manifest.kind === 'ServiceMonitor')).toBe(true);
  });
});

describe('the failover-context component', () => {
  it('adds read-only pods and Events access, bound only in the namespace of the control-plane leases', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'leasetrail-kustomize-'));
    try {
      const relative = path.relative(dir, root);
      await writeFile(
        path.join(dir, 'kustomization.yaml'),
        `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ${relative}/deploy/overlays/single\ncomponents:\n  - ${relative}/deploy/components/failover-context\n`,
      );
      const { stdout } = await execFileAsync('kubectl', ['kustomize', dir]);
      const manifests = parseAllDocuments(stdout).map((document) => document.toJSON() as Manifest);
      for (const manifest of manifests) await expect(validate(manifest), `${manifest.kind}/${manifest.metadata.name}`).resolves.toBeUndefined();
      const role = manifests.find((manifest) => manifest.kind === 'ClusterRole' && manifest.metadata.name === 'leasetrail-failover-context');
      expect(role?.rules).toEqual([
        { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['list', 'watch'] },
        { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['list', 'watch'] },
      ]);
      const bindings = manifests.filter((manifest) => manifest.kind === 'RoleBinding');
      expect(bindings.map((binding) => [binding.metadata.namespace, (binding.roleRef as { name: string }).name])).toEqual([['kube-system', 'leasetrail-failover-context']]);
      expect(manifests.filter((manifest) => manifest.kind === 'ClusterRoleBinding').map((binding) => binding.metadata.name)).toEqual(['leasetrail-lease-reader']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the schema validation itself', () => {
  it('rejects an object the API server would reject', async () => {
    const [deployment] = (await render('single')).filter((manifest) => manifest.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    (broken.spec as { replicas: unknown }).replicas = 'three';
    await expect(validate(broken)).rejects.toThrow(/replicas/);
    const noContainers = structuredClone(deployment!);
    delete (podSpecOf(noContainers) as Partial<PodSpec>).containers;
    await expect(validate(noContainers)).rejects.toThrow(/containers/);
  });
});
