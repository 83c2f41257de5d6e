/**
 * addSecurityGroup and removeSecurityGroup (nova's SecurityGroupActionController): the group,
 * by name or id in the caller's project, is added to (taken off) every port of the server in
 * Neutron, and the server's recorded groups follow its ports; 202. An unknown group (or one the server does not have) is a 404, an ambiguous name
 * a 409, a port without port security or address a 400.
 */
import { BadRequest } from '../../../../common/errors.js';
import { updateInstanceMetadata } from '../../db/instance-system-metadata.js';
import { addToInstance, instanceSecurityGroups, removeFromInstance } from '../../network/security-groups.js';
import type { ActionCall, ServerAction } from './index.js';

/** _parse: the group name of the action's body. */
function groupName(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new BadRequest('Missing parameter dict');
  const name = (body as Record<string, unknown>)['name'];
  if (name === undefined) throw new BadRequest('Security group not specified');
  if (typeof name !== 'string' || name.trim() === '') throw new BadRequest('Security group name cannot be empty');
  return name;
}

function securityGroupAction(action: 'addSecurityGroup' | 'removeSecurityGroup', policy: string, change: typeof addToInstance): ServerAction {
  return {
    name: action,
    async run({ deps, caller: c, instance, body, reply }: ActionCall) {
      deps.policy.can(c.ctx, `os_compute_api:os-security-groups:${policy}`, { project_id: instance.data.project_id });
      const name = groupName(body);
      const client = deps.compute.network.clientFor(c.ctx);
      await change(client, instance.uuid, name, c.ctx.projectId ?? '');
      // the server's view shows the groups its ports now have (none after the last is removed)
      const names = [...new Set((await instanceSecurityGroups(client, instance.uuid)).map((g) => g.name))];
      await updateInstanceMetadata(deps.db, 'instance_system_metadata', instance.uuid, { security_groups: JSON.stringify(names) });
      return reply.code(202).send();
    },
  };
}

export const securityGroupActions: ServerAction[] = [
  securityGroupAction('addSecurityGroup', 'add', addToInstance),
  securityGroupAction('removeSecurityGroup', 'remove', removeFromInstance),
];
