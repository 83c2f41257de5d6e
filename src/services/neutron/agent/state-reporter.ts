/**
 * The agent side of heartbeats (neutron/agent/rpc.PluginReportStateAPI plus the agents'
 * _report_state loops): every `report_interval` seconds the agent casts report_state to
 * q-reports-plugin with its binary, host, topic, type and configurations; the first report
 * carries start_flag. The server answers calls with new / alive / revived.
 */
import { type MessageContext, RpcClient, type Transport } from '../../../common/messaging/index.js';
import type { PeriodicTasks } from '../../../common/service/periodic.js';
import { TOPIC_REPORTS, VERSIONS } from '../rpc/topics.js';
import type { AgentState } from '../types/agent.js';
import type { JsonObject } from '../types/common.js';

export interface AgentIdentity {
  binary: string;
  host: string;
  topic: string;
  agentType: string;
  availabilityZone?: string;
  /** Current configuration and counters, sent with every report. */
  configurations(): JsonObject;
}

/** The time format of report_state (ISO8601_TIME_FORMAT with microseconds). */
export function reportTime(d = new Date()): string {
  return d.toISOString().replace('Z', '').replace(/\.(\d{3})$/, '.$1000');
}

export class StateReporter {
  private readonly client: RpcClient;
  private started = false;

  constructor(transport: Transport, private readonly agent: AgentIdentity, private readonly intervalSeconds: number, private readonly ctx: MessageContext = {}) {
    this.client = new RpcClient(transport, { topic: TOPIC_REPORTS, version: VERSIONS.state }, { timeout: intervalSeconds });
  }

  private state(): AgentState & { uuid: string } {
    const s: AgentState & { uuid: string } = {
      binary: this.agent.binary,
      host: this.agent.host,
      topic: this.agent.topic,
      agent_type: this.agent.agentType,
      configurations: this.agent.configurations(),
      uuid: crypto.randomUUID(),
    };
    if (this.agent.availabilityZone) s.availability_zone = this.agent.availabilityZone;
    if (!this.started) s.start_flag = true;
    return s;
  }

  /** One report; `call` waits for the server's answer (new / alive / revived). */
  async report(call = false): Promise<string | undefined> {
    const args = { agent_state: { agent_state: this.state() }, time: reportTime() };
    const result = call ? await this.client.call<string>(this.ctx, 'report_state', args) : (await this.client.cast(this.ctx, 'report_state', args), undefined);
    this.started = true;
    return result;
  }

  /**
   * Reports now (as a call), then every interval (as casts) as a periodic task of the agent's
   * role; a failed report is logged by the task and the next one comes on time. A failed first
   * report throws, unless `onFirstFailure` takes it (the agent then starts, as upstream's
   * agents do when the server is not up yet, and reports again on the interval).
   */
  async start(periodic: PeriodicTasks, onFirstFailure?: (err: unknown) => void): Promise<void> {
    try {
      await this.report(true);
    } catch (err) {
      if (!onFirstFailure) throw err;
      onFirstFailure(err);
    }
    periodic.add({ name: `report_state ${this.agent.binary}@${this.agent.host}`, interval: this.intervalSeconds, run: async () => { await this.report(); } });
  }
}
