/**
 * Builds Keystone's auth side over the resource side's KeystoneProviders: the Fernet key
 * repository (created on first start), revocation events, trusts, application credentials,
 * the token provider, the in-process validator and the authenticator, wired to the resource
 * side's events. With an audit, trusts and application credentials send notifications and the
 * changes that invalidate tokens are announced on the bus (token-cache-fanout.ts).
 */
import type { Kysely } from 'kysely';
import type { AuthConfig } from '../auth-config.js';
import { AppCredManager } from '../application_credential/manager.js';
import type { AuthDB } from '../db/auth-schema.js';
import type { IdentityAudit } from '../notifications/audit.js';
import { fanOutTokenInvalidations } from '../notifications/token-cache-fanout.js';
import type { KeystoneEvents, KeystoneProviders, UserRef } from '../providers.js';
import { RevokeManager } from '../revoke/manager.js';
import { TokenFormatter } from '../token/formatter.js';
import { KeyRepository, initializeKeyRepository } from '../token/key-repository.js';
import { TokenProvider } from '../token/provider.js';
import { TrustManager } from '../trust/manager.js';
import { IdentityTokenValidator } from '../validator.js';
import { Authenticator } from './authenticate.js';
import { subscribeToResourceEvents } from './subscriptions.js';

export interface AuthSideOptions {
  db: Kysely<AuthDB>;
  providers: KeystoneProviders;
  events: KeystoneEvents;
  config: AuthConfig;
  /** The Fernet key directory (see fernetKeyDir). */
  keyDir: string;
  /** Hash and check application credential secrets as passwords are. */
  hashSecret(secret: string): Promise<string>;
  checkSecret(secret: string, hash: string): Promise<boolean>;
  /** The user's default project id, if any. */
  defaultProjectId(user: UserRef): Promise<string | null>;
  /** [resource] admin_project_name / admin_project_domain_name when both are set. */
  adminProject?: { name: string; domainName: string };
  /** Notifications on the message bus; none without it. */
  audit?: IdentityAudit;
}

export interface AuthSide {
  keys: KeyRepository;
  revoke: RevokeManager;
  trusts: TrustManager;
  appCreds: AppCredManager;
  tokens: TokenProvider;
  validator: IdentityTokenValidator;
  authenticator: Authenticator;
}

export async function createAuthSide(o: AuthSideOptions): Promise<AuthSide> {
  const c = o.config;
  initializeKeyRepository(o.keyDir, c.fernetTokens.max_active_keys);
  const keys = new KeyRepository(o.keyDir);
  keys.current();
  const revoke = new RevokeManager(o.db, { retentionSeconds: c.token.expiration + c.revoke.expiration_buffer });
  await revoke.load();
  const trusts = new TrustManager(o.db, {
    maxRedelegationCount: c.trust.max_redelegation_count,
    userEnabled: async (id) => (await o.providers.getUser(id))?.enabled ?? false,
    onDeleted: async (id) => { await revoke.revokeByTrust(id); },
    ...(o.audit ? { audit: o.audit } : {}),
  });
  const appCreds = new AppCredManager(o.db, {
    userLimit: c.applicationCredential.user_limit,
    hashSecret: o.hashSecret,
    checkSecret: o.checkSecret,
    userRoleIds: async (userId, projectId) => (await o.providers.rolesOnProject(userId, projectId)).map((r) => r.id),
    ...(o.audit ? { audit: o.audit } : {}),
  });
  const tokens = new TokenProvider({ formatter: new TokenFormatter(keys), providers: o.providers, revoke, trusts, appCreds, expiration: c.token.expiration });
  const validator = new IdentityTokenValidator(tokens, revoke, {
    cacheSize: c.token.cache_size,
    cacheSeconds: c.token.cache_time,
    allowExpiredWindow: c.token.allow_expired_window,
    ...(o.adminProject ? { adminProject: o.adminProject } : {}),
  });
  const authenticator = new Authenticator({
    providers: o.providers, tokens, validator, trusts, appCreds,
    allowRescopeScopedToken: c.token.allow_rescope_scoped_token,
    defaultProjectId: o.defaultProjectId,
  });
  subscribeToResourceEvents(o.events, { revoke, validator, trusts, appCreds });
  if (o.audit) fanOutTokenInvalidations(o.events, revoke, o.audit);
  return { keys, revoke, trusts, appCreds, tokens, validator, authenticator };
}
