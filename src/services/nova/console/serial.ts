/**
 * nova/console/serial.py's port range: [serial_console] port_range is MIN:MAX, the TCP ports a
 * compute host's guests' serial consoles listen on (one per guest). Nova picks a free one
 * itself; Nubo's qemu driver hands the range to QEMU (`port=MIN,to=MAX`), which binds the first
 * free one, so that two guests starting at once cannot be given the same port.
 */
import { ConfigError } from '../../../common/config/index.js';

export interface PortRange {
  min: number;
  max: number;
}

/** @throws ConfigError when `range` is not MIN:MAX with 1 <= MIN <= MAX <= 65535 */
export function parsePortRange(range: string, option = '[serial_console] port_range'): PortRange {
  const m = /^\s*(\d+):(\d+)\s*$/.exec(range);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max > 65535 || min > max) {
    throw new ConfigError(`${option} must be MIN:MAX with 1 <= MIN <= MAX <= 65535, not "${range}"`);
  }
  return { min, max };
}
