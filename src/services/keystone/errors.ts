/**
 * Keystone's exceptions (keystone/exception.py) as typed errors with upstream's messages.
 * They extend the shared HTTP errors, so the common error hook maps them to their status and
 * keystoneFault renders `{"error": {"code", "title", "message"}}`.
 */
import { BadRequest, Conflict as HttpConflict, Forbidden, NotFound, Unauthorized } from '../../common/errors.js';

/** 400 ValidationError with a free-form message. */
export class ValidationError extends BadRequest {}

/** ValidationError's default message: "Expecting to find X in Y...". */
export class MissingAttribute extends ValidationError {
  constructor(attribute: string, target: string) {
    super(`Expecting to find ${attribute} in ${target}. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.`);
  }
}

export class PasswordValidationError extends ValidationError {
  constructor(detail: string) {
    super(`Password validation error: ${detail}.`);
  }
}

export class PasswordRequirementsValidationError extends ValidationError {
  constructor(detail: string) {
    super(`The password does not match the requirements: ${detail}.`);
  }
}

export class PasswordHistoryValidationError extends ValidationError {
  constructor(uniqueCount: number) {
    super(`The new password cannot be identical to a previous password. The total number which includes the new password must be unique is ${uniqueCount}.`);
  }
}

export class PasswordAgeValidationError extends ValidationError {
  constructor(minAgeDays: number, daysLeft: number) {
    super(`You cannot change your password at this time due to the minimum password age. Once you change your password, it must be used for ${minAgeDays} day(s) before it can be changed. Please try again in ${daysLeft} day(s) or contact your administrator to reset your password.`);
  }
}

export class PasswordSelfServiceDisabled extends ValidationError {
  constructor() {
    super('You cannot change your password at this time due to password policy disallowing password changes. Please contact your administrator to reset your password.');
  }
}

export class ValidationTimeStampError extends BadRequest {
  constructor() {
    super('Timestamp not in expected format. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.');
  }
}

export class InvalidOperatorError extends ValidationError {
  constructor(op: string) {
    super(`The given operator ${op} is not valid. It must be one of the following: 'eq', 'neq', 'lt', 'lte', 'gt', or 'gte'.`);
  }
}

export class CircularRegionHierarchyError extends BadRequest {
  constructor(parentRegionId: string) {
    super(`The specified parent region ${parentRegionId} would create a circular region hierarchy.`);
  }
}

export class URLValidationError extends ValidationError {
  constructor(url: string) {
    super(`Cannot create an endpoint with an invalid URL: ${url}.`);
  }
}

/** 403 whose message is always safe to show (upstream's ForbiddenNotSecurity). */
export class ForbiddenNotSecurity extends Forbidden {}

export class ForbiddenAction extends Forbidden {
  constructor(action: string) {
    super(`You are not authorized to perform the requested action: ${action}.`);
  }
}

export class PasswordVerificationError extends ForbiddenNotSecurity {
  constructor(size: number) {
    super(`The password length must be less than or equal to ${size}. The server could not comply with the request because the password is invalid.`);
  }
}

export class RegionDeletionError extends ForbiddenNotSecurity {
  constructor(regionId: string) {
    super(`Unable to delete region ${regionId} because it or its child regions have associated endpoints.`);
  }
}

export class CredentialLimitExceeded extends ForbiddenNotSecurity {
  constructor(limit: number) {
    super(`Unable to create additional credentials, maximum of ${limit} already exceeded for user.`);
  }
}

export class InvalidDomainConfig extends Forbidden {
  constructor(reason: string) {
    super(`Invalid domain specific configuration: ${reason}.`);
  }
}

export class InvalidLimit extends Forbidden {
  constructor(reason: string) {
    super(`Invalid resource limit: ${reason}.`);
  }
}

export class NoLimitReference extends Forbidden {
  constructor() {
    super('Unable to create a limit that has no corresponding registered limit.');
  }
}

export class RegisteredLimitError extends ForbiddenNotSecurity {
  constructor(id: string) {
    super(`Unable to update or delete registered limit ${id} because there are project limits associated with it.`);
  }
}

export class InvalidImpliedRole extends Forbidden {
  constructor(roleId: string, message?: string) {
    super(message ?? `${roleId} cannot be an implied roles.`);
  }
}

export class DomainSpecificRoleMismatch extends Forbidden {
  constructor(roleId: string, projectId: string) {
    super(`Project ${projectId} must be in the same domain as the role ${roleId} being assigned.`);
  }
}

export class ResourceUpdateForbidden extends ForbiddenNotSecurity {
  constructor(type: string, resourceId: string, message?: string) {
    super(message ?? `Unable to update immutable ${type} resource: \`${resourceId}. Set resource option "immutable" to false first.`);
  }
}

export class ResourceDeleteForbidden extends ForbiddenNotSecurity {
  constructor(type: string, resourceId: string) {
    super(`Unable to delete immutable ${type} resource: \`${resourceId}. Set resource option "immutable" to false first.`);
  }
}

/** "Could not find <kind>: <id>." — the NotFound family of upstream. */
export class KeystoneNotFound extends NotFound {
  constructor(kind: string, id: string) {
    super(`Could not find ${kind}: ${id}.`);
  }
}

export class UserNotFound extends KeystoneNotFound { constructor(id: string) { super('user', id); } }
export class GroupNotFound extends KeystoneNotFound { constructor(id: string) { super('group', id); } }
export class ProjectNotFound extends KeystoneNotFound { constructor(id: string) { super('project', id); } }
export class DomainNotFound extends KeystoneNotFound { constructor(id: string) { super('domain', id); } }
export class RoleNotFound extends KeystoneNotFound { constructor(id: string) { super('role', id); } }
export class ServiceNotFound extends KeystoneNotFound { constructor(id: string) { super('service', id); } }
export class EndpointNotFound extends KeystoneNotFound { constructor(id: string) { super('endpoint', id); } }
export class RegionNotFound extends KeystoneNotFound { constructor(id: string) { super('region', id); } }
export class CredentialNotFound extends KeystoneNotFound { constructor(id: string) { super('credential', id); } }
export class ProjectTagNotFound extends KeystoneNotFound { constructor(tag: string) { super('project tag', tag); } }

export class MarkerNotFound extends NotFound {
  constructor(marker: string) {
    super(`Marker ${marker} could not be found.`);
  }
}

export class ImpliedRoleNotFound extends NotFound {
  constructor(priorRoleId: string, impliedRoleId: string) {
    super(`${priorRoleId} does not imply ${impliedRoleId}.`);
  }
}

export class RoleAssignmentNotFound extends NotFound {
  constructor(roleId: string, actorId: string, targetId: string) {
    super(`Could not find role assignment with role: ${roleId}, user or group: ${actorId}, project, domain, or system: ${targetId}.`);
  }
}

export class RegisteredLimitNotFound extends NotFound {
  constructor(id: string) {
    super(`Could not find registered limit for ${id}.`);
  }
}

export class LimitNotFound extends NotFound {
  constructor(id: string) {
    super(`Could not find limit for ${id}.`);
  }
}

export class DomainConfigNotFound extends NotFound {
  constructor(domainId: string, groupOrOption: string) {
    super(`Could not find ${groupOrOption} in domain configuration for domain ${domainId}.`);
  }
}

/** 409 "Conflict occurred attempting to store <type> - <details>." */
export class KeystoneConflict extends HttpConflict {
  constructor(type: string, details: string) {
    super(`Conflict occurred attempting to store ${type} - ${details}.`);
  }
}

/** The message of upstream's handle_conflicts for a duplicate name (optionally in a domain). */
export function duplicateEntry(field: 'name' | 'ID', value: string, domainId?: string): string {
  return domainId ? `Duplicate entry found with ${field} ${value} at domain ID ${domainId}` : `Duplicate entry found with ${field} ${value}`;
}

/** 401s of password authentication. */
export class AccountLocked extends Unauthorized {
  constructor(userId: string) { super(`The account is locked for user: ${userId}.`); }
}
export class UserDisabled extends Unauthorized {
  constructor(userId: string) { super(`The account is disabled for user: ${userId}.`); }
}
export class PasswordExpired extends Unauthorized {
  constructor(userId: string) { super(`The password is expired and needs to be changed for user: ${userId}.`); }
}

export class PolicyNotFound extends KeystoneNotFound { constructor(id: string) { super('policy', id); } }
export class EndpointGroupNotFound extends KeystoneNotFound { constructor(id: string) { super('Endpoint Group', id); } }
export class PolicyAssociationNotFound extends NotFound { constructor() { super('Policy association not found.'); } }
export class ConsumerNotFound extends NotFound {
  constructor(id: string) { super(`Could not find consumer: ${id}.`); }
}

/** A value longer than its column (keystone.common.sql's StringLengthExceeded, 400). */
export class StringLengthExceeded extends ValidationError {
  constructor(value: string, length: number) {
    super(`String length exceeded. The length of string '${value}' exceeds the limit of column String(CHAR(${length})).`);
  }
}

/** Throws StringLengthExceeded when `value` does not fit a varchar(`length`) column. */
export function checkLength(value: unknown, length: number): void {
  if (typeof value === 'string' && value.length > length) throw new StringLengthExceeded(value, length);
}
