// Turns the vendored Kubernetes .proto files (lib/kube/k8s-proto) into the protobufjs JSON descriptor the
// controller and the simulated fleet load (no .proto parser at run time, and esbuild bundles it as JSON).
// Run after changing a vendored file: `node scripts/generate-k8s-proto.mjs`; a unit test checks it is current.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const protoDir = path.join(root, 'lib', 'kube', 'k8s-proto');
export const protoFiles = [
  'k8s.io/apimachinery/pkg/runtime/generated.proto',
  'k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto',
  'k8s.io/api/coordination/v1/generated.proto',
];

export function buildDescriptor() {
  const protoRoot = new protobuf.Root();
  protoRoot.resolvePath = (_origin, target) => path.join(protoDir, target);
  protoRoot.loadSync(protoFiles, { keepCase: true });
  return protoRoot.toJSON();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(protoDir, 'descriptor.json'), `${JSON.stringify(buildDescriptor(), null, 1)}\n`);
}
