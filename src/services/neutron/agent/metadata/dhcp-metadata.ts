/**
 * Metadata for isolated networks (the DHCP agent's enable_isolated_metadata,
 * neutron/agent/dhcp/agent.py configure_isolated_metadata_proxy): when a served network has an
 * IPv4 subnet no router serves, its `qdhcp-` namespace gets 169.254.169.254/32 on the DHCP
 * port's device and a namespace proxy (ns-proxy.ts) listening on 169.254.169.254:80 that names
 * the network (X-Neutron-Network-ID) to the metadata agent; dnsmasq hands out the route to
 * 169.254.169.254 through the DHCP port (dnsmasq-config.ts). Once every subnet has a router,
 * the proxy goes (the router's proxy answers). A hook of the DHCP agent (DhcpNetworkExtension).
 * The device's addresses are rewritten when the network is reconfigured: the proxy binds with
 * ip_nonlocal_bind on, so it keeps listening while 169.254.169.254 is put back.
 */
import { servedSubnets, routedSubnets } from '../dhcp/dnsmasq-config.js';
import type { DhcpNetworkExtension } from '../dhcp/dhcp-agent.js';
import { METADATA_ADDRESS } from '../l3/nat-rules.js';
import { execute } from '../linux/exec.js';
import { IpAddr } from '../linux/ip-addr.js';
import { dhcpNamespace } from '../linux/names.js';
import type { ProcessMonitor } from '../linux/process-monitor.js';
import type { NetworkInfo } from '../../rpc/payloads.js';
import { NETWORK_ID_HEADER, NsMetadataProxyDriver } from './ns-proxy.js';

export class IsolatedMetadataProxies implements DhcpNetworkExtension {
  private driver: NsMetadataProxyDriver | undefined;

  /** `stateDir`: where the proxies' pid files go (not the DHCP agent's conf dir, whose subdirectories are networks). */
  constructor(private readonly stateDir: string, private readonly socketPath: string) {}

  /** Does the network need the proxy: an IPv4 subnet with DHCP and no router. */
  static isolated(info: NetworkInfo): boolean {
    const routed = routedSubnets(info);
    return servedSubnets(info).some((s) => s.ip_version === 4 && !routed.has(s.id));
  }

  async configured(info: NetworkInfo, _port: unknown, device: string, monitor: ProcessMonitor): Promise<void> {
    this.driver ??= new NsMetadataProxyDriver(this.stateDir, this.socketPath, monitor);
    const ns = dhcpNamespace(info.id);
    if (!IsolatedMetadataProxies.isolated(info)) {
      await this.driver.destroy({ uuid: info.id, namespace: ns });
      return;
    }
    await execute('sysctl', ['-q', '-w', 'net.ipv4.ip_nonlocal_bind=1'], { namespace: ns });
    await new IpAddr(ns).add(`${METADATA_ADDRESS}/32`, device);
    await this.driver.spawn({ uuid: info.id, header: NETWORK_ID_HEADER, namespace: ns, listenHost: METADATA_ADDRESS, listenPort: 80 });
  }

  async disabled(networkId: string): Promise<void> {
    await this.driver?.destroy({ uuid: networkId, namespace: dhcpNamespace(networkId) });
  }
}
