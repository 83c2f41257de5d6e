/**
 * The `network-metering-agent` role: the metering agent of one host (`nubo serve
 * network-metering-agent --host NAME`, or per `[DEFAULT] hosts` entry in `nubo up` with the real
 * data plane, beside that host's L3 agent), from `[metering_agent]`, `[agent]` and the
 * notification options (`l3.meter` goes to `[oslo_messaging_notifications] topics` unless the
 * driver is noop).
 */
import { Notifier, osloMessagingNotificationsGroup } from '../../../../common/messaging/index.js';
import type { RoleContext, RoleInstance } from '../../../../common/service/project.js';
import { agentGroup, meteringAgentGroup } from '../../config.js';
import { MeteringAgent } from './metering-agent.js';

export interface MeteringAgentRoleInstance extends RoleInstance {
  agent: MeteringAgent;
}

export async function createMeteringAgent(ctx: RoleContext): Promise<MeteringAgentRoleInstance> {
  const a = ctx.config.get(agentGroup);
  const m = ctx.config.get(meteringAgentGroup);
  const { driver, topics } = ctx.config.get(osloMessagingNotificationsGroup);
  const agent = new MeteringAgent({
    transport: ctx.transport, host: ctx.host, log: ctx.log, periodic: ctx.periodic, stateReportInterval: a.report_interval, availabilityZone: a.availability_zone,
    measureInterval: m.measure_interval, reportInterval: m.report_interval, syncInterval: m.periodic_interval,
    notifier: driver === 'noop' ? undefined : new Notifier(ctx.transport, { publisherId: `metering.${ctx.host}`, topics: [...topics] }),
  });
  return { agent, start: () => agent.start(), stop: () => agent.stop() };
}
