/**
 * The image service's errors as clients see them (glance.common.exception and the webob
 * exceptions glance raises), each a typed NuboError with its status. The stores' and the format
 * inspector's own failures are internal: managers/data-errors.ts maps them to these.
 */
import { BadRequest, Conflict, Forbidden, PayloadTooLarge, UnsupportedMediaType } from '../../common/errors.js';
import type { QuotaName } from './managers/quota.js';
import type { TaskStatus } from './db/task-repo.js';
import type { ImageStatus } from './domain/image.js';

/** glance.common.exception.Forbidden raised by the policy layer. */
export class PolicyForbidden extends Forbidden {
  constructor(readonly rule: string) {
    super(`You are not authorized to complete ${rule} action.`);
  }
}

/** The image id is taken (also by a deleted image). */
export class DuplicateImage extends Conflict {
  constructor(id: string) {
    super(`Image ID ${id} already exists!`);
  }
}

/** The status compare-and-swap lost (the image moved on meanwhile). */
export class StatusConflict extends Conflict {}

/** A status change the machine does not allow. */
export class InvalidImageStatusTransition extends Conflict {
  constructor(readonly from: ImageStatus, readonly to: ImageStatus) {
    super(`Image status transition from ${from} to ${to} is not allowed`);
  }
}

/** Data cannot be saved before the formats are known (upstream raises ValueError -> 400). */
export class MissingImageFormats extends BadRequest {}

export class InvalidTaskStatusTransition extends Conflict {
  constructor(from: TaskStatus, to: TaskStatus) {
    super(`Status transition from ${from} to ${to} is not allowed`);
  }
}

/** Too many properties, tags or members (glance's *LimitExceeded, 413). */
export class ImageLimitExceeded extends PayloadTooLarge {}

/** A quota is exceeded (glance's LimitExceeded, 413). */
export class LimitExceeded extends PayloadTooLarge {
  constructor(projectId: string, over: Array<{ name: QuotaName; limit: number; usage: number; delta: number }>) {
    const infos = over.map((o) => `Resource ${o.name} is over limit of ${o.limit} due to current usage ${o.usage} and delta ${o.delta}`);
    super('The request returned a 413 Request Entity Too Large. This generally means that rate limiting or a quota threshold was breached.\n\n'
      + `The response body:\nProject ${projectId} is over a limit for [${infos.join(', ')}]`);
  }
}

/**
 * webob's 415 page with the reason as its detail: data refused by the format checks
 * (glance raises HTTPUnsupportedMediaType(detail=str(e))) or a body of the wrong type.
 */
export class MediaTypeRefused extends UnsupportedMediaType {
  constructor(readonly detail: string) {
    super('The request media type application/octet-stream is not supported by this server.');
  }
}

/** 415 with Accept-Patch, as Glance answers a PATCH with another media type. */
export class PatchMediaTypeNotSupported extends UnsupportedMediaType {
  constructor(mediaTypes: readonly string[]) {
    const allowed = [...mediaTypes].sort().join(', ');
    super(`Image PATCH expects Content-Type one of: ${allowed}`);
    this.headers['accept-patch'] = allowed;
  }
}
