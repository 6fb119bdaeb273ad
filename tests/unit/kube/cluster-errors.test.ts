import { describe, expect, it } from 'vitest';
import { describeClusterError, isPermanent } from '../../../lib/kube/cluster-errors';

function apiException(code: number, body: object) {
  return Object.assign(new Error(`HTTP-Code: ${code}`), { code, body: JSON.stringify(body) });
}

function fetchFailure(code: string) {
  return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
}

describe('describeClusterError', () => {
  it('names the missing RBAC verb for 403', () => {
    const error = describeClusterError(apiException(403, { kind: 'Status', message: 'leases.coordination.k8s.io is forbidden: User "x" cannot list resource "leases"' }), 'list');
    expect(error.kind).toBe('forbidden');
    expect(error.message).toMatch(/^forbidden: missing RBAC permission to list leases.coordination.k8s.io at cluster scope; grant get, list, watch/);
    expect(error.message).toContain('cannot list resource "leases"');
    expect(isPermanent(error)).toBe(true);
  });

  it('says unauthorized for 401, also from the watch error shape', () => {
    const error = describeClusterError(Object.assign(new Error('Unauthorized'), { statusCode: 401 }), 'watch');
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toMatch(/^unauthorized: /);
  });

  it('says unreachable for refused connections behind fetch’s cause', () => {
    const error = describeClusterError(fetchFailure('ECONNREFUSED'), 'list');
    expect(error).toEqual({ kind: 'unreachable', message: 'unreachable: ECONNREFUSED while trying to list leases' });
    expect(isPermanent(error)).toBe(false);
  });

  it('says TLS for certificate failures', () => {
    const error = describeClusterError(fetchFailure('DEPTH_ZERO_SELF_SIGNED_CERT'), 'list');
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('certificate-authority');
  });

  it('keeps the server’s message for 5xx', () => {
    expect(describeClusterError(apiException(503, { message: 'etcd leader changed' }), 'list')).toEqual({
      kind: 'server',
      statusCode: 503,
      message: 'the API server answered 503 to list: etcd leader changed',
    });
  });

  it('recognises timeouts', () => {
    expect(describeClusterError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'watch').kind).toBe('timeout');
  });
});
