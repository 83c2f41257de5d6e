/**
 * A Cinder worker service (cinder/service.py's Service): the process of one binary on one host
 * (cinder-scheduler; cinder-volume as `host@backend`). It records itself in the services
 * table, serves its RPC endpoints on `<topic>` and `<topic>.<host>` (fanout included), and
 * writes a heartbeat every report_interval seconds.
 */
import type { RequestContext } from '../../common/context.js';
import { RpcServer } from '../../common/messaging/index.js';
import type { RoleContext, RoleInstance } from '../../common/service/project.js';
import { cinderDefaultGroup, REPORT_INTERVAL } from './config.js';
import type { ServiceRecord } from './db/records.js';
import type { ServiceRepo } from './db/services.js';
import { cinderSerializer } from './rpc/serializer.js';

export interface WorkerServiceOptions {
  ctx: RoleContext;
  binary: string;
  topic: string;
  /** The service's host name (`host@backend` for a volume service). */
  host: string;
  endpoints: object[];
  services: ServiceRepo;
  beforeServe?(record: ServiceRecord): Promise<void>;
  afterServe?(record: ServiceRecord): Promise<void>;
  afterStop?(): Promise<void>;
}

export class WorkerService implements RoleInstance {
  private server: RpcServer<RequestContext> | undefined;

  constructor(private readonly o: WorkerServiceOptions) {}

  async start(): Promise<void> {
    const { ctx } = this.o;
    const zone = ctx.config.get(cinderDefaultGroup).storage_availability_zone;
    const record = await this.o.services.ensure(this.o.host, this.o.binary, this.o.topic, zone);
    await this.o.beforeServe?.(record);
    this.server = new RpcServer<RequestContext>(ctx.transport, { topic: this.o.topic, server: this.o.host }, this.o.endpoints, {
      serializer: cinderSerializer(), log: ctx.log, trace: { service: ctx.project.name, host: this.o.host },
    });
    await this.server.start();
    await this.o.services.reportState(record.id);
    ctx.periodic.add({ name: `${this.o.binary}.report_state`, interval: REPORT_INTERVAL, run: () => this.o.services.reportState(record.id) });
    await this.o.afterServe?.(record);
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
    await this.o.afterStop?.();
  }
}
