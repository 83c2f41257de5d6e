/**
 * The names Nubo gives what it makes in the kernel, as Neutron names them (Linux interface
 * names have at most 15 characters): the bridge of a network `brq` + 11 characters of its id,
 * a port's device `tap` + 11 of its id, a VXLAN device `vxlan-<vni>`, the namespace end of an
 * agent's port `ns-` (DHCP) / `qr-` `qg-` (L3), and the namespaces `qdhcp-<network id>` and
 * `qrouter-<router id>`. Cleanup finds Nubo's things by these prefixes.
 */
export const DEVICE_NAME_LEN = 11;

export const BRIDGE_PREFIX = 'brq';
export const TAP_PREFIX = 'tap';
export const VXLAN_PREFIX = 'vxlan-';
export const NS_DEVICE_PREFIX = 'ns-';
export const DHCP_NS_PREFIX = 'qdhcp-';
export const ROUTER_NS_PREFIX = 'qrouter-';

export const bridgeName = (networkId: string): string => `${BRIDGE_PREFIX}${networkId.slice(0, DEVICE_NAME_LEN)}`;
export const tapName = (portId: string): string => `${TAP_PREFIX}${portId.slice(0, DEVICE_NAME_LEN)}`;
/** The device inside an agent's namespace for the port (`ns-`, `qr-`, `qg-`). */
export const namespaceDeviceName = (prefix: string, portId: string): string => `${prefix}${portId.slice(0, DEVICE_NAME_LEN)}`;
export const vxlanName = (vni: number): string => `${VXLAN_PREFIX}${vni}`;
export const dhcpNamespace = (networkId: string): string => `${DHCP_NS_PREFIX}${networkId}`;
export const routerNamespace = (routerId: string): string => `${ROUTER_NS_PREFIX}${routerId}`;

/** The id prefix a tap device names (what get_device_details resolves). */
export const portIdPrefixOf = (device: string): string | undefined => (device.startsWith(TAP_PREFIX) ? device.slice(TAP_PREFIX.length) : undefined);
