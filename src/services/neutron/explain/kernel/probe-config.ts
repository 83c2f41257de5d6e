/**
 * The kernel probes as this process's configuration places them: readable only when the Linux
 * data plane runs here (`[data_plane] enabled` and the right to manage namespaces), the agent
 * hosts' namespaces from `[data_plane] host_namespace`, the DHCP files under
 * `[dhcp_agent] dhcp_confs` (default <data_dir>/dhcp), as the agents' roles place them.
 */
import { resolve } from 'node:path';
import { type Config, defaultGroup } from '../../../../common/config/index.js';
import { dataPlaneChoice, hostNamespaceOf } from '../../agent/data-plane.js';
import { dhcpAgentGroup } from '../../config.js';
import { KernelProbes } from './probes.js';

export function kernelProbesFromConfig(config: Config): KernelProbes {
  const choice = dataPlaneChoice(config);
  const confs = config.get(dhcpAgentGroup).dhcp_confs;
  return new KernelProbes({
    problem: choice.real ? undefined : choice.reason.replace(/^network data plane: /, 'the data plane is '),
    hostNamespace: (host) => hostNamespaceOf(config, host),
    dhcpConfDir: confs ? resolve(confs) : resolve(config.get(defaultGroup).data_dir, 'dhcp'),
  });
}
