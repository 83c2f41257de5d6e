/**
 * A Nova worker service (nova/service.py's Service): the process of one binary on one host
 * (nova-conductor, nova-scheduler, nova-compute). It records itself in the services table,
 * serves its RPC endpoints on `<topic>` and `<topic>.<host>`, and writes a heartbeat every
 * [DEFAULT] report_interval seconds (nova's DB servicegroup driver).
 */
import type { RequestContext } from '../../common/context.js';
import { RpcServer } from '../../common/messaging/index.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import { novaDefaultGroup } from './config.js';
import type { ServiceRecord, ServiceRepo } from './db/services.js';
import { novaSerializer } from './rpc/serializer.js';

export interface WorkerServiceOptions {
  ctx: RoleContext;
  /** nova-conductor, nova-scheduler, nova-compute. */
  binary: string;
  topic: string;
  endpoints: object[];
  services: ServiceRepo;
  /** Requests served at once (nova's executor_thread_pool_size). */
  executorSize?: number;
  /** Runs once the service record exists, before the RPC server starts (compute: resource tracker). */
  beforeServe?(record: ServiceRecord): Promise<void>;
  /** Runs after the RPC server stopped. */
  afterStop?(): Promise<void>;
}

export class WorkerService implements RoleInstance {
  private server: RpcServer<RequestContext> | undefined;
  private record: ServiceRecord | undefined;

  constructor(private readonly o: WorkerServiceOptions) {}

  get serviceRecord(): ServiceRecord | undefined {
    return this.record;
  }

  async start(): Promise<void> {
    const { ctx } = this.o;
    this.record = await this.o.services.ensure(ctx.host, this.o.binary, this.o.topic);
    await this.o.beforeServe?.(this.record);
    this.server = new RpcServer<RequestContext>(ctx.transport, { topic: this.o.topic, server: ctx.host }, this.o.endpoints, {
      serializer: novaSerializer(), log: ctx.log, ...(this.o.executorSize ? { executorSize: this.o.executorSize } : {}),
      trace: { service: ctx.project.name, host: ctx.host },
    });
    await this.server.start();
    const id = this.record.id;
    // A heartbeat as soon as the service serves: whoever waits for it to be back after a
    // restart (the conductor's build recovery) sees it at once, not one report_interval later.
    await this.o.services.reportState(id);
    ctx.periodic.add({ name: `${this.o.binary}.report_state`, interval: ctx.config.get(novaDefaultGroup).report_interval, run: () => this.o.services.reportState(id) });
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    await this.o.afterStop?.();
  }
}
