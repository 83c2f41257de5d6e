/**
 * Resource options (keystone/common/resource_options): named settings stored with users,
 * projects/domains and roles. `immutable` protects projects, domains and roles from change
 * and deletion; users have the security-compliance and MFA options.
 */
import { ResourceDeleteForbidden, ResourceUpdateForbidden } from '../errors.js';

const bool = { type: 'boolean' } as const;

/** JSON schema of `options` on projects, domains and roles. */
export const immutableOptionsSchema = {
  type: 'object',
  properties: { immutable: { type: ['boolean', 'null'] } },
  additionalProperties: false,
} as const;

/** JSON schema of `options` on users. */
export const userOptionsSchema = {
  type: 'object',
  properties: {
    ignore_change_password_upon_first_use: { ...bool, type: ['boolean', 'null'] },
    ignore_password_expiry: { ...bool, type: ['boolean', 'null'] },
    ignore_lockout_failure_attempts: { ...bool, type: ['boolean', 'null'] },
    lock_password: { ...bool, type: ['boolean', 'null'] },
    ignore_user_inactivity: { ...bool, type: ['boolean', 'null'] },
    multi_factor_auth_rules: {
      type: ['array', 'null'],
      items: { type: 'array', items: { type: 'string' }, minItems: 1, uniqueItems: true },
      uniqueItems: true,
    },
    multi_factor_auth_enabled: { ...bool, type: ['boolean', 'null'] },
  },
  additionalProperties: false,
} as const;

/** Merges option changes into current options; a null value removes the option. */
export function mergeOptions(current: Record<string, unknown>, changes: Record<string, unknown> | undefined): Record<string, unknown> {
  const out = { ...current };
  for (const [k, v] of Object.entries(changes ?? {})) {
    if (v === null || v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

export function isImmutable(ref: { options?: Record<string, unknown> }): boolean {
  return ref.options?.immutable === true;
}

/**
 * An immutable resource accepts only an update that sets `immutable` to false or null
 * (check_immutable_update).
 */
export function checkImmutableUpdate(original: { options?: Record<string, unknown> }, changes: Record<string, unknown>, type: string, id: string): void {
  if (!isImmutable(original)) return;
  const opts = changes.options as Record<string, unknown> | undefined;
  const onlyOptions = Object.keys(changes).every((k) => k === 'options');
  if (!onlyOptions || !opts || !('immutable' in opts) || (opts.immutable !== false && opts.immutable !== null)) {
    throw new ResourceUpdateForbidden(type, id);
  }
}

export function checkImmutableDelete(ref: { options?: Record<string, unknown> }, type: string, id: string): void {
  if (isImmutable(ref)) throw new ResourceDeleteForbidden(type, id);
}
