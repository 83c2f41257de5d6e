/**
 * [security_compliance] password_regex (keystone/common/validation/validators.py
 * validate_password): checked by the IdentityManager when a user is created or updated, and by
 * the SQL driver in a self-service change (where upstream's checks of that change run).
 */
import type { Logger } from '../../../common/log/logger.js';
import type { SecurityComplianceOptions } from '../config.js';
import { PasswordRequirementsValidationError, PasswordValidationError } from '../errors.js';

export type PasswordRules = Pick<SecurityComplianceOptions, 'password_regex' | 'password_regex_description'>;

/** Throws when `password` does not match password_regex (re.match semantics: anchored at the start). */
export function validatePassword(password: unknown, rules: PasswordRules, log: Logger): void {
  const pattern = rules.password_regex;
  if (!pattern) return;
  if (typeof password !== 'string') throw new PasswordValidationError('Password must be a string type');
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})`, 'u');
  } catch {
    log.error({ pattern }, 'Unable to validate password due to invalid regular expression - password_regex');
    throw new PasswordValidationError('Unable to validate password due to invalid configuration');
  }
  if (!re.test(password)) throw new PasswordRequirementsValidationError(rules.password_regex_description);
}
