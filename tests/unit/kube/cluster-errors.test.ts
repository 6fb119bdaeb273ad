import { describe, expect, it } from 'vitest';
import { describeClusterError, isPermanent, isProtobufDecodeError } from '../../../lib/kube/cluster-errors';
import { ProtobufDecodeError } from '../../../lib/kube/k8s-protobuf';

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

  it('says protocol, not unreachable, for protobuf that does not decode, also behind a cause', () => {
    const error = describeClusterError(new ProtobufDecodeError('WatchEvent: index out of range'), 'watch');
    expect(error.kind).toBe('protocol');
    expect(error.message).toContain('protobuf answer to watch did not decode (WatchEvent: index out of range)');
    expect(isPermanent(error)).toBe(false);
    expect(isProtobufDecodeError(new Error('list failed', { cause: new ProtobufDecodeError('bad') }))).toBe(true);
    expect(isProtobufDecodeError(fetchFailure('ECONNRESET'))).toBe(false);
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
