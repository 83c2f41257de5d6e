/**
 * keystoneauth (swift/common/middleware/keystoneauth.py): an account is
 * <reseller_prefix><project_id>; a user with the reseller admin role may act on every account;
 * a user of the account's project with one of the operator roles owns it. Anyone else gets
 * what the container's ACLs grant:
 *  - X-Container-Read: `.r:*` lets everyone (also without a token) read objects, with
 *    `.rlistings` list the container too; `<project_id>:<user_id>`, `<project_id>:*`,
 *    `*:<user_id>`, `*:*` and role names let those users read and list;
 *  - X-Container-Write: the same user and role items let them write objects.
 * Everything else is refused: 401 without a token, 403 with one. Referrer ACLs other than
 * `.r:*` (host names, `-` exclusions) are not evaluated.
 */
import type { RequestContext } from '../../../common/context.js';
import { Forbidden, Unauthorized } from '../../../common/errors.js';

export interface KeystoneAuthOptions {
  resellerPrefix: string;
  operatorRoles: readonly string[];
  resellerAdminRole: string;
}

export type Access = 'reseller_admin' | 'owner' | 'acl' | 'public';

/** What a request does to a container, for its ACLs. */
export type AclOperation = 'read' | 'listing' | 'write';

export interface ContainerAcls {
  read?: string;
  write?: string;
}

function items(acl: string | undefined): string[] {
  return (acl ?? '').split(',').map((i) => i.trim()).filter(Boolean);
}

export class KeystoneAuth {
  private readonly operators: Set<string>;

  constructor(private readonly opts: KeystoneAuthOptions) {
    this.operators = new Set(opts.operatorRoles.map((r) => r.toLowerCase()));
  }

  /** The project an account belongs to, or undefined when it is not one of ours. */
  projectOf(account: string): string | undefined {
    return account.startsWith(this.opts.resellerPrefix) && account.length > this.opts.resellerPrefix.length
      ? account.slice(this.opts.resellerPrefix.length) : undefined;
  }

  /** The reseller admin or the account's owner, else undefined. */
  ownerAccess(ctx: RequestContext, account: string): Access | undefined {
    if (!ctx.auth) return undefined;
    const roles = new Set(ctx.roles.map((r) => r.toLowerCase()));
    if (roles.has(this.opts.resellerAdminRole.toLowerCase())) return 'reseller_admin';
    const project = this.projectOf(account);
    if (project !== undefined && ctx.projectId === project && [...roles].some((r) => this.operators.has(r))) return 'owner';
    return undefined;
  }

  /** 401 for an anonymous caller, 403 for anyone else. */
  denied(ctx: RequestContext): Error {
    return ctx.auth ? new Forbidden() : new Unauthorized();
  }

  /** Account-wide operations: the owner or the reseller admin only. @throws Unauthorized | Forbidden */
  authorize(ctx: RequestContext, account: string): Access {
    const access = this.ownerAccess(ctx, account);
    if (!access) throw this.denied(ctx);
    return access;
  }

  /** What a container's ACLs allow a caller who does not own the account. @throws Unauthorized | Forbidden */
  authorizeAcl(ctx: RequestContext, op: AclOperation, acls: ContainerAcls): Access {
    const read = items(acls.read);
    if (op !== 'write' && read.includes('.r:*') && (op === 'read' || read.includes('.rlistings'))) return 'public';
    if (ctx.auth) {
      const granted = op === 'write' ? items(acls.write) : read;
      const user = ctx.userId ?? '';
      const project = ctx.projectId ?? '';
      const names = new Set([`${project}:${user}`, `${project}:*`, `*:${user}`, '*:*']);
      if (ctx.auth.projectName !== undefined) names.add(`${ctx.auth.projectName}:${ctx.auth.userName}`);
      const roles = new Set(ctx.roles.map((r) => r.toLowerCase()));
      if (granted.some((g) => names.has(g) || (!g.includes(':') && !g.startsWith('.') && roles.has(g.toLowerCase())))) return 'acl';
    }
    throw this.denied(ctx);
  }
}
