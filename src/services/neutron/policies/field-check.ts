/**
 * Neutron's `field:` check kind (neutron/policy.py FieldCheck): `field:networks:shared=True`
 * matches when the target's attribute has that value (`~regex` values match a regular
 * expression), registered with the policy engine as oslo's `register()` does.
 */
import { KindCheck, type Check, type CheckFactory, type Target } from '../../../common/policy/index.js';

function convertValue(value: string): unknown {
  if (value === 'True') return true;
  if (value === 'False') return false;
  return value;
}

class FieldCheck extends KindCheck implements Check {
  private readonly field: string;
  private readonly resource: string;
  private readonly value: unknown;
  private readonly regex: RegExp | undefined;

  constructor(kind: string, match: string) {
    super(kind, match);
    const colon = match.indexOf(':');
    this.resource = match.slice(0, colon);
    const fv = match.slice(colon + 1);
    const eq = fv.indexOf('=');
    this.field = fv.slice(0, eq);
    this.value = convertValue(fv.slice(eq + 1));
    this.regex = typeof this.value === 'string' && this.value.startsWith('~') ? new RegExp(`^(?:${this.value.slice(1)})`) : undefined;
  }

  evaluate(target: Target): boolean {
    let v = Object.hasOwn(target, this.field) ? target[this.field] : undefined;
    if (v === undefined && this.resource === 'networks' && this.field === 'shared') v = target['network:shared'];
    if (v === undefined || v === null) return false;
    if (this.regex) return this.regex.test(String(v));
    return v === this.value;
  }
}

export const neutronChecks: ReadonlyMap<string, CheckFactory> = new Map([['field', (kind: string, match: string) => new FieldCheck(kind, match)]]);
