/**
 * Keystone's internal event callbacks (upstream's notifications.register_event_callback).
 * Managers depend on the few managers below them (identity on resource, assignment on
 * identity, ...); effects in the other direction go through these events: a manager emits what
 * happened, and the managers that keep something about it register a callback in their
 * constructor (deleting a project removes its assignments, credentials, limits and trusts;
 * deleting a user its assignments, credentials, application credentials and trusts; changes
 * that invalidate tokens revoke them).
 */
export type KeystoneEventMap = {
  /** Password changed or reset: every token of the user issued before now is revoked. */
  'user.password_changed': [{ userId: string }];
  'user.disabled': [{ userId: string }];
  'user.deleted': [{ userId: string }];
  'project.disabled': [{ projectId: string }];
  'project.deleted': [{ projectId: string }];
  'domain.disabled': [{ domainId: string }];
  'domain.deleted': [{ domainId: string }];
  /** A role assignment went away (user on project/domain/system, or a whole group's). */
  'assignment.removed': [{ userId?: string; groupId?: string; projectId?: string; domainId?: string; system?: boolean; roleId: string }];
  'user.removed_from_group': [{ userId: string; groupId: string }];
  'role.deleted': [{ roleId: string }];
  /** Internal, before a domain is deleted: its groups and users are deleted (upstream's DOMAIN_DELETED). */
  'domain.deleting': [{ domainId: string }];
  /** A group was deleted; `memberIds` were its members. */
  'group.deleted': [{ groupId: string; memberIds: string[] }];
  'trust.deleted': [{ trustId: string }];
  /** Catalog entries and policy blobs deleted: their endpoint filter and endpoint policy associations go. */
  'endpoint.deleted': [{ endpointId: string }];
  'service.deleted': [{ serviceId: string }];
  'region.deleted': [{ regionId: string }];
  'policy.deleted': [{ policyId: string }];
  'application_credential.deleted': [{ id: string }];
};

type Handler<K extends keyof KeystoneEventMap> = (...args: KeystoneEventMap[K]) => Promise<void> | void;

/**
 * Keystone's internal event callbacks. `emit` awaits every handler, so a change that revokes
 * tokens (password change, role removal, disable) has taken effect before the API answers.
 */
export class KeystoneEvents {
  private readonly handlers = new Map<keyof KeystoneEventMap, Array<Handler<any>>>();

  on<K extends keyof KeystoneEventMap>(event: K, handler: Handler<K>): void {
    const list = this.handlers.get(event) ?? [];
    list.push(handler);
    this.handlers.set(event, list);
  }

  async emit<K extends keyof KeystoneEventMap>(event: K, ...args: KeystoneEventMap[K]): Promise<void> {
    for (const h of this.handlers.get(event) ?? []) await h(...args);
  }
}
