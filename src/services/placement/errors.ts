/**
 * Placement's errors, in two families as upstream:
 * - HTTP errors (webob's HTTPException subclasses as placement raises them): a status, the
 *   detail text and optionally one of placement's error codes (placement/errors.py), shown as
 *   `code` from microversion 1.23. api/fault.ts renders them.
 * - Domain exceptions (placement/exception.py) raised by the objects layer with upstream's
 *   message texts; handlers translate them into HTTP errors with the wrapping upstream uses.
 *   Those that reach the renderer unhandled answer as upstream's middleware does: NotFound as
 *   404 (placement/handler.py), anything else as a 500.
 */
import { NuboError } from '../../common/errors.js';

/** The `code` values of error responses (placement/errors.py; the strings never change). */
export const ErrorCode = {
  DEFAULT: 'placement.undefined_code',
  INVENTORY_INUSE: 'placement.inventory.inuse',
  CONCURRENT_UPDATE: 'placement.concurrent_update',
  DUPLICATE_NAME: 'placement.duplicate_name',
  PROVIDER_IN_USE: 'placement.resource_provider.inuse',
  PROVIDER_CANNOT_DELETE_PARENT: 'placement.resource_provider.cannot_delete_parent',
  RESOURCE_PROVIDER_NOT_FOUND: 'placement.resource_provider.not_found',
  ILLEGAL_DUPLICATE_QUERYPARAM: 'placement.query.duplicate_key',
  QUERYPARAM_BAD_VALUE: 'placement.query.bad_value',
  QUERYPARAM_MISSING_VALUE: 'placement.query.missing_value',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

// ---------------------------------------------------------------------------------------------
// HTTP errors

/** An HTTP error with webob's detail text and placement's error code. */
export class HttpError extends NuboError {
  constructor(status: number, title: string, detail: string, readonly code?: ErrorCodeValue) {
    super(status, title, detail);
  }
}

export class HTTPBadRequest extends HttpError {
  constructor(detail: string, code?: ErrorCodeValue) {
    super(400, 'Bad Request', detail, code);
  }
}

export class HTTPForbidden extends HttpError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class HTTPNotFound extends HttpError {
  constructor(detail = '') {
    super(404, 'Not Found', detail);
  }
}

/** 405; for a path that lacks the method, the Allow header names those it has. */
export class HTTPMethodNotAllowed extends HttpError {
  constructor(allow?: readonly string[]) {
    super(405, 'Method Not Allowed', allow ? 'The method specified is not allowed for this resource.' : '');
    if (allow) this.headers['allow'] = allow.join(', ');
  }
}

export class HTTPNotAcceptable extends HttpError {
  constructor(detail: string) {
    super(406, 'Not Acceptable', detail);
  }
}

export class HTTPConflict extends HttpError {
  constructor(detail: string, code?: ErrorCodeValue) {
    super(409, 'Conflict', detail, code);
  }
}

export class HTTPUnsupportedMediaType extends HttpError {
  constructor(detail: string) {
    super(415, 'Unsupported Media Type', detail);
  }
}

// ---------------------------------------------------------------------------------------------
// Domain exceptions (placement/exception.py)

/** Base of placement's exceptions: unhandled, a 500 with the message, as FaultWrapper answers. */
export class PlacementException extends NuboError {
  constructor(message: string) {
    super(500, 'Internal Server Error', message);
  }
}

/** exception.NotFound: unhandled, placement/handler.py answers 404 with the message. */
export class PlacementNotFound extends NuboError {
  constructor(message = 'Resource could not be found.') {
    super(404, 'Not Found', message);
  }
}

/**
 * Marker of allocation-candidate searches that cannot find anything (not an API error: the
 * answer is 200 with no candidates).
 */
export class NoCandidates extends PlacementNotFound {
  constructor() {
    super('No results are possible.');
  }
}

export class ResourceClassNotFound extends PlacementNotFound {
  constructor(readonly resourceClass: string | number) {
    super(`No such resource class ${resourceClass}.`);
  }
}

export class TraitNotFound extends PlacementNotFound {
  constructor(readonly names: string) {
    super(`No such trait(s): ${names}.`);
  }
}

export class ConsumerTypeNotFound extends PlacementNotFound {
  constructor(name: string | number) {
    super(`No such consumer type: ${name}.`);
  }
}

export class InventoryWithResourceClassNotFound extends PlacementNotFound {
  constructor(resourceClass: string) {
    super(`No inventory of class ${resourceClass} found.`);
  }
}

export class ConcurrentUpdateDetected extends PlacementException {
  constructor(message = 'Another thread concurrently updated the data. Please retry your update') {
    super(message);
  }
}

/** A provider generation moved under us: the allocation write retries on this one. */
export class ResourceProviderConcurrentUpdateDetected extends ConcurrentUpdateDetected {
  constructor() {
    super('Another thread concurrently updated the resource provider data. Please retry your update');
  }
}

export class InvalidInventory extends PlacementException {
  constructor(resourceClass: string, resourceProvider: string, message?: string) {
    super(message ?? `Inventory for '${resourceClass}' on resource provider '${resourceProvider}' invalid.`);
  }
}

export class InvalidAllocationCapacityExceeded extends InvalidInventory {
  constructor(resourceClass: string, resourceProvider: string) {
    super(resourceClass, resourceProvider,
      `Unable to create allocation for '${resourceClass}' on resource provider '${resourceProvider}'. The requested amount would exceed the capacity.`);
  }
}

export class InvalidAllocationConstraintsViolated extends InvalidInventory {
  constructor(resourceClass: string, resourceProvider: string) {
    super(resourceClass, resourceProvider,
      `Unable to create allocation for '${resourceClass}' on resource provider '${resourceProvider}'. The requested amount would violate inventory constraints.`);
  }
}

export class InvalidInventoryCapacity extends InvalidInventory {
  constructor(resourceClass: string, resourceProvider: string, reservedCanBeTotal: boolean) {
    super(resourceClass, resourceProvider,
      `Invalid inventory for '${resourceClass}' on resource provider '${resourceProvider}'. ` +
        (reservedCanBeTotal ? 'The reserved value is greater than total.' : 'The reserved value is greater than or equal to total.'));
  }
}

export class InventoryInUse extends InvalidInventory {
  constructor(resourceClasses: string, resourceProvider: string) {
    super(resourceClasses, resourceProvider, `Inventory for '${resourceClasses}' on resource provider '${resourceProvider}' in use.`);
  }
}

export class CannotDeleteParentResourceProvider extends PlacementException {
  constructor() {
    super('Cannot delete resource provider that is a parent of another. Delete child providers first.');
  }
}

export class ResourceProviderInUse extends PlacementException {
  constructor() {
    super('Resource provider has allocations.');
  }
}

export class ObjectActionError extends PlacementException {
  constructor(action: string, reason: string) {
    super(`Object action ${action} failed because: ${reason}`);
  }
}

/** A unique key refused a row (oslo.db's DBDuplicateEntry), naming the columns. */
export class DuplicateEntry extends PlacementException {
  constructor(readonly columns: string[]) {
    super(`Duplicate entry for ${columns.join(', ')}`);
  }
}

export class ResourceClassExists extends PlacementException {
  constructor(name: string) {
    super(`Resource class ${name} already exists.`);
  }
}

export class ResourceClassInUse extends PlacementException {
  constructor(name: string) {
    super(`Cannot delete resource class ${name}. Class is in use in inventory.`);
  }
}

export class ResourceClassCannotDeleteStandard extends PlacementException {
  constructor(name: string) {
    super(`Cannot delete standard resource class ${name}.`);
  }
}

export class ResourceClassCannotUpdateStandard extends PlacementException {
  constructor(name: string) {
    super(`Cannot update standard resource class ${name}.`);
  }
}

export class TraitCannotDeleteStandard extends PlacementException {
  constructor(name: string) {
    super(`Cannot delete standard trait ${name}.`);
  }
}

export class TraitInUse extends PlacementException {
  constructor(name: string) {
    super(`The trait ${name} is in use by a resource provider.`);
  }
}

export class PolicyNotAuthorized extends NuboError {
  constructor(action: string) {
    super(403, 'Forbidden', `Policy does not allow ${action} to be performed.`);
  }
}
