/** The weighers by the names [filter_scheduler] weight_classes uses ("all": every one). */
import { OperatorError } from '../../../../common/errors.js';
import { softAffinityWeigher, softAntiAffinityWeigher } from './affinity.js';
import type { Weigher } from './base.js';
import { cpuWeigher } from './cpu.js';
import { diskWeigher } from './disk.js';
import { ioOpsWeigher } from './io-ops.js';
import { ramWeigher } from './ram.js';

export { weighHosts, type WeighedHost, type Weigher } from './base.js';

export interface WeigherMultipliers {
  ram: number;
  cpu: number;
  disk: number;
  ioOps: number;
  softAffinity: number;
  softAntiAffinity: number;
}

export function enabledWeighers(names: readonly string[], m: WeigherMultipliers): Weigher[] {
  const all: Weigher[] = [
    ramWeigher(m.ram), cpuWeigher(m.cpu), diskWeigher(m.disk), ioOpsWeigher(m.ioOps),
    softAffinityWeigher(m.softAffinity), softAntiAffinityWeigher(m.softAntiAffinity),
  ];
  if (names.includes('all')) return all;
  return names.map((name) => {
    const found = all.find((w) => w.name === name);
    if (!found) throw new OperatorError(`[filter_scheduler] weight_classes: unknown weigher "${name}"; known: all, ${all.map((w) => w.name).join(', ')}`);
    return found;
  });
}
