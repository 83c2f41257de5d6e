/**
 * The names the L3 agent gives what it makes, as neutron-l3-agent does (router_info.py,
 * iptables_manager.py with binary name `neutron-l3-agent`): kept here, in one place, so the
 * explainer's probes follow the agent if it names things otherwise.
 */
import { DEVICE_NAME_LEN, routerNamespace } from '../../agent/linux/names.js';

export const INTERNAL_DEV_PREFIX = 'qr-';
export const EXTERNAL_DEV_PREFIX = 'qg-';
/** iptables_manager's wrap name: the binary name, at most 16 characters. */
export const L3_WRAP_NAME = 'neutron-l3-agent';

/** The namespace of a legacy router. */
export const qrouterNamespace = (routerId: string): string => routerNamespace(routerId);
export const internalDevice = (portId: string): string => `${INTERNAL_DEV_PREFIX}${portId.slice(0, DEVICE_NAME_LEN)}`;
export const externalDevice = (portId: string): string => `${EXTERNAL_DEV_PREFIX}${portId.slice(0, DEVICE_NAME_LEN)}`;

/** nat-table chains: SNAT of the internal subnets (`-o qg-X -j SNAT --to-source GW`). */
export const SNAT_CHAIN = `${L3_WRAP_NAME}-snat`;
/** Floating IP DNAT in (`-d FIP/32 -j DNAT --to-destination FIXED`). */
export const DNAT_CHAIN = `${L3_WRAP_NAME}-PREROUTING`;
/** Floating IP SNAT out (`-s FIXED/32 -j SNAT --to-source FIP`). */
export const FLOAT_SNAT_CHAIN = `${L3_WRAP_NAME}-float-snat`;
