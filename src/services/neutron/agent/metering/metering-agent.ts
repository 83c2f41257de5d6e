/**
 * The metering agent (neutron/services/metering/agents/metering_agent.py
 * MeteringAgentWithStateReport, non-granular): it meters the routers the server gives it for
 * this host (those its L3 agent runs) with the iptables driver. It syncs fully at start and
 * every periodic_interval (_sync_routers_task: get_sync_data_metering), follows the server's
 * casts in between, and every measure_interval reads the labels' counters into per-label
 * totals (pkts, bytes, time, first_update, last_update); every report_interval it sends one
 * `l3.meter` notification per label (publisher `metering.<host>`) and starts the totals over,
 * dropping labels not updated within the report interval. Driver work runs one at a time.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { type MessageContext, type Notifier, RpcClient, type Transport } from '../../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../../common/service/periodic.js';
import { AGENT_TYPE_METERING, TOPIC_METERING_AGENT, TOPIC_METERING_PLUGIN, VERSIONS } from '../../rpc/topics.js';
import type { MeteringRouter } from '../../types/metering.js';
import { AgentRuntime, type MeteringAgentHandlers } from '../agent-base.js';
import { IptablesMeteringDriver, type TrafficCounter } from './iptables-driver.js';

export const METERING_AGENT_BINARY = 'neutron-metering-agent';
export const METERING_DRIVER = 'neutron.services.metering.drivers.iptables.iptables_driver.IptablesMeteringDriver';

export interface MeteringAgentOptions {
  transport: Transport;
  host: string;
  log: Logger;
  periodic: PeriodicTasks;
  /** [agent] report_interval: the heartbeat. */
  stateReportInterval: number;
  availabilityZone: string;
  measureInterval: number;
  reportInterval: number;
  syncInterval: number;
  /** Where l3.meter goes (the notifications topics); none: measured but not sent. */
  notifier: Notifier | undefined;
  /** Seconds since the epoch (timeutils.utcnow_ts); tests may step it. */
  now?: () => number;
}

/** One label's totals since the last report (metering_infos). */
export interface MeteringInfo {
  pkts: number;
  bytes: number;
  time: number;
  first_update: number;
  last_update: number;
}

/** The l3.meter payload. project_id as Zed sends it; tenant_id too, which Ceilometer's meter definitions read. */
export interface MeterPayload extends MeteringInfo {
  label_id: string;
  project_id: string | undefined;
  tenant_id: string | undefined;
  host: string;
}

class MeteringEndpoint implements MeteringAgentHandlers {
  constructor(private readonly a: MeteringAgent) {}
  async router_deleted(_ctx: MessageContext, args: { router_id: string }): Promise<void> { await this.a.routerDeleted(args.router_id); }
  async routers_updated(_ctx: MessageContext, args: { routers?: MeteringRouter[] }): Promise<void> { await this.a.routersUpdated(args.routers); }
  async add_metering_label(_ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void> { await this.a.routersUpdated(args.routers ?? []); }
  async remove_metering_label(_ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void> {
    await this.a.serial(async () => { await this.a.measure(); await this.a.driver.removeLabels(args.routers ?? []); });
  }
  async add_metering_label_rule(_ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void> { await this.a.serial(() => this.a.driver.changeRule(args.routers ?? [], 'add')); }
  async remove_metering_label_rule(_ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void> { await this.a.serial(() => this.a.driver.changeRule(args.routers ?? [], 'remove')); }
  async update_metering_label_rules(_ctx: MessageContext, args: { routers: MeteringRouter[] }): Promise<void> { await this.a.serial(() => this.a.driver.updateRules(args.routers ?? [])); }
}

export class MeteringAgent {
  readonly runtime: AgentRuntime;
  readonly driver: IptablesMeteringDriver;
  /** Routers as the server last gave them (their project is their labels' project in reports). */
  private readonly routers = new Map<string, MeteringRouter>();
  readonly infos = new Map<string, MeteringInfo>();
  private readonly client: RpcClient;
  private lastReport = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly o: MeteringAgentOptions) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
    this.driver = new IptablesMeteringDriver(o.log);
    this.client = new RpcClient(o.transport, { topic: TOPIC_METERING_PLUGIN, version: VERSIONS.meteringPlugin });
    this.runtime = new AgentRuntime(o.transport, {
      binary: METERING_AGENT_BINARY, host: o.host, topic: TOPIC_METERING_AGENT, agentType: AGENT_TYPE_METERING, availabilityZone: o.availabilityZone,
      configurations: () => ({ metering_driver: METERING_DRIVER, measure_interval: o.measureInterval, report_interval: o.reportInterval }),
    }, { kind: 'metering', handlers: new MeteringEndpoint(this) }, o.stateReportInterval, o.periodic);
  }

  async start(): Promise<void> {
    await this.runtime.start((err) => this.o.log.warn({ err }, 'metering agent: Failed reporting state! (neutron-server not reachable yet)'));
    this.o.periodic.add({ name: `metering _sync_routers_task@${this.o.host}`, interval: this.o.syncInterval, run: () => this.sync() });
    this.o.periodic.add({ name: `metering _metering_loop@${this.o.host}`, interval: this.o.measureInterval, run: () => this.meteringLoop() });
    void this.sync(); // the first full sync; start does not wait for the server
  }

  async stop(): Promise<void> {
    await this.runtime.stop();
    await this.queue.catch(() => undefined);
  }

  /** _invoke_driver under its lock: one driver operation at a time, failures logged. */
  serial<T>(work: () => Promise<T>): Promise<T | undefined> {
    const next = this.queue.then(work).catch((err: unknown) => {
      this.o.log.error({ err }, 'metering agent: operation failed');
      return undefined;
    });
    this.queue = next;
    return next;
  }

  /** _sync_routers_task: exactly the server's routers of this host, with their labels. */
  sync(): Promise<void> {
    return this.serial(async () => {
      const routers = await this.client.prepare({}).call<MeteringRouter[] | null>({}, 'get_sync_data_metering', { host: this.o.host })
        .catch((err: unknown) => { throw new Error(`Failed synchronizing routers: ${String((err as Error)?.message ?? err)}`); });
      const given = routers ?? [];
      this.routers.clear();
      for (const r of given) this.routers.set(r.id, r);
      await this.driver.updateRouters(given);
    }) as Promise<void>;
  }

  /** routers_updated (none given: a full sync) and add_metering_label: routers with all their labels. */
  async routersUpdated(routers: MeteringRouter[] | undefined): Promise<void> {
    if (!routers?.length) return this.sync();
    await this.serial(async () => {
      for (const r of routers) this.routers.set(r.id, r);
      await this.driver.addLabels(routers);
    });
  }

  async routerDeleted(id: string): Promise<void> {
    await this.serial(async () => {
      await this.measure();
      this.routers.delete(id);
      await this.driver.removeRouter(id);
    });
  }

  /** _add_metering_infos: the counters read since the last time, added to each label's totals. */
  async measure(): Promise<void> {
    const counters = await this.driver.trafficCounters();
    for (const [id, c] of counters) this.addInfo(id, c);
  }

  private addInfo(labelId: string, c: TrafficCounter): void {
    const ts = this.now();
    const info = this.infos.get(labelId) ?? { pkts: 0, bytes: 0, time: 0, first_update: ts, last_update: ts };
    info.pkts += c.pkts;
    info.bytes += c.bytes;
    info.time += ts - info.last_update;
    info.last_update = ts;
    this.infos.set(labelId, info);
  }

  /** _metering_loop: namespaces synced, counters measured, and a report when report_interval has passed. */
  async meteringLoop(): Promise<void> {
    await this.serial(async () => {
      await this.driver.syncNamespaces();
      await this.measure();
    });
    const ts = this.now();
    if (ts - this.lastReport >= this.o.reportInterval) {
      await this.report();
      this.lastReport = ts;
    }
  }

  /** _metering_notification then _purge_metering_info. */
  private async report(): Promise<void> {
    for (const [labelId, info] of this.infos) {
      const project = this.projectOf(labelId);
      const payload: MeterPayload = { ...info, label_id: labelId, project_id: project, tenant_id: project, host: this.o.host };
      await this.o.notifier?.info({}, 'l3.meter', payload).catch((err: unknown) => this.o.log.warn({ err }, 'metering agent: l3.meter not sent'));
      info.pkts = 0;
      info.bytes = 0;
      info.time = 0;
    }
    const deadline = this.now() - this.o.reportInterval;
    for (const [id, info] of this.infos) if (info.last_update < deadline) this.infos.delete(id);
  }

  /** label_project_id: the project of a router the label is on (for a shared label, the last such router's). */
  private projectOf(labelId: string): string | undefined {
    let project: string | undefined;
    for (const r of this.routers.values()) if (r._metering_labels.some((l) => l.id === labelId)) project = r.project_id;
    return project;
  }
}
