/**
 * nova/api/openstack/identity.py verify_project_id: before a project is given access to a
 * private flavor, Keystone is asked for it with the caller's token. Only a 404 refuses it
 * (400); a 403 (the caller may not read projects) or Keystone out of reach lets it through,
 * as upstream does.
 */
import { BadRequest } from '../../../common/errors.js';
import type { IdentityClient } from '../../../common/clients/index.js';
import { ServiceClientError } from '../../../common/clients/session.js';
import type { RequestContext } from '../../../common/context.js';

export class ProjectVerifier {
  constructor(private readonly identity: IdentityClient, private readonly onSkip: (msg: string) => void = () => {}) {}

  /** @throws BadRequest when Keystone says the project does not exist */
  async verify(ctx: RequestContext, projectId: string): Promise<void> {
    if (!ctx.token) return;
    try {
      await this.identity.forUser(ctx.token).getProject(projectId);
    } catch (err) {
      if (err instanceof ServiceClientError && err.status === 404) throw new BadRequest(`Project ID ${projectId} is not a valid project.`);
      this.onSkip(`Unable to verify project ${projectId} with keystone: ${(err as Error).message}`);
    }
  }
}
