/** What the auth side's routes are built with (composed in ../service.ts). */
import type { FastifyRequest } from 'fastify';
import type { AppCredManager } from '../application_credential/core.js';
import type { Authenticator } from '../auth/authenticate.js';
import type { CatalogCache } from '../auth/catalog-cache.js';
import type { Ec2TokenAuthenticator } from '../credential/ec2-auth.js';
import type { DomainRef, KeystoneProviders, ProjectRef, RoleRef } from '../providers.js';
import type { RevokeManager } from '../revoke/core.js';
import type { RenderOptions, ResolvedToken } from '../token/model.js';
import type { TokenProvider } from '../token/provider.js';
import type { TrustManager } from '../trust/core.js';
import type { IdentityTokenValidator } from '../validator.js';

/**
 * Policy enforcement as keystone's RBACEnforcer.enforce_call (policies/enforcer.ts): the path
 * parameters (overridable), the `target` object and the request body; throws 403
 * ForbiddenAction when the caller's token does not pass the rule.
 */
/**
 * Enforce `action` for the request. `remember`: an object that always stands for the same target,
 * under which an allowance may be remembered for the caller's token (used only when the request
 * has no path parameters and no body, which would take part in the decision too).
 */
export type Authorize = (req: AuthorizedRequest, action: string, input?: { target?: Record<string, unknown>; params?: Record<string, unknown>; remember?: object }) => void;

/** What enforcement reads of a request: the caller's context, the path parameters and the body (a request lane has neither). */
export type AuthorizedRequest = Pick<FastifyRequest, 'ctx' | 'params' | 'body'>;

/** A token's response body as bytes, with its catalog unless `nocatalog` (api/auth.ts tokenBodyRenderer). */
export type TokenBodyRenderer = (token: ResolvedToken, nocatalog: boolean) => Buffer | Promise<Buffer>;

/** API bodies of resource-side objects, when the resource side offers richer ones than the refs. */
export interface ResourceViews {
  project(p: ProjectRef): Promise<Record<string, unknown>>;
  domain(d: DomainRef): Promise<Record<string, unknown>>;
  /** A role as GET /v3/roles/{id} shows it (without links), or undefined when it is gone. */
  role(roleId: string): Promise<Record<string, unknown> | undefined>;
  /** The global role with this name (roles given by name to trusts and credentials). */
  globalRoleByName(name: string): Promise<RoleRef | undefined>;
}

export interface AuthApiDeps {
  authenticator: Authenticator;
  tokens: TokenProvider;
  validator: IdentityTokenValidator;
  revoke: RevokeManager;
  trusts: TrustManager;
  appCreds: AppCredManager;
  providers: KeystoneProviders;
  authorize: Authorize;
  views: ResourceViews;
  /** Public identity URL without the version ('http://host:8880/identity'). */
  baseUrl: string;
  render: Pick<RenderOptions, 'adminProject'>;
  /** Token bodies, kept with the tokens: one renderer for every route and lane that answers with a token. */
  tokenBody: TokenBodyRenderer;
  /** [token] allow_expired_window. */
  allowExpiredWindow: number;
  /** [trust] allow_redelegation. */
  allowRedelegation: boolean;
  /** The catalog for a token's scope (user and project fill URL templates). */
  catalogCache: CatalogCache;
  /** Tokens for requests signed with EC2 credentials (ec2tokens, s3tokens). */
  ec2: Ec2TokenAuthenticator;
}
