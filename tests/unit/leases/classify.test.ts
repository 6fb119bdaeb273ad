import { describe, expect, it } from 'vitest';
import { classifyLease } from '@/lib/leases';

describe('classifyLease', () => {
  it('classifies every lease in kube-node-lease as a node heartbeat', () => {
    expect(classifyLease('kube-node-lease', 'worker-7', {})).toBe('node_heartbeat');
  });

  it('classifies an apiserver identity lease by its 1.26+ label', () => {
    expect(classifyLease('kube-system', 'apiserver-07a5ea9b9b072c4a5f3d1c3702', { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': 'master-1' })).toBe(
      'apiserver_identity',
    );
  });

  it('classifies an identity lease of another component by the same label key', () => {
    expect(classifyLease('kube-system', 'sample-apiserver-1', { 'apiserver.kubernetes.io/identity': 'sample-apiserver' })).toBe('apiserver_identity');
  });

  it('classifies an apiserver identity lease by the 1.20–1.25 label', () => {
    expect(classifyLease('kube-system', 'kube-apiserver-3c4d', { 'k8s.io/component': 'kube-apiserver' })).toBe('apiserver_identity');
  });

  it('classifies an apiserver identity lease whose labels were stripped by its name', () => {
    expect(classifyLease('kube-system', 'apiserver-7be9e061c59d368b3ddaf1376e', {})).toBe('apiserver_identity');
  });

  it('does not take an apiserver-like name outside kube-system for an identity lease', () => {
    expect(classifyLease('team-a', 'apiserver-abc123', {})).toBe('election');
  });

  it('classifies control-plane elections as elections', () => {
    expect(classifyLease('kube-system', 'kube-controller-manager', {})).toBe('election');
    expect(classifyLease('kube-system', 'kube-scheduler', { 'k8s.io/component': 'kube-scheduler' })).toBe('election');
  });

  it('classifies an operator lease as an election', () => {
    expect(classifyLease('cnpg-system', 'db9fe9f8.cnpg.io', {})).toBe('election');
  });
});
