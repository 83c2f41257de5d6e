/**
 * QoS backend drivers and their manager (neutron/services/qos/drivers/manager.py, the
 * Linux bridge driver of neutron/services/qos/drivers/linuxbridge/driver.py). A driver
 * declares the rule types and parameter values its agents apply, and the VIF and VNIC types
 * of the ports it serves. The rule types the API offers are those every loaded driver
 * supports; a rule fits a port when a driver serving the port's binding supports it (an
 * unbound port is judged by its VNIC type), and fits a network when any driver supports it.
 * Drivers load with their mechanism driver: only `linuxbridge` has one here (the simulated
 * agent and `noop` apply no QoS).
 */
import { RULE_TYPE_BANDWIDTH_LIMIT, RULE_TYPE_DSCP_MARKING, type QosRule, type RuleTypeDriver, VALID_DIRECTIONS, VALID_DSCP_MARKS, VALID_RULE_TYPES } from '../../types/qos.js';

/** DB_INTEGER_MAX_VALUE */
export const DB_INTEGER_MAX_VALUE = 2 ** 31 - 1;

type ParameterCheck = { range: readonly [number, number] } | { values: readonly unknown[] };

export interface QosDriver {
  name: string;
  vifTypes: readonly string[];
  vnicTypes: readonly string[];
  /** rule type -> parameter -> the values it accepts. */
  supportedRules: Readonly<Record<string, Readonly<Record<string, ParameterCheck>>>>;
}

export const LINUXBRIDGE_QOS_DRIVER: QosDriver = {
  name: 'linuxbridge',
  vifTypes: ['bridge', 'tap'],
  vnicTypes: ['normal'],
  supportedRules: {
    [RULE_TYPE_BANDWIDTH_LIMIT]: {
      max_kbps: { range: [0, DB_INTEGER_MAX_VALUE] },
      max_burst_kbps: { range: [0, DB_INTEGER_MAX_VALUE] },
      direction: { values: VALID_DIRECTIONS },
    },
    [RULE_TYPE_DSCP_MARKING]: { dscp_mark: { values: VALID_DSCP_MARKS } },
  },
};

/** The QoS drivers of these mechanism drivers. */
export function qosDriversFor(mechanismDrivers: readonly string[]): QosDriver[] {
  return mechanismDrivers.includes('linuxbridge') ? [LINUXBRIDGE_QOS_DRIVER] : [];
}

/** What rule validation needs of a port: its binding. */
export interface PortBindingInfo {
  id: string;
  'binding:vif_type': string;
  'binding:vnic_type': string;
}

const SKIPPED_VIF_TYPES = ['unbound', 'binding_failed'];

function accepts(check: ParameterCheck, value: unknown): boolean {
  if ('range' in check) return typeof value === 'number' && value >= check.range[0] && value <= check.range[1];
  return check.values.includes(value);
}

export class QosDriverManager {
  constructor(readonly drivers: readonly QosDriver[]) {}

  private isRuleSupported(driver: QosDriver, rule: QosRule): boolean {
    const params = driver.supportedRules[rule.type];
    if (!params) return false;
    return Object.entries(params).every(([name, check]) => accepts(check, (rule as unknown as Record<string, unknown>)[name]));
  }

  /** supported_rule_types: the common subset of every driver's (none without drivers). */
  supportedRuleTypes(): string[] {
    if (this.drivers.length === 0) return [];
    return VALID_RULE_TYPES.filter((t) => this.drivers.every((d) => t in d.supportedRules));
  }

  /** supported_rule_type_details */
  ruleTypeDetails(ruleType: string): RuleTypeDriver[] {
    return this.drivers.filter((d) => ruleType in d.supportedRules).map((d) => ({
      name: d.name,
      supported_parameters: Object.entries(d.supportedRules[ruleType]!).map(([name, check]) => ('range' in check
        ? { parameter_name: name, parameter_values: { start: check.range[0], end: check.range[1] }, parameter_type: 'range' as const }
        : { parameter_name: name, parameter_values: [...check.values], parameter_type: 'choices' as const })),
    }));
  }

  validateRuleForPort(rule: QosRule, port: PortBindingInfo): boolean {
    const vifType = port['binding:vif_type'];
    return this.drivers.some((d) => {
      const serves = SKIPPED_VIF_TYPES.includes(vifType) ? d.vnicTypes.includes(port['binding:vnic_type']) : d.vifTypes.includes(vifType);
      return serves && this.isRuleSupported(d, rule);
    });
  }

  validateRuleForNetwork(rule: QosRule): boolean {
    return this.drivers.some((d) => this.isRuleSupported(d, rule));
  }
}
