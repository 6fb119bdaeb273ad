import { leaseGroup, type Status, type StatusCause } from './k8s-types';

/** An error that the API server answers with a Kubernetes Status object. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number {
    return this.status.code;
  }
}

function failure(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

const leaseResource = `leases.${leaseGroup}`;

export function notFoundError(name: string, resource = leaseResource, group = leaseGroup, kind = 'leases'): ApiError {
  return failure(404, 'NotFound', `${resource} "${name}" not found`, { name, group, kind });
}

export function alreadyExistsError(name: string): ApiError {
  return failure(409, 'AlreadyExists', `${leaseResource} "${name}" already exists`, { name, group: leaseGroup, kind: 'leases' });
}

export function conflictError(name: string, reason = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${leaseResource} "${name}": ${reason}`, {
    name,
    group: leaseGroup,
    kind: 'leases',
  });
}

export function invalidError(name: string, causes: StatusCause[]): ApiError {
  const described = causes.map((cause) => `${cause.field}: ${cause.message}`);
  const summary = described.length === 1 ? described[0] : `[${described.join(', ')}]`;
  return failure(422, 'Invalid', `Lease.${leaseGroup} "${name}" is invalid: ${summary}`, { name, group: leaseGroup, kind: 'Lease', causes });
}

export function unauthorizedError(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function badRequestError(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

export function expiredError(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function methodNotAllowedError(message: string): ApiError {
  return failure(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaTypeError(contentType: string): ApiError {
  return failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType})`);
}

export function tooLargeError(): ApiError {
  return failure(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
}

export function internalError(message: string): ApiError {
  return failure(500, 'InternalError', `Internal error occurred: ${message}`);
}

export function successStatus(details: Status['details']): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code: 200 };
}
