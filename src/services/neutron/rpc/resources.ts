/**
 * The resources pull RPC (neutron/api/rpc/handlers/resources_rpc.py ResourcesPullRpcCallback,
 * q-plugin, no namespace): agents pull the QoS policy a port has, as an oslo.versionedobjects
 * primitive of QosPolicy 1.10 with its rules (QosBandwidthLimitRule, QosDscpMarkingRule,
 * QosMinimumBandwidthRule). Other resource types are not served (CallbackNotFound upstream).
 */
import type { MessageContext } from '../../../common/messaging/index.js';
import { NeutronContext } from '../common/context.js';
import type { QosPolicyManager } from '../managers/qos/policies.js';
import { type QosRule, RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING, RULE_TYPE_MINIMUM_BANDWIDTH } from '../types/qos.js';
import { stringArg } from './args.js';
import type { RpcArgs } from './payloads.js';

/** An oslo.versionedobjects primitive. */
export interface ObjectPrimitive {
  'versioned_object.name': string;
  'versioned_object.namespace': 'versionedobjects';
  'versioned_object.version': string;
  'versioned_object.data': Record<string, unknown>;
}

const RULE_OBJECTS: Readonly<Record<string, [name: string, version: string]>> = {
  [RULE_TYPE_BANDWIDTH_LIMIT]: ['QosBandwidthLimitRule', '1.3'],
  [RULE_TYPE_DSCP_MARKING]: ['QosDscpMarkingRule', '1.3'],
  [RULE_TYPE_MINIMUM_BANDWIDTH]: ['QosMinimumBandwidthRule', '1.3'],
};

/** The rule type of a rule primitive, by its object name. */
export function ruleTypeOfObject(name: string): string | undefined {
  return Object.entries(RULE_OBJECTS).find(([, [n]]) => n === name)?.[0];
}

function primitive(name: string, version: string, data: Record<string, unknown>): ObjectPrimitive {
  return { 'versioned_object.name': name, 'versioned_object.namespace': 'versionedobjects', 'versioned_object.version': version, 'versioned_object.data': data };
}

function rulePrimitive(rule: QosRule): ObjectPrimitive {
  const [name, version] = RULE_OBJECTS[rule.type]!;
  const { type: _type, ...data } = rule;
  return primitive(name, version, data);
}

export class ResourcesPullRpcCallback {
  readonly target = { version: '1.1' };

  constructor(private readonly policies: QosPolicyManager) {}

  async pull(_ctx: MessageContext, args: RpcArgs): Promise<ObjectPrimitive | null> {
    const type = stringArg(args, 'resource_type');
    if (type !== 'QosPolicy') return null;
    const p = await this.policies.get(NeutronContext.admin(), stringArg(args, 'resource_id')).catch(() => undefined);
    if (!p) return null;
    return primitive('QosPolicy', '1.10', {
      id: p.id, project_id: p.project_id, name: p.name, shared: p.shared, is_default: p.is_default, rules: p.rules.map(rulePrimitive),
    });
  }
}
