export type ClusterErrorKind = 'unreachable' | 'tls' | 'unauthorized' | 'forbidden' | 'timeout' | 'server' | 'protocol';

export type ClusterError = { kind: ClusterErrorKind; message: string; statusCode?: number };

const tlsCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);
const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const timeoutCodes = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

type ErrorLike = { name?: string; message?: string; code?: string | number; statusCode?: number; body?: unknown; cause?: unknown };

function errorChain(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current && typeof current === 'object' && chain.length < 5) {
    chain.push(current as ErrorLike);
    current = (current as ErrorLike).cause;
  }
  return chain;
}

function statusMessage(body: unknown): string | undefined {
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function httpStatus(error: ErrorLike): number | undefined {
  if (typeof error.statusCode === 'number') return error.statusCode;
  // client-node's ApiException carries the HTTP status as a numeric `code` (DOMException's is not one).
  if (typeof error.code === 'number' && error.code >= 100 && error.code <= 599) return error.code;
  return undefined;
}

// One human-readable reason per failure, naming what to fix; `verb` is what we were doing.
export function describeClusterError(error: unknown, verb: 'list' | 'watch'): ClusterError {
  const chain = errorChain(error);
  for (const link of chain) {
    const status = httpStatus(link);
    if (status === undefined) continue;
    const detail = statusMessage(link.body);
    if (status === 401) return { kind: 'unauthorized', statusCode: 401, message: 'unauthorized: the API server rejected the credentials of this context (expired token or certificate?)' };
    if (status === 403) {
      return {
        kind: 'forbidden',
        statusCode: 403,
        message: `forbidden: missing RBAC permission to ${verb} leases.coordination.k8s.io at cluster scope; grant get, list, watch (deploy/rbac.yaml)${detail ? ` — ${detail}` : ''}`,
      };
    }
    if (status >= 500) return { kind: 'server', statusCode: status, message: `the API server answered ${status} to ${verb}${detail ? `: ${detail}` : ''}` };
    return { kind: 'protocol', statusCode: status, message: `the API server answered ${status} to ${verb}${detail ? `: ${detail}` : ''}` };
  }
  for (const link of chain) {
    if (link.name === protobufDecodeErrorName) return { kind: 'protocol', message: `the API server's protobuf answer to ${verb} did not decode (${link.message ?? 'no detail'}); switching to JSON` };
    const code = typeof link.code === 'string' ? link.code : undefined;
    if (code && tlsCodes.has(code)) return { kind: 'tls', message: `TLS handshake failed (${code}): check the cluster's certificate-authority in the kubeconfig` };
    if (code && networkCodes.has(code)) return { kind: 'unreachable', message: `unreachable: ${code} while trying to ${verb} leases` };
    if ((code && timeoutCodes.has(code)) || link.name === 'TimeoutError') return { kind: 'timeout', message: `timed out while trying to ${verb} leases` };
  }
  const message = chain[0]?.message ?? String(error);
  if (/certificate|tls|ssl/i.test(message)) return { kind: 'tls', message: `TLS failed: ${message}` };
  return { kind: 'unreachable', message: `unreachable: ${message}` };
}

// By name, as for TimeoutError: this module stays free of the protobuf codec.
const protobufDecodeErrorName = 'ProtobufDecodeError';

// A server whose protobuf we cannot decode is asked for JSON from then on, as one that refuses protobuf.
export function isProtobufDecodeError(error: unknown): boolean {
  return errorChain(error).some((link) => link.name === protobufDecodeErrorName);
}

export function isPermanent(error: ClusterError): boolean {
  return error.kind === 'unauthorized' || error.kind === 'forbidden' || error.kind === 'tls';
}
