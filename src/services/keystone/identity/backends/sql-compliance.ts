/**
 * The [security_compliance] rules on the SQL driver's stored user and password state, as
 * upstream's identity/backends/sql.py and sql_model.py apply them: lockout after failed
 * attempts, disabling inactive users, password expiry (and change on first use), and the
 * minimum age of a self-service password. Pure functions of the rows and the options.
 */
import type { SecurityComplianceOptions } from '../../config.js';
import { addSeconds, bool, num } from '../../db/rows.js';
import type { PasswordRow, UserRow } from '../../db/schema.js';

const DAY = 86400;

/** Upstream's User.enabled: disabled after disable_user_account_days_inactive days without use. */
export function effectiveEnabled(c: SecurityComplianceOptions, row: UserRow, options: Record<string, unknown>): boolean {
  if (!bool(row.enabled)) return false;
  const maxDays = c.disable_user_account_days_inactive;
  if (!maxDays || options.ignore_user_inactivity === true) return true;
  const last = row.last_active_at ?? row.created_at;
  const days = Math.floor((Date.now() - Date.parse(last.slice(0, 10))) / (DAY * 1000));
  return days < maxDays;
}

/** _is_account_locked. */
export function isLocked(c: SecurityComplianceOptions, row: UserRow, options: Record<string, unknown>): boolean {
  if (options.ignore_lockout_failure_attempts === true) return false;
  const max = c.lockout_failure_attempts;
  if (!max || num(row.failed_auth_count) < max) return false;
  const duration = c.lockout_duration;
  if (!duration) return true;
  return row.failed_auth_at !== null && Date.parse(row.failed_auth_at) + duration * 1000 > Date.now();
}

/** Whether a lockout has run out, so counting failures starts again (_reset_failed_auth). */
export function lockoutExpired(c: SecurityComplianceOptions, row: UserRow): boolean {
  return num(row.failed_auth_count) > 0 && !!c.lockout_failure_attempts && !!c.lockout_duration &&
    num(row.failed_auth_count) >= c.lockout_failure_attempts;
}

export function passwordExpired(password: PasswordRow | undefined, options: Record<string, unknown>): boolean {
  if (!password?.expires_at || options.ignore_password_expiry === true) return false;
  return Date.now() >= Date.parse(password.expires_at);
}

/**
 * When a new password expires: now if an administrator set it and it must be changed first,
 * else after password_expires_days.
 */
export function expiryFor(c: SecurityComplianceOptions, now: string, options: Record<string, unknown>, adminSet: boolean): string | null {
  if (adminSet && c.change_password_upon_first_use && options.ignore_change_password_upon_first_use !== true) return now;
  if (options.ignore_password_expiry === true || !c.password_expires_days) return null;
  return addSeconds(now, c.password_expires_days * DAY).replace(/\.\d{3}Z$/, '.000Z');
}

/** _validate_minimum_password_age: undefined when the change is allowed, else the days left. */
export function minimumAgeDaysLeft(c: SecurityComplianceOptions, current: PasswordRow | undefined): number | undefined {
  if (!current || !bool(current.self_service)) return undefined;
  const allowedAt = Date.parse(current.created_at) + c.minimum_password_age * DAY * 1000;
  return Date.now() < allowedAt ? Math.floor((allowedAt - Date.now()) / (DAY * 1000)) : undefined;
}
