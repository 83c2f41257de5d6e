/**
 * The auth side's option groups, named and defaulted as keystone/conf/{token,fernet_tokens,
 * trust,application_credential,revoke}.py, plus the validation cache of the in-process token
 * validator (Nubo's own; upstream uses oslo.cache for the same purpose).
 */
import { join } from 'node:path';
import { Config, defineGroup, opt, type GroupDef, type OptMap, type Values } from '../../common/config/index.js';
import { driverOption } from './lib/drivers.js';

export const tokenGroup = defineGroup('token', 'Token issue and validation', {
  expiration: opt.int(3600, 'Seconds a token stays valid.', { min: 0 }),
  allow_expired_window: opt.int(172800, 'Seconds after expiry a token can still be fetched with ?allow_expired=1 (services completing long operations).', { min: 0 }),
  allow_rescope_scoped_token: opt.bool(true, 'Whether a scoped token can be exchanged for a token with another scope (method "token").'),
  cache_size: opt.int(10000, 'Validated tokens kept in memory; revocations and changes to users, projects, domains and roles drop them at once.', { min: 0 }),
  cache_time: opt.int(300, 'Seconds a validated token is kept in the validation cache (never past its expiry).', { min: 0 }),
});

export const fernetTokensGroup = defineGroup('fernet_tokens', 'Fernet token keys', {
  key_repository: opt.str('', 'Directory of the Fernet keys (0 = staged, highest = primary). Empty: <data_dir>/fernet-keys.'),
  max_active_keys: opt.int(3, 'Keys kept in the repository by a rotation, the staged key included.', { min: 1 }),
});

export const trustGroup = defineGroup('trust', 'Trusts (OS-TRUST)', {
  driver: driverOption('trust'),
  allow_redelegation: opt.bool(false, 'Allow trustees to redelegate a trust.'),
  max_redelegation_count: opt.int(3, 'Maximum depth of a trust redelegation chain.', { min: 0 }),
});

export const applicationCredentialGroup = defineGroup('application_credential', 'Application credentials', {
  driver: driverOption('application credential'),
  user_limit: opt.int(-1, 'Maximum number of application credentials per user (-1: unlimited).', { min: -1 }),
});

export const revokeGroup = defineGroup('revoke', 'Token revocation events', {
  driver: driverOption('revocation event'),
  expiration_buffer: opt.int(1800, 'Seconds a revocation event is kept after the tokens it revokes have expired.', { min: 0 }),
  poll_interval: opt.float(2, 'Seconds between reads of revocation events written by other Keystone processes (0: never; one process).', { min: 0 }),
});

export const authConfigGroups = [tokenGroup, fernetTokensGroup, trustGroup, applicationCredentialGroup, revokeGroup] as const;

export interface AuthConfig {
  token: Values<typeof tokenGroup.opts>;
  fernetTokens: Values<typeof fernetTokensGroup.opts>;
  trust: Values<typeof trustGroup.opts>;
  applicationCredential: Values<typeof applicationCredentialGroup.opts>;
  revoke: Values<typeof revokeGroup.opts>;
}

type Getter = { get: <S extends OptMap>(g: GroupDef<S>) => Values<S> };

export function authConfigFrom(config: Getter): AuthConfig {
  return {
    token: config.get(tokenGroup),
    fernetTokens: config.get(fernetTokensGroup),
    trust: config.get(trustGroup),
    applicationCredential: config.get(applicationCredentialGroup),
    revoke: config.get(revokeGroup),
  };
}

/**
 * Upstream defaults, with options given as `'group.key'` raw strings changed (tests and tools):
 * `defaultAuthConfig({ 'token.expiration': '60' })`.
 */
export function defaultAuthConfig(overrides: Record<string, string> = {}): AuthConfig {
  return authConfigFrom(Config.load({ groups: authConfigGroups, env: {}, overrides }));
}

/** The Fernet key directory: [fernet_tokens] key_repository, else <data_dir>/fernet-keys. */
export function fernetKeyDir(config: Getter, dataDir: string): string {
  const configured = config.get(fernetTokensGroup).key_repository;
  return configured !== '' ? configured : join(dataDir, 'fernet-keys');
}
