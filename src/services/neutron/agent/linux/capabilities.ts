/**
 * May this process manage network namespaces: root, or CAP_NET_ADMIN (bit 12) with
 * CAP_SYS_ADMIN (bit 21, for `ip netns add`'s mount) in its effective capabilities, and
 * iproute2 on the PATH.
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

function effectiveCapabilities(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

/** Why namespaces cannot be managed here, or undefined when they can (synchronous: `nubo up` decides its roles with it). */
export function namespaceSupportProblem(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const caps = effectiveCapabilities();
  const root = process.getuid?.() === 0;
  if (!root && !((caps >> CAP_NET_ADMIN) & 1n && (caps >> CAP_SYS_ADMIN) & 1n)) return 'the process is neither root nor holds CAP_NET_ADMIN and CAP_SYS_ADMIN';
  try {
    execFileSync('ip', ['-json', 'netns', 'list'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
  } catch (err) {
    return `iproute2 cannot list namespaces: ${(err as Error).message}`;
  }
  return undefined;
}
