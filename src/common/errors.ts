/**
 * Typed errors shared by every service. Managers and drivers throw these; the HTTP kit maps
 * them to a status code in one place (src/common/http/errors-hook.ts) and each service renders
 * them in its own OpenStack fault format (src/common/http/faults.ts).
 */
export class NuboError extends Error {
  /** HTTP status this error maps to. */
  readonly status: number;
  /** Short title as the OpenStack services print it ("Not Found"). */
  readonly title: string;
  /** Extra response headers (e.g. WWW-Authenticate, Retry-After). */
  headers: Record<string, string> = {};

  constructor(status: number, title: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.title = title;
    this.name = new.target.name;
  }
}

export class BadRequest extends NuboError {
  constructor(message = 'The request you have made requires a valid body.', options?: { cause?: unknown }) {
    super(400, 'Bad Request', message, options);
  }
}

export class Unauthorized extends NuboError {
  constructor(message = 'The request you have made requires authentication.', options?: { cause?: unknown }) {
    super(401, 'Unauthorized', message, options);
  }
}

export class Forbidden extends NuboError {
  constructor(message = 'You are not authorized to perform the requested action.', options?: { cause?: unknown }) {
    super(403, 'Forbidden', message, options);
  }
}

export class NotFound extends NuboError {
  constructor(message = 'The resource could not be found.', options?: { cause?: unknown }) {
    super(404, 'Not Found', message, options);
  }
}

export class MethodNotAllowed extends NuboError {
  constructor(message = 'The method is not allowed for the requested URL.') {
    super(405, 'Method Not Allowed', message);
  }
}

export class NotAcceptable extends NuboError {
  constructor(message = 'The requested version or format is not supported.') {
    super(406, 'Not Acceptable', message);
  }
}

export class Conflict extends NuboError {
  constructor(message = 'The request conflicts with the current state of the resource.', options?: { cause?: unknown }) {
    super(409, 'Conflict', message, options);
  }
}

export class Gone extends NuboError {
  constructor(message = 'The resource is no longer available.') {
    super(410, 'Gone', message);
  }
}

export class PreconditionFailed extends NuboError {
  constructor(message = 'A precondition of the request failed.') {
    super(412, 'Precondition Failed', message);
  }
}

export class PayloadTooLarge extends NuboError {
  constructor(message = 'Request entity is too large.') {
    super(413, 'Request Entity Too Large', message);
  }
}

export class UnsupportedMediaType extends NuboError {
  constructor(message = 'The request media type is not supported.') {
    super(415, 'Unsupported Media Type', message);
  }
}

export class RangeNotSatisfiable extends NuboError {
  constructor(message = 'The requested range is not satisfiable.') {
    super(416, 'Requested Range Not Satisfiable', message);
  }
}

export class InternalError extends NuboError {
  constructor(message = 'An unexpected error prevented the server from fulfilling your request.', options?: { cause?: unknown }) {
    super(500, 'Internal Server Error', message, options);
  }
}

export class NotImplemented extends NuboError {
  constructor(message = 'The requested function is not implemented.') {
    super(501, 'Not Implemented', message);
  }
}

export class ServiceUnavailable extends NuboError {
  constructor(message = 'The service is unavailable.', options?: { cause?: unknown }) {
    super(503, 'Service Unavailable', message, options);
  }
}

/** A startup/configuration problem reported to the operator as one actionable line. */
export class OperatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
