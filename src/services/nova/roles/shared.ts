/**
 * What several of Nova's roles build the same way: the repositories over the project's
 * database (with instance.update on every save of a server while [notifications]
 * notify_on_state_change is set), the Placement report client, and the Image and Network APIs
 * over the service user's session.
 */
import type { Kysely } from 'kysely';
import { ImageClient, VolumeClient } from '../../../common/clients/index.js';
import type { RequestContext } from '../../../common/context.js';
import type { RoleContext } from '../../../common/service/project.js';
import { NovaRepos } from '../db/repos.js';
import type { NovaDB } from '../db/schema.js';
import { GlanceAPI } from '../image/glance.js';
import { NovaNetworkClient } from '../network/client.js';
import { InstanceUpdateNotifier } from '../notifications/instance-update.js';
import { NeutronAPI } from '../network/neutron.js';
import { PlacementClient } from '../scheduler/client/placement.js';
import { SchedulerReportClient } from '../scheduler/client/report.js';
import { CinderAPI } from '../volume/cinder.js';

export async function repositories(ctx: RoleContext): Promise<NovaRepos> {
  const repos = new NovaRepos((await ctx.database()).db as Kysely<NovaDB>);
  const updates = InstanceUpdateNotifier.fromConfig(ctx.transport, ctx.config, ctx.host, ctx.log);
  if (updates) repos.instances.observeSaves(updates.observer());
  return repos;
}

export function reportClient(ctx: RoleContext): SchedulerReportClient {
  return new SchedulerReportClient(new PlacementClient(ctx.session), ctx.log);
}

export function glanceApi(ctx: RoleContext): GlanceAPI {
  return new GlanceAPI(new ImageClient(ctx.session));
}

export function neutronApi(ctx: RoleContext, canAttachExternal?: (c: RequestContext) => boolean): NeutronAPI {
  return new NeutronAPI({ admin: new NovaNetworkClient(ctx.session), log: ctx.log, ...(canAttachExternal ? { canAttachExternal } : {}) });
}

export function cinderApi(ctx: RoleContext): CinderAPI {
  return new CinderAPI(new VolumeClient(ctx.session));
}
