/**
 * The worker roles of Nova as services on the bus: nova-conductor, nova-scheduler and
 * nova-compute (one per host), each a WorkerService with its manager as RPC endpoint.
 */
import type { Kysely } from 'kysely';
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import type { NovaDB } from '../db/schema.js';
import { ServiceRepo } from '../db/services.js';
import { COMPUTE_TOPIC, CONDUCTOR_TOPIC, SCHEDULER_TOPIC } from '../rpc/topics.js';
import { WorkerService } from '../service.js';

async function database(ctx: RoleContext): Promise<Kysely<NovaDB>> {
  return (await ctx.database()).db as Kysely<NovaDB>;
}

export async function createConductor(ctx: RoleContext): Promise<RoleInstance> {
  const db = await database(ctx);
  return new WorkerService({ ctx, binary: 'nova-conductor', topic: CONDUCTOR_TOPIC, endpoints: [], services: new ServiceRepo(db) });
}

export async function createScheduler(ctx: RoleContext): Promise<RoleInstance> {
  const db = await database(ctx);
  return new WorkerService({ ctx, binary: 'nova-scheduler', topic: SCHEDULER_TOPIC, endpoints: [], services: new ServiceRepo(db) });
}

export async function createCompute(ctx: RoleContext): Promise<RoleInstance> {
  const db = await database(ctx);
  return new WorkerService({ ctx, binary: 'nova-compute', topic: COMPUTE_TOPIC, endpoints: [], services: new ServiceRepo(db) });
}
