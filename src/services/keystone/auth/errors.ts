/**
 * The auth side's exceptions (keystone/exception.py) with upstream's status and messages.
 * 401s are SecurityErrors upstream: outside insecure_debug they show only their own message
 * format, so the detailed reasons stay in the logs.
 */
import { Forbidden, NotFound, Unauthorized } from '../../../common/errors.js';
import { ForbiddenNotSecurity, KeystoneNotFound, ValidationError } from '../errors.js';

/**
 * A 401 whose reason is kept for the logs only: upstream's Unauthorized is a SecurityError
 * that shows "The request you have made requires authentication." outside insecure_debug.
 */
export class Unauthenticated extends Unauthorized {
  constructor(readonly detail: string) {
    super();
  }
}

/** A 403 that likewise shows only "You are not authorized to perform the requested action." */
export class SecurityForbidden extends Forbidden {
  constructor(readonly detail: string) {
    super();
  }
}

/** 404 TokenNotFound: the message is upstream's for each cause ("Failed to validate token", ...). */
export class TokenNotFound extends NotFound {}

/** "Could not find token: <id>." (a token whose user or scope no longer allows it). */
export class TokenNotFoundById extends TokenNotFound {
  constructor(tokenId: string) {
    super(`Could not find token: ${tokenId}.`);
  }
}

export class TrustNotFound extends KeystoneNotFound {
  constructor(id: string) { super('trust', id); }
}

export class ApplicationCredentialNotFound extends NotFound {
  constructor(id: string) { super(`Could not find Application Credential: ${id}.`); }
}

export class AccessRuleNotFound extends NotFound {
  constructor(id: string) { super(`Could not find Access Rule: ${id}.`); }
}

/** 401 whose body also lists the methods the server accepts (AuthPluginException). */
export class AuthPluginError extends Unauthorized {
  constructor(message: string, readonly identity: Record<string, unknown> = {}) {
    super(message);
  }
}

export class AuthMethodNotSupported extends AuthPluginError {
  constructor(methods: readonly string[]) {
    super('Attempted to authenticate with an unsupported method.', { methods: [...methods] });
  }
}

/** Multi-factor rules not met (upstream answers with an auth receipt; here the plain 401). */
export class InsufficientAuthMethods extends Unauthorized {
  constructor(userId: string, methods: readonly string[]) {
    super(`Insufficient auth methods received for ${userId}. Auth Methods Provided: [${methods.join(',')}].`);
  }
}

export class TrustUseLimitReached extends Forbidden {
  constructor(trustId: string) { super(`No remaining uses for trust: ${trustId}.`); }
}

/** 400 "Invalid application credential: <detail>". */
export class ApplicationCredentialValidationError extends ValidationError {
  constructor(detail: string) { super(`Invalid application credential: ${detail}`); }
}

export class ApplicationCredentialLimitExceeded extends ForbiddenNotSecurity {
  constructor(limit: number) { super(`Unable to create additional application credentials, maximum of ${limit} already exceeded for user.`); }
}
