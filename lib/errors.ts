export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export class ValidationError extends Error {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

// 401: nobody is signed in (or the token or session is no longer valid).
export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

// 403: signed in, but the role or the request's origin does not allow this.
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
}

export class UnsupportedMediaTypeError extends Error {
  override name = 'UnsupportedMediaTypeError';
}

export class MisdirectedRequestError extends Error {
  override name = 'MisdirectedRequestError';
}

export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

// 503: something Leasetrail depends on (the identity provider) cannot be reached right now.
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}

// 503 without Retry-After: the read was stopped at its time budget; asking again will not help, a
// narrower range or filter will (Prometheus answers a query timeout the same way).
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
}

// The client of a heavy read went away: its work stops; nobody reads the answer (499, as nginx logs it).
export class ClientGoneError extends Error {
  override name = 'ClientGoneError';
}
