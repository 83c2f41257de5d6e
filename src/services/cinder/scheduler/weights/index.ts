/** The weighers by the names [DEFAULT] scheduler_default_weighers gives them. */
import { OperatorError } from '../../../../common/errors.js';
import type { Weigher } from './base.js';
import { CapacityWeigher } from './capacity-weigher.js';

export function enabledWeighers(names: readonly string[], multipliers: { capacity: number }): Weigher[] {
  return names.map((n) => {
    if (n === 'CapacityWeigher') return new CapacityWeigher(multipliers.capacity);
    throw new OperatorError(`unknown scheduler weigher "${n}"; known: CapacityWeigher`);
  });
}

export { weighPools, type Weigher } from './base.js';
