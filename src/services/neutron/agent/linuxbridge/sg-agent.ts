/**
 * The security-group side of the Linux bridge agent (neutron/agent/securitygroups_rpc.py
 * SecurityGroupAgentRpc): new and updated devices get their filters (prepare_devices_filter)
 * before they are reported up, removed ones lose them (remove_devices_filter), and a
 * security_groups_rule_updated / member_updated cast refreshes every filtered device at once
 * (refresh_firewall), not on the next polling iteration, so a rule change is on the wire within
 * the time of one RPC and one iptables-restore. Each step asks the server with
 * security_group_info_for_devices (rpc/securitygroups.ts) and hands the answer to the firewall
 * driver (../firewall) in one deferred apply. Trusted ports (network:*) are not filtered.
 * Steps run one at a time; refreshes asked for while one waits share it.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { RpcClient, type Transport } from '../../../../common/messaging/index.js';
import { SECURITY_GROUP_RPC_VERSION, type SecurityGroupInfo } from '../../rpc/securitygroups.js';
import { TOPIC_PLUGIN } from '../../rpc/topics.js';
import { firewallInputs, syncFirewall } from '../firewall/sg-info.js';
import type { FirewallDriver } from '../firewall/types.js';
import { bridgeName } from '../linux/names.js';

export class SecurityGroupAgent {
  private readonly client: RpcClient;
  private queue: Promise<void> = Promise.resolve();
  private refreshQueued: Promise<void> | undefined;

  constructor(transport: Transport, readonly firewall: FirewallDriver, private readonly log: Logger) {
    this.client = new RpcClient(transport, { topic: TOPIC_PLUGIN, version: SECURITY_GROUP_RPC_VERSION });
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => {});
    return next;
  }

  private async info(devices: string[]): Promise<SecurityGroupInfo> {
    return this.client.call<SecurityGroupInfo>({}, 'security_group_info_for_devices', { devices });
  }

  /** Filters for the devices (new or updated); a device the server calls trusted is left unfiltered (its old filter goes). */
  prepareDevices(devices: string[]): Promise<void> {
    if (!devices.length) return Promise.resolve();
    return this.serial(async () => {
      const info = await this.info(devices);
      const filtered = new Set(Object.values(info.devices).map((d) => d.device));
      await this.firewall.deferApply(async () => {
        for (const d of devices) if (!filtered.has(d) && this.firewall.ports.has(d)) await this.firewall.removePortFilter(d);
        await syncFirewall(this.firewall, firewallInputs(info, bridgeName));
      });
    });
  }

  removeDevices(devices: string[]): Promise<void> {
    const known = devices.filter((d) => this.firewall.ports.has(d));
    if (!known.length) return Promise.resolve();
    return this.serial(() => this.firewall.deferApply(async () => { for (const d of known) await this.firewall.removePortFilter(d); }));
  }

  /** refresh_firewall: every filtered device re-read and re-applied (a cast came: rules or members changed). */
  refreshAll(): Promise<void> {
    this.refreshQueued ??= this.serial(async () => {
      this.refreshQueued = undefined;
      const devices = [...this.firewall.ports.keys()];
      if (!devices.length) return;
      await syncFirewall(this.firewall, firewallInputs(await this.info(devices), bridgeName));
    }).catch((err: unknown) => this.log.error({ err }, 'Linux bridge agent: refreshing the firewall failed'));
    return this.refreshQueued;
  }
}
