/**
 * POST /v3/auth/tokens as keystone/api/_shared/authentication.py and keystone/auth/core.py
 * run it: read the scope (AuthInfo), run each auth method (password, token,
 * application_credential), reconcile what they say about the user, fall back to the user's
 * default project, check multi-factor rules, issue the token and consume a trust use.
 */
import { NuboError } from '../../../common/errors.js';
import type { AppCredRef } from '../application_credential/backends/base.js';
import type { AppCredManager } from '../application_credential/core.js';
import { ForbiddenAction, MissingAttribute, UserNotFound } from '../errors.js';
import type { DomainRef, KeystoneProviders, ProjectRef, UserRef } from '../providers.js';
import { intToMethods, methodsToInt } from '../token/payload.js';
import type { ResolvedToken } from '../token/model.js';
import type { TokenProvider } from '../token/provider.js';
import type { TrustRef } from '../trust/backends/base.js';
import type { TrustManager } from '../trust/core.js';
import type { IdentityTokenValidator } from '../validator.js';
import { AuthMethodNotSupported, AuthPluginError, InsufficientAuthMethods, TrustNotFound, Unauthenticated } from './errors.js';
import { validateIssueTokenAuth } from './schema.js';

/** Methods this server runs, in [auth] methods order. */
export const SUPPORTED_METHODS = ['password', 'token', 'application_credential'] as const;

export interface AuthDeps {
  providers: KeystoneProviders;
  tokens: TokenProvider;
  validator: IdentityTokenValidator;
  trusts: TrustManager;
  appCreds: AppCredManager;
  /** [token] allow_rescope_scoped_token. */
  allowRescopeScopedToken: boolean;
  /** The user's default project (identity_user.default_project_id), when it has one. */
  defaultProjectId(user: UserRef): Promise<string | null>;
}

type Obj = Record<string, unknown>;

interface Scope {
  system?: boolean;
  projectId?: string;
  domainId?: string;
  trust?: TrustRef;
  unscoped?: boolean;
}

/** What the auth methods established (upstream's AuthContext). */
interface AuthContext {
  userId?: string;
  methods: string[];
  /** Seconds since the epoch (from a token being exchanged). */
  expiresAt?: number;
  parentAuditId?: string | null;
  appCredId?: string;
}

const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export class Authenticator {
  constructor(private readonly deps: AuthDeps) {}

  /** Authenticate the request body's `auth` and issue a token. */
  async authenticate(auth: unknown): Promise<ResolvedToken> {
    validateIssueTokenAuth(auth);
    if (auth === undefined || auth === null) throw new MissingAttribute('auth', 'request body');
    const a = auth as Obj;
    const identity = obj(a['identity']);
    const methods = [...new Set(identity['methods'] as string[])];
    try {
      for (const m of methods) if (!Object.hasOwn(identity, m)) throw new MissingAttribute(m, 'identity');
      for (const m of methods) if (!(SUPPORTED_METHODS as readonly string[]).includes(m)) throw new AuthMethodNotSupported(SUPPORTED_METHODS);
      const scope = await this.readScope(a, methods);
      const ctx: AuthContext = { methods: [] };
      for (const m of methods) await this.runMethod(m, obj(identity[m]), ctx, a['scope']);
      if (!ctx.userId) throw new Unauthenticated('User not found by auth plugin; authentication failed');
      if (!scope.system && !scope.projectId && !scope.domainId && !scope.trust && !scope.unscoped) {
        const projectId = await this.defaultProject(ctx.userId);
        if (projectId) scope.projectId = projectId;
      }
      const finalMethods = intToMethods(methodsToInt(ctx.methods));
      let appCredId: string | undefined;
      if (finalMethods.includes('application_credential')) {
        appCredId = str(obj(identity['application_credential'])['id']) ?? ctx.appCredId;
        if (!appCredId) throw new Unauthenticated(`Could not find application credential id for user ${ctx.userId}`);
      }
      await this.checkMfaRules(ctx.userId, finalMethods);
      const token = await this.deps.tokens.issue({
        userId: ctx.userId,
        methods: finalMethods,
        ...(ctx.expiresAt !== undefined ? { expiresAt: ctx.expiresAt } : {}),
        ...(scope.system ? { system: true } : {}),
        ...(scope.projectId ? { projectId: scope.projectId } : {}),
        ...(scope.domainId ? { domainId: scope.domainId } : {}),
        ...(scope.trust ? { trustId: scope.trust.id } : {}),
        ...(appCredId ? { appCredId } : {}),
        parentAuditId: ctx.parentAuditId ?? null,
      });
      if (scope.trust) await this.deps.trusts.consumeUse(scope.trust.id);
      this.deps.validator.remember(token);
      return token;
    } catch (err) {
      if (err instanceof TrustNotFound) throw new Unauthenticated(err.message);
      throw err;
    }
  }

  // ---- scope (AuthInfo._validate_and_normalize_scope_data) ----

  private async readScope(a: Obj, methods: string[]): Promise<Scope> {
    if (methods.includes('application_credential')) {
      if ('scope' in a) {
        throw new AuthPluginError('Error authenticating with application credential: Application credentials cannot request a scope.');
      }
      const appCred = await this.lookupAppCred(obj(obj(a['identity'])['application_credential']));
      return appCred.projectId ? { projectId: appCred.projectId } : {};
    }
    if (!('scope' in a)) return {};
    const scope = a['scope'];
    if (typeof scope === 'string') {
      if (scope === 'unscoped') return { unscoped: true };
      throw new MissingAttribute('system, project, domain, OS-TRUST:trust or unscoped', 'scope');
    }
    const s = obj(scope);
    const kinds = ['project', 'domain', 'unscoped', 'system', 'OS-TRUST:trust'].filter((k) => k in s);
    if (kinds.length !== 1) throw new MissingAttribute('system, project, domain, OS-TRUST:trust or unscoped', 'scope');
    switch (kinds[0]) {
      case 'system': return { system: true };
      case 'unscoped': return { unscoped: true };
      case 'project': return { projectId: (await this.lookupProject(obj(s['project']))).id };
      case 'domain': return { domainId: (await this.lookupDomain(obj(s['domain']))).id };
      default: {
        const trustId = str(obj(s['OS-TRUST:trust'])['id']);
        if (!trustId) throw new MissingAttribute('trust_id', 'trust');
        const trust = await this.deps.trusts.get(trustId);
        if (trust.projectId) return { trust, projectId: (await this.lookupProject({ id: trust.projectId })).id };
        return { trust };
      }
    }
  }

  /** A domain by id or name; missing or disabled is 401. */
  private async lookupDomain(info: Obj): Promise<DomainRef> {
    const id = str(info['id']);
    const name = str(info['name']);
    if (!id && !name) throw new MissingAttribute('id or name', 'domain');
    const domain = name ? await this.deps.providers.findDomainByName(name) : await this.deps.providers.getDomain(id as string);
    if (!domain) throw new Unauthenticated(`Could not find domain: ${name ?? id}.`);
    if (!domain.enabled) throw new Unauthenticated(`Domain is disabled: ${domain.id}`);
    return domain;
  }

  private async lookupProject(info: Obj): Promise<ProjectRef> {
    const id = str(info['id']);
    const name = str(info['name']);
    let project: ProjectRef | undefined;
    if (name) {
      if (!('domain' in info)) throw new MissingAttribute('domain', 'project');
      const domain = await this.lookupDomain(obj(info['domain']));
      project = await this.deps.providers.findProjectByName(name, domain.id);
      if (!project) throw new Unauthenticated(`Could not find project: ${name}.`);
    } else {
      project = id ? await this.deps.providers.getProject(id) : undefined;
      if (!project || project.isDomain) throw new Unauthenticated(`Could not find project: ${id}.`);
      await this.lookupDomain({ id: project.domainId });
    }
    if (!project.enabled) throw new Unauthenticated(`Project is disabled: ${project.id}`);
    return project;
  }

  /** The application credential named in the request (AuthInfo._lookup_app_cred). */
  private async lookupAppCred(info: Obj): Promise<AppCredRef> {
    const id = str(info['id']);
    if (id) return this.deps.appCreds.get(id);
    const name = str(info['name']);
    if (!name) throw new MissingAttribute('name or ID', 'application credential');
    const user = info['user'];
    if (!user) throw new MissingAttribute('user', 'application credential');
    const u = obj(user);
    let userId = str(u['id']);
    if (!userId) {
      if (!('domain' in u)) throw new MissingAttribute('domain', 'user');
      const domain = await this.lookupDomain(obj(u['domain']));
      const found = await this.deps.providers.findUserByName(String(u['name'] ?? ''), domain.id);
      if (!found) throw new UserNotFound(String(u['name'] ?? ''));
      userId = found.id;
    }
    const creds = await this.deps.appCreds.list(userId, { name });
    if (creds.length !== 1) throw new Unauthenticated(`Could not find application credential: ${name}`);
    return creds[0] as AppCredRef;
  }

  // ---- auth methods ----

  private async runMethod(method: string, payload: Obj, ctx: AuthContext, requestedScope: unknown): Promise<void> {
    switch (method) {
      case 'password': {
        const user = await this.userFromPayload(payload);
        const password = payload['user'] && obj(payload['user'])['password'];
        await this.deps.providers.checkPassword(user.id, typeof password === 'string' ? password : '');
        this.setUser(ctx, user.id);
        ctx.methods.unshift('password');
        return;
      }
      case 'token': {
        await this.tokenMethod(payload, ctx, requestedScope);
        return;
      }
      default: {
        const appCred = await this.lookupAppCred(payload);
        const user = await this.userFromPayload(payload['user'] ? payload : { user: { id: appCred.userId } });
        if (user.id !== appCred.userId) throw new Unauthenticated('Invalid application credential ID or secret');
        const secret = str(payload['secret']);
        if (!secret || !(await this.deps.appCreds.authenticate(appCred.id, secret))) {
          throw new Unauthenticated('Invalid application credential ID or secret');
        }
        this.setUser(ctx, user.id);
        ctx.appCredId = appCred.id;
        ctx.methods.unshift('application_credential');
      }
    }
  }

  /** The token method: exchange (rescope) a valid token, keeping its expiry and audit chain. */
  private async tokenMethod(payload: Obj, ctx: AuthContext, requestedScope: unknown): Promise<void> {
    const { token } = await this.deps.validator.resolve(String(payload['id']));
    const scope = obj(requestedScope);
    const projectOrDomain = 'project' in scope || 'domain' in scope;
    if (token.trust) {
      throw new ForbiddenAction('Using trust-scoped token to create another token. Create a new trust-scoped token instead');
    }
    if (token.system && projectOrDomain) {
      throw new ForbiddenAction('Using a system-scoped token to create a project-scoped or domain-scoped token is not allowed.');
    }
    if (token.appCred) {
      if (requestedScope !== undefined && (typeof requestedScope === 'string' || Object.keys(scope).length > 0)) {
        throw new ForbiddenAction('Using an application credential token to create a scoped token is not allowed.');
      }
      ctx.appCredId = token.appCred.id;
    }
    if (!this.deps.allowRescopeScopedToken && (token.project || token.domain || token.system)) {
      throw new ForbiddenAction('rescope a scoped token');
    }
    ctx.expiresAt = ctx.expiresAt === undefined ? token.expiresAt : Math.min(ctx.expiresAt, token.expiresAt);
    ctx.parentAuditId = token.parentAuditId ?? token.auditId;
    this.setUser(ctx, token.user.id);
    ctx.methods.unshift('token');
    ctx.methods.push(...token.payload.methods);
  }

  /** The user of a password or application credential payload (BaseUserInfo). */
  private async userFromPayload(payload: Obj): Promise<UserRef> {
    if (!('user' in payload)) throw new MissingAttribute('user', 'None');
    const info = obj(payload['user']);
    const id = str(info['id']);
    const name = str(info['name']);
    if (!id && !name) throw new MissingAttribute('id or name', 'user');
    let user: UserRef | undefined;
    if (name) {
      if (!('domain' in info)) throw new MissingAttribute('domain', 'user');
      const domain = await this.lookupDomain(obj(info['domain']));
      user = await this.deps.providers.findUserByName(name, domain.id);
    } else {
      user = await this.deps.providers.getUser(id as string);
      if (user) await this.lookupDomain({ id: user.domainId });
    }
    if (!user) throw new Unauthenticated(`Could not find user: ${name ?? id}.`);
    if (!user.enabled) throw new Unauthenticated(`User is disabled: ${user.id}`);
    return user;
  }

  private setUser(ctx: AuthContext, userId: string): void {
    if (ctx.userId !== undefined && ctx.userId !== userId) {
      throw new Unauthenticated(`Unable to reconcile identity attribute user_id as it has conflicting values ${userId} and ${ctx.userId}`);
    }
    ctx.userId = userId;
  }

  /** The user's default project, if it is usable and the user has a role on it. */
  private async defaultProject(userId: string): Promise<string | undefined> {
    const p = this.deps.providers;
    const user = await p.getUser(userId);
    if (!user) throw new Unauthenticated(`Could not find user: ${userId}.`);
    const projectId = await this.deps.defaultProjectId(user);
    if (!projectId) return undefined;
    const project = await p.getProject(projectId);
    if (!project || !project.enabled) return undefined;
    const domain = await p.getDomain(project.domainId);
    if (!domain || !domain.enabled) return undefined;
    return (await p.rolesOnProject(userId, projectId)).length > 0 ? projectId : undefined;
  }

  /** Multi-factor rules (user options multi_factor_auth_rules / _enabled), as UserMFARulesValidator. */
  private async checkMfaRules(userId: string, methods: string[]): Promise<void> {
    const user = await this.deps.providers.getUser(userId);
    if (!user) throw new Unauthenticated(`Could not find user: ${userId}.`);
    const rules = user.options['multi_factor_auth_rules'];
    if (user.options['multi_factor_auth_enabled'] === false || !Array.isArray(rules) || rules.length === 0) return;
    const loaded = new Set<string>(SUPPORTED_METHODS);
    let anyValid = false;
    for (const rule of rules) {
      if (!Array.isArray(rule) || rule.length === 0 || !rule.every((m) => typeof m === 'string')) continue;
      const wanted = [...new Set(rule as string[])].filter((m) => loaded.has(m));
      if (wanted.length === 0) continue;
      anyValid = true;
      if (wanted.every((m) => methods.includes(m))) return;
    }
    if (anyValid) throw new InsufficientAuthMethods(userId, methods);
  }
}

/** Errors that end an authentication attempt (for logging: not 5xx). */
export function isAuthFailure(err: unknown): boolean {
  return err instanceof NuboError && err.status < 500;
}
