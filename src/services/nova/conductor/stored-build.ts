/**
 * A build request rebuilt from what the database keeps of it, for a build whose messages were
 * lost (conductor/recovery.ts) or whose compute host stopped during it (compute/manager.ts
 * init_host): the request spec (with the requested networks, which Nubo persists), the block
 * device mappings, and the request id of the server's create action, so that the events of the
 * new attempt go to that action and its log lines carry that id.
 *
 * Not kept, so not redone: the admin password and the personality files of the request (nova
 * never stores them either); a guest built from a stored request gets neither.
 */
import { RequestContext } from '../../../common/context.js';
import { InstanceAction } from '../compute/instance-actions.js';
import type { NovaRepos } from '../db/repos.js';
import type { Instance, RequestSpec } from '../objects/index.js';
import type { ScheduleAndBuildArgs } from './rpcapi.js';

/** The port ids the user gave in the request (a clean-up unbinds them, never deletes them). */
export function userPortsOf(spec: RequestSpec | undefined): string[] {
  return userPortsIn(spec?.data.requested_networks);
}

/** The ports a request named (`networks: [{port: ...}]`): theirs to keep when the server goes. */
export function userPortsIn(requested: RequestSpec['data']['requested_networks'] | undefined): string[] {
  return (requested?.objects ?? []).map((r) => r.data.port_id).filter((p): p is string => Boolean(p));
}

/** Why the stored request of a server cannot be built again, or null when it can. */
export function whyNotRebuildable(spec: RequestSpec | undefined): string | null {
  if (!spec) return 'it has no request spec';
  if (!spec.data.requested_networks) return 'its request spec does not record the networks asked for';
  return null;
}

/** The context of a new attempt: the request id of the server's create action. */
export async function createRequestContext(repos: NovaRepos, instanceUuid: string): Promise<RequestContext> {
  const create = await repos.actions.latest(instanceUuid, InstanceAction.CREATE);
  return RequestContext.internal(create?.request_id ?? `req-${instanceUuid}`);
}

/**
 * The schedule_and_build_instances arguments of servers of one request (same stored networks and
 * image), each with its spec and block device mappings; the specs must be rebuildable.
 */
export async function storedBuildArgs(repos: NovaRepos, servers: ReadonlyArray<{ instance: Instance; spec: RequestSpec }>): Promise<ScheduleAndBuildArgs> {
  const first = servers[0]!.spec;
  const bdms = [];
  for (const s of servers) bdms.push(await repos.bdms.byInstance(s.instance.uuid));
  return {
    instances: servers.map((s) => s.instance), request_specs: servers.map((s) => s.spec), image: first.data.image, admin_password: null,
    injected_files: [], requested_networks: first.data.requested_networks!, block_device_mapping: bdms, tags: [],
  };
}
