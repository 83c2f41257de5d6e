/**
 * A token validator for tests: tokens registered by name with what they say about their bearer,
 * and, unregistered, the shorthand `<project>:<role>,<role>` (`proj-a:member,reader`) for a
 * project-scoped token of user `user-<project>`. Anything else is 401.
 */
import type { TokenInfo, TokenValidator } from '../auth/token-info.js';
import { Unauthorized } from '../errors.js';

/** A project-scoped caller. */
export interface Persona {
  project: string;
  roles: string[];
  user?: string;
}

export class FakeTokens implements TokenValidator {
  private readonly tokens = new Map<string, TokenInfo>();

  /** Register `name` as a token with these attributes (project scope unless said otherwise). */
  register(name: string, info: Partial<TokenInfo> & { userId: string; roles: string[] }): string {
    const now = Date.now();
    this.tokens.set(name, {
      userName: info.userId, userDomainId: 'default', userDomainName: 'Default', system: false, roleIds: info.roles,
      methods: ['password'], expiresAt: new Date(now + 3600_000).toISOString(), issuedAt: new Date(now).toISOString(),
      auditIds: ['test'], isAdminProject: true, ...info,
    });
    return name;
  }

  /** Register `name` as a project-scoped token of a persona. */
  persona(name: string, p: Persona): string {
    const user = p.user ?? `user-${p.project}`;
    return this.register(name, {
      userId: user, userName: user, projectId: p.project, projectName: p.project, projectDomainId: 'default', projectDomainName: 'Default', roles: p.roles,
    });
  }

  async validate(token: string): Promise<TokenInfo> {
    const known = this.tokens.get(token);
    if (known) return known;
    const [project, roles, ...rest] = token.split(':');
    if (!project || roles === undefined || rest.length > 0) throw new Unauthorized('The token is not valid.');
    this.persona(token, { project, roles: roles.split(',').filter(Boolean) });
    return this.tokens.get(token)!;
  }
}
