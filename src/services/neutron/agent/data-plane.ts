/**
 * Which data plane `nubo up` runs: the Linux bridge and DHCP agents (real bridges, taps, VXLAN,
 * namespaces and dnsmasq) when `[data_plane] enabled` is set AND the process may manage network
 * namespaces, otherwise the simulated L2 agent.
 *
 * The simulated one stays the default, because the real one is neither free nor always safe in
 * an all-in-one: it changes kernel state that outlives the process (namespaces and dnsmasq
 * processes survive a kill -9 until `nubo netns cleanup`), it needs root and Debian's dnsmasq,
 * and Nova's fake virt driver plugs no tap device, so with the real L2 agent a booted server's
 * port would never go ACTIVE (the agent reports only devices it finds). The real agents are for
 * an operator who asks for them, and for `nubo serve network-l2-agent|network-dhcp-agent`.
 */
import type { Config } from '../../../common/config/index.js';
import { dataPlaneGroup } from '../config.js';
import { namespaceSupportProblem } from './linux/capabilities.js';
import { ensureNamespace } from './linux/netns.js';

export interface DataPlaneChoice {
  real: boolean;
  /** One line for the start-up log. */
  reason: string;
}

let cachedProblem: { value: string | undefined } | undefined;

/** The namespace check, made once per process. */
function problem(): string | undefined {
  cachedProblem ??= { value: namespaceSupportProblem() };
  return cachedProblem.value;
}

export function dataPlaneChoice(config: Config): DataPlaneChoice {
  if (!config.get(dataPlaneGroup).enabled) {
    return { real: false, reason: 'network data plane: simulated ([data_plane] enabled = false; set it as root for the Linux bridge and DHCP agents)' };
  }
  const p = problem();
  if (p) return { real: false, reason: `network data plane: simulated, although [data_plane] enabled is set: ${p}` };
  return { real: true, reason: 'network data plane: Linux bridge and DHCP agents in network namespaces ([data_plane] enabled)' };
}

/** The namespace that plays an agent host's root namespace (`{host}` replaced), or undefined for the process's own. */
export function hostNamespaceOf(config: Config, host: string): string | undefined {
  const template = config.get(dataPlaneGroup).host_namespace.trim();
  return template ? template.replaceAll('{host}', host) : undefined;
}

/** start/stop of an agent role on a host namespace: the namespace is made before the agent starts. */
export function hostAgentLifecycle(hostNamespace: string | undefined, agent: { start(): Promise<void>; stop(): Promise<void> }): { start(): Promise<void>; stop(): Promise<void> } {
  return {
    start: async () => {
      if (hostNamespace) await ensureNamespace(hostNamespace);
      await agent.start();
    },
    stop: () => agent.stop(),
  };
}
