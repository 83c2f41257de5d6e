/**
 * The errors clients of the object store see, with swob's titles and explanations; the common
 * errors (BadRequest, NotFound, Forbidden, Conflict, PreconditionFailed, ...) cover the rest.
 */
import { NuboError } from '../../common/errors.js';

export class LengthRequired extends NuboError {
  constructor(message = 'Length Required') {
    super(411, 'Length Required', message);
  }
}

export class UnprocessableEntity extends NuboError {
  constructor(message = 'Unable to process the contained instructions') {
    super(422, 'Unprocessable Entity', message);
  }
}

/** A client that sent less than it announced (Swift's 499). */
export class ClientDisconnect extends NuboError {
  constructor(message = 'Client Disconnect') {
    super(499, 'Client Disconnect', message);
  }
}

/** Too few storage nodes answered to reach a quorum. */
export class NoQuorum extends NuboError {
  constructor(message = 'The server is currently unavailable. Please try again at a later time.') {
    super(503, 'Service Unavailable', message);
  }
}

/** A status a storage server answered, passed on (412, 416, 409, ...). */
export class BackendStatus extends NuboError {
  constructor(status: number, title: string, message: string, headers: Record<string, string> = {}) {
    super(status, title, message);
    this.headers = headers;
  }
}
