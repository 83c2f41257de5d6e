/**
 * QoS policies on networks and ports (neutron/core_extensions/qos.py and the QoS plugin's
 * port and network callbacks): `qos_policy_id` as a network or port shows and takes it, a
 * port's own policy winning over its network's (`qos_network_policy_id`), a new network
 * taking its project's default policy when it names none, and the checks of attaching: the
 * caller must see the policy (QosPolicyNotFound), may only replace a policy it can see
 * (PolicyRemoveAuthorizationError), and every rule must be supported for the port's binding
 * or the network by the loaded QoS drivers (QosRuleNotSupported, QosRuleNotSupportedByNetwork).
 * The checks run inside the caller's transaction, so a refused policy changes nothing.
 */
import type { NeutronContext } from '../../common/context.js';
import type { Db } from '../../db/store.js';
import { PolicyRemoveAuthorizationError, QosPolicyNotFound, QosRuleNotSupported, QosRuleNotSupportedByNetwork } from '../../errors.js';
import type { QosRule } from '../../types/qos.js';
import { qosPolicyVisible } from '../visibility.js';
import type { PortBindingInfo, QosDriverManager } from './drivers.js';
import { rulesOf } from './rule-store.js';

/** What the port checks need of a port. */
export interface QosPortInfo extends PortBindingInfo {
  network_id: string;
}

export class QosBindings {
  constructor(readonly drivers: QosDriverManager) {}

  /** network id -> its policy. */
  async networkPolicies(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('qos_network_policy_bindings').selectAll().where('network_id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.network_id, r.policy_id]));
  }

  /** port id -> its own policy. */
  async portPolicies(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await db.selectFrom('qos_port_policy_bindings').selectAll().where('port_id', 'in', [...ids]).execute();
    return new Map(rows.map((r) => [r.port_id, r.policy_id]));
  }

  /** QosPolicy.get_policy_obj with the caller's context: the policy if it may see it. */
  private async visiblePolicy(tx: Db, ctx: NeutronContext, policyId: string): Promise<string> {
    let qb = tx.selectFrom('qos_policies').select('qos_policies.id').where('qos_policies.id', '=', policyId);
    if (!ctx.unscoped) qb = qb.where(qosPolicyVisible(ctx));
    if (!(await qb.executeTakeFirst())) throw new QosPolicyNotFound(policyId);
    return policyId;
  }

  /** _check_policy_change_permission: only a policy the caller sees can be taken off. */
  private async checkRemovable(tx: Db, ctx: NeutronContext, policyId: string): Promise<void> {
    if (ctx.unscoped) return;
    const seen = await tx.selectFrom('qos_policies').select('id').where('id', '=', policyId).where(qosPolicyVisible(ctx)).executeTakeFirst();
    if (!seen) throw new PolicyRemoveAuthorizationError(policyId);
  }

  private async rules(tx: Db, policyId: string): Promise<QosRule[]> {
    return (await rulesOf(tx, [policyId])).get(policyId) ?? [];
  }

  /** validate_policy_for_port */
  async validateForPort(tx: Db, policyId: string, port: PortBindingInfo): Promise<void> {
    for (const rule of await this.rules(tx, policyId)) {
      if (!this.drivers.validateRuleForPort(rule, port)) throw new QosRuleNotSupported(rule.type, port.id);
    }
  }

  /** validate_policy_for_network */
  async validateForNetwork(tx: Db, policyId: string, networkId: string): Promise<void> {
    for (const rule of await this.rules(tx, policyId)) {
      if (!this.drivers.validateRuleForNetwork(rule)) throw new QosRuleNotSupportedByNetwork(rule.type, networkId);
    }
  }

  /** _create_network_policy plus _validate_create_network_callback. */
  async createNetwork(tx: Db, ctx: NeutronContext, networkId: string, projectId: string, requested: string | null | undefined): Promise<void> {
    let policyId = requested ?? undefined;
    if (!policyId) {
      const def = await tx.selectFrom('qos_policies_default').select('qos_policy_id').where('project_id', '=', projectId).executeTakeFirst();
      policyId = def?.qos_policy_id;
      if (!policyId) return;
    } else {
      await this.visiblePolicy(tx, ctx, policyId);
    }
    await tx.insertInto('qos_network_policy_bindings').values({ network_id: networkId, policy_id: policyId }).execute();
    await this.validateForNetwork(tx, policyId, networkId);
  }

  /** _update_network_policy plus _validate_update_network_callback (the network's ports without their own policy too). */
  async updateNetwork(tx: Db, ctx: NeutronContext, networkId: string, requested: string | null): Promise<void> {
    const old = (await this.networkPolicies(tx, [networkId])).get(networkId);
    if (old) {
      await this.checkRemovable(tx, ctx, old);
      await tx.deleteFrom('qos_network_policy_bindings').where('network_id', '=', networkId).execute();
    }
    if (requested === null) return;
    await this.visiblePolicy(tx, ctx, requested);
    await tx.insertInto('qos_network_policy_bindings').values({ network_id: networkId, policy_id: requested }).execute();
    if (requested === old) return;
    await this.validateForNetwork(tx, requested, networkId);
    const ports = await tx.selectFrom('ports').leftJoin('qos_port_policy_bindings as b', 'b.port_id', 'ports.id')
      .select(['ports.id', 'ports.binding_vif_type', 'ports.binding_vnic_type']).where('ports.network_id', '=', networkId).where('b.policy_id', 'is', null).execute();
    for (const p of ports) await this.validateForPort(tx, requested, { id: p.id, 'binding:vif_type': p.binding_vif_type, 'binding:vnic_type': p.binding_vnic_type });
  }

  /** A new port: its own policy attached, then _validate_create_port_callback on the policy it ends up with. */
  async createPort(tx: Db, ctx: NeutronContext, port: QosPortInfo, requested: string | null | undefined): Promise<void> {
    if (requested) {
      await this.visiblePolicy(tx, ctx, requested);
      await tx.insertInto('qos_port_policy_bindings').values({ port_id: port.id, policy_id: requested }).execute();
    }
    const effective = requested || (await this.networkPolicies(tx, [port.network_id])).get(port.network_id);
    if (effective) await this.validateForPort(tx, effective, port);
  }

  /** _update_port_policy plus _validate_update_port_callback. */
  async updatePort(tx: Db, ctx: NeutronContext, port: QosPortInfo, requested: string | null): Promise<void> {
    const old = (await this.portPolicies(tx, [port.id])).get(port.id);
    if (old) {
      await this.checkRemovable(tx, ctx, old);
      await tx.deleteFrom('qos_port_policy_bindings').where('port_id', '=', port.id).execute();
    }
    if (requested === null) return;
    await this.visiblePolicy(tx, ctx, requested);
    await tx.insertInto('qos_port_policy_bindings').values({ port_id: port.id, policy_id: requested }).execute();
    if (requested !== old) await this.validateForPort(tx, requested, port);
  }

  /** _get_ports_with_policy: ports bound to the policy, and ports without their own on networks bound to it. */
  async portsWithPolicy(db: Db, policyId: string): Promise<Array<{ id: string; binding_vif_type: string; binding_vnic_type: string }>> {
    const own = db.selectFrom('ports').innerJoin('qos_port_policy_bindings as b', 'b.port_id', 'ports.id')
      .select(['ports.id', 'ports.binding_vif_type', 'ports.binding_vnic_type']).where('b.policy_id', '=', policyId);
    const viaNetwork = db.selectFrom('ports').innerJoin('qos_network_policy_bindings as nb', 'nb.network_id', 'ports.network_id')
      .leftJoin('qos_port_policy_bindings as pb', 'pb.port_id', 'ports.id')
      .select(['ports.id', 'ports.binding_vif_type', 'ports.binding_vnic_type']).where('nb.policy_id', '=', policyId).where('pb.policy_id', 'is', null);
    return [...await own.execute(), ...await viaNetwork.execute()];
  }

  /** validate_policy: every port the policy applies to, and every network bound to it, supports its rules. */
  async validatePolicy(tx: Db, policyId: string): Promise<void> {
    for (const p of await this.portsWithPolicy(tx, policyId)) {
      await this.validateForPort(tx, policyId, { id: p.id, 'binding:vif_type': p.binding_vif_type, 'binding:vnic_type': p.binding_vnic_type });
    }
  }
}
