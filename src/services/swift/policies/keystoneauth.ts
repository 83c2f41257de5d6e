/**
 * keystoneauth (swift/common/middleware/keystoneauth.py), the parts that apply here: an account
 * is <reseller_prefix><project_id>; a user with the reseller admin role may act on every
 * account; a user of the account's project with one of the operator roles owns it; anyone
 * else is refused (403). Container ACLs (X-Container-Read/-Write) are stored but not
 * evaluated: a non-owner is refused even where an ACL would grant access.
 */
import type { RequestContext } from '../../../common/context.js';
import { Forbidden } from '../../../common/errors.js';

export interface KeystoneAuthOptions {
  resellerPrefix: string;
  operatorRoles: readonly string[];
  resellerAdminRole: string;
}

export type Access = 'reseller_admin' | 'owner';

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

  /** @throws Forbidden */
  authorize(ctx: RequestContext, account: string): Access {
    const roles = new Set(ctx.roles.map((r) => r.toLowerCase()));
    const project = this.projectOf(account);
    if (roles.has(this.opts.resellerAdminRole.toLowerCase())) return 'reseller_admin';
    if (project !== undefined && ctx.projectId === project && [...roles].some((r) => this.operators.has(r))) return 'owner';
    throw new Forbidden();
  }
}
