/**
 * Neutron's exceptions (neutron_lib.exceptions and the extension exceptions), named as
 * upstream: the class name is the `type` of the `NeutronError` body, so clients and Tempest
 * that match on it see the same thing as with Neutron. Messages are upstream's.
 */
import { BadRequest, Conflict, Forbidden, NotFound, NuboError, ServiceUnavailable } from '../../common/errors.js';
import { displayValue } from '../../common/display.js';

// --- generic -----------------------------------------------------------------------------

/** webob's HTTPBadRequest: the generic 400 of the API layer. */
export class HTTPBadRequest extends BadRequest {}
export class HTTPNotFound extends NotFound {}
export class HTTPConflict extends Conflict {}

export class InvalidInput extends BadRequest {
  constructor(errorMessage: string) {
    super(`Invalid input for operation: ${errorMessage}.`);
  }
}

/** neutron_lib BadRequest: "Bad <resource> request: <msg>." */
export class NeutronBadRequest extends BadRequest {
  constructor(resource: string, msg: string) {
    super(`Bad ${resource} request: ${msg}.`);
    this.name = 'BadRequest';
  }
}

export class InUse extends Conflict {}

export class OverQuota extends Conflict {
  constructor(overs: string[]) {
    super(`Quota exceeded for resources: ${JSON.stringify(overs).replace(/"/g, "'")}.`);
  }
}

/** 412 from an `If-Match: revision_number=N` that does not match. */
export class RevisionNumberConstraintFailed extends NuboError {
  constructor(expected: number, current: number) {
    super(412, 'Precondition Failed', `Constrained to ${expected}, but current revision is ${current}`);
  }
}

export class TagNotFound extends NotFound {
  constructor(tag: string) {
    super(`Tag ${tag} could not be found.`);
  }
}

export class ExtensionsNotFound extends NotFound {
  constructor(extensions: string[]) {
    super(`Extensions not found: ${JSON.stringify(extensions).replace(/"/g, "'")}.`);
  }
}

// --- networks, subnets, ports ------------------------------------------------------------

export class NetworkNotFound extends NotFound {
  constructor(netId: string) {
    super(`Network ${netId} could not be found.`);
  }
}

export class SubnetNotFound extends NotFound {
  constructor(subnetId: string) {
    super(`Subnet ${subnetId} could not be found.`);
  }
}

export class PortNotFound extends NotFound {
  constructor(portId: string) {
    super(`Port ${portId} could not be found.`);
  }
}

export class NetworkInUse extends InUse {
  constructor(netId: string, reason = 'There are one or more ports still in use on the network') {
    super(`Unable to complete operation on network ${netId}. ${reason}.`);
  }
}

export class SubnetInUse extends InUse {
  constructor(subnetId: string, reason = 'One or more ports have an IP allocation from this subnet') {
    super(`Unable to complete operation on subnet ${subnetId}: ${reason}.`);
  }
}

export class PortInUse extends InUse {
  constructor(portId: string, netId: string, deviceId: string) {
    super(`Unable to complete operation on port ${portId} for network ${netId}. Port already has an attached device ${deviceId}.`);
  }
}

export class MacAddressInUse extends InUse {
  constructor(netId: string, mac: string) {
    super(`Unable to complete operation for network ${netId}. The mac address ${mac} is in use.`);
  }
}

export class IpAddressInUse extends InUse {
  constructor(netId: string, ip: string) {
    super(`Unable to complete operation for network ${netId}. The IP address ${ip} is in use.`);
  }
}

export class InvalidIpForNetwork extends BadRequest {
  constructor(ip: string) {
    super(`IP address ${ip} is not a valid IP for any of the subnets on the specified network.`);
  }
}

export class InvalidIpForSubnet extends BadRequest {
  constructor(ip: string) {
    super(`IP address ${ip} is not a valid IP for the specified subnet.`);
  }
}

export class IpAddressGenerationFailure extends Conflict {
  constructor(netId: string) {
    super(`No more IP addresses available on network ${netId}.`);
  }
}

export class VlanIdInUse extends InUse {
  constructor(vlanId: number, physnet: string) {
    super(`Unable to create the network. The VLAN ${vlanId} on physical network ${physnet} is in use.`);
  }
}

export class TunnelIdInUse extends InUse {
  constructor(tunnelId: number) {
    super(`Unable to create the network. The tunnel ID ${tunnelId} is in use.`);
  }
}

export class FlatNetworkInUse extends InUse {
  constructor(physnet: string) {
    super(`Unable to create the flat network. Physical network ${physnet} is in use.`);
  }
}

export class NoNetworkAvailable extends ServiceUnavailable {
  constructor() {
    super('Unable to create the network. No project network is available for allocation.');
  }
}

export class InvalidAllocationPool extends BadRequest {
  constructor(pool: string) {
    super(`The allocation pool ${pool} is not valid.`);
  }
}

export class OverlappingAllocationPools extends Conflict {
  constructor(pool1: string, pool2: string, cidr: string) {
    super(`Found overlapping allocation pools: ${pool1} ${pool2} for subnet ${cidr}.`);
  }
}

export class OutOfBoundsAllocationPool extends BadRequest {
  constructor(pool: string, cidr: string) {
    super(`The allocation pool ${pool} spans beyond the subnet cidr ${cidr}.`);
  }
}

export class GatewayConflictWithAllocationPools extends InUse {
  constructor(ip: string, pool: string) {
    super(`Gateway ip ${ip} conflicts with allocation pool ${pool}.`);
  }
}

export class GatewayIpInUse extends InUse {
  constructor(ip: string, portId: string) {
    super(`Current gateway ip ${ip} already in use by port ${portId}. Unable to update.`);
  }
}

export class HostRoutesExhausted extends BadRequest {
  constructor(subnetId: string, quota: number) {
    super(`Unable to complete operation for ${subnetId}. The number of host routes exceeds the limit ${quota}.`);
  }
}

export class DNSNameServersExhausted extends BadRequest {
  constructor(subnetId: string, quota: number) {
    super(`Unable to complete operation for ${subnetId}. The number of DNS nameservers exceeds the limit ${quota}.`);
  }
}

export class InvalidSharedSetting extends Conflict {
  constructor(network: string) {
    super(`Unable to reconfigure sharing settings for network ${network}. Multiple projects are using it.`);
  }
}

export class NetworkMTUSubnetConflict extends Conflict {
  constructor(netId: string, mtu: number) {
    super(`MTU of ${netId} is not valid, subnet requires a minimum of ${mtu}`);
  }
}

/** neutron_lib NotAuthorized (403). */
export class NotAuthorized extends Forbidden {
  constructor() {
    super('Not authorized.');
  }
}

export class InvalidSubnetServiceType extends BadRequest {
  constructor(serviceType: string) {
    super(`Subnet service type ${serviceType} does not correspond to a valid device owner.`);
  }
}

/** auto_allocate's DefaultExternalNetworkExists. */
export class DefaultExternalNetworkExists extends Conflict {
  constructor(netId: string) {
    super(`A default external network already exists: ${netId}.`);
  }
}

/** auto_allocate's AutoAllocationFailure. */
export class AutoAllocationFailure extends Conflict {
  constructor(reason: string) {
    super(`Deployment error: ${reason}.`);
  }
}

export class ExternalNetworkInUse extends InUse {
  constructor(netId: string) {
    super(`External network ${netId} cannot be updated to be made non-external, since it has existing gateway ports.`);
  }
}

export class SegmentsSetInConjunctionWithProviders extends InvalidInput {
  constructor() {
    super('Segments and provider values cannot both be set');
  }
}

export class SegmentsContainDuplicateEntry extends InvalidInput {
  constructor() {
    super('Duplicate segment entry in request');
  }
}

export class ServicePortInUse extends InUse {
  constructor(portId: string, reason: string) {
    super(`Port ${portId} cannot be deleted directly via the port API: ${reason}.`);
  }
}

export class PortBound extends InUse {
  constructor(portId: string, vifType: string, oldMac: string, newMac: string) {
    super(`Unable to complete operation on port ${portId}, port is already bound, port type: ${vifType}, old_mac ${oldMac}, new_mac ${newMac}.`);
  }
}

export class AllowedAddressPairsMissingIP extends InvalidInput {
  constructor() {
    super('AllowedAddressPair must contain ip_address');
  }
}

export class AddressPairAndPortSecurityRequired extends Conflict {
  constructor() {
    super('Port Security must be enabled in order to have allowed address pairs on a port.');
  }
}

export class DuplicateAddressPairInRequest extends InvalidInput {
  constructor(mac: string, ip: string) {
    super(`Request contains duplicate address pair: mac_address ${mac} ip_address ${ip}`);
  }
}

export class AllowedAddressPairExhausted extends BadRequest {
  constructor(quota: number) {
    super(`The number of allowed address pair exceeds the maximum ${quota}.`);
  }
}

export class PortSecurityPortHasSecurityGroup extends InUse {
  constructor() {
    super('Port has security group associated. Cannot disable port security or IP address until security group is removed.');
  }
}

export class PortSecurityAndIPRequiredForSecurityGroups extends InvalidInput {
  constructor() {
    super('Port security must be enabled and port must have an IP address in order to use security groups');
  }
}

export class AvailabilityZoneNotFound extends NotFound {
  constructor(az: string) {
    super(`AvailabilityZone ${az} could not be found.`);
  }
}

// --- subnet pools, address scopes ---------------------------------------------------------

export class SubnetPoolNotFound extends NotFound {
  constructor(id: string) {
    super(`Subnet pool ${id} could not be found.`);
  }
}

export class SubnetPoolInUse extends InUse {
  constructor(id: string, reason = 'Two or more concurrent subnets allocated') {
    super(`Unable to complete operation on subnet pool ${id}. ${reason}.`);
  }
}

export class SubnetAllocationError extends Conflict {
  constructor(reason: string) {
    super(`Failed to allocate subnet: ${reason}.`);
  }
}

export class EmptySubnetPoolPrefixList extends BadRequest {
  constructor() {
    super('Empty subnet pool prefix list.');
  }
}

export class PrefixVersionMismatch extends BadRequest {
  constructor() {
    super('Cannot mix IPv4 and IPv6 prefixes in a subnet pool.');
  }
}

export class IllegalSubnetPoolPrefixBounds extends BadRequest {
  constructor(prefixType: string, prefixlen: number, baseType: string, baseLen: number) {
    super(`Illegal prefix bounds: ${prefixType}=${prefixlen}, ${baseType}=${baseLen}.`);
  }
}

export class IllegalSubnetPoolPrefixUpdate extends BadRequest {
  constructor(msg: string) {
    super(`Illegal update to prefixes: ${msg}.`);
  }
}

export class IllegalSubnetPoolUpdate extends BadRequest {
  constructor(reason: string) {
    super(`Illegal subnetpool update : ${reason}.`);
  }
}

export class MinPrefixSubnetAllocationError extends BadRequest {
  constructor(prefixlen: number, min: number) {
    super(`Unable to allocate subnet with prefix length ${prefixlen}, minimum allowed prefix is ${min}.`);
  }
}

export class MaxPrefixSubnetAllocationError extends BadRequest {
  constructor(prefixlen: number, max: number) {
    super(`Unable to allocate subnet with prefix length ${prefixlen}, maximum allowed prefix is ${max}.`);
  }
}

export class SubnetPoolQuotaExceeded extends Conflict {
  constructor() {
    super('Per-project subnet pool prefix quota exceeded.');
  }
}

export class AddressScopeNotFound extends NotFound {
  constructor(id: string) {
    super(`Address scope ${id} could not be found.`);
  }
}

export class AddressScopeInUse extends InUse {
  constructor(id: string) {
    super(`Unable to complete operation on address scope ${id}. There are one or more subnet pools in use on the address scope.`);
  }
}

// --- QoS (neutron_lib.exceptions.qos) ---------------------------------------------------

export class QosPolicyNotFound extends NotFound {
  constructor(policyId: string) {
    super(`QoS policy ${policyId} could not be found.`);
  }
}

export class QosRuleNotFound extends NotFound {
  constructor(policyId: string, ruleId: string) {
    super(`QoS rule ${ruleId} for policy ${policyId} could not be found.`);
  }
}

export class QoSPolicyDefaultAlreadyExists extends Conflict {
  constructor(projectId: string) {
    super(`A default QoS policy exists for project ${projectId}.`);
  }
}

export class QosPolicyInUse extends InUse {
  constructor(policyId: string, objectType: string, objectId: string) {
    super(`QoS Policy ${policyId} is used by ${objectType} ${objectId}.`);
  }
}

export class QosRuleNotSupported extends Conflict {
  constructor(ruleType: string, portId: string) {
    super(`Rule ${ruleType} is not supported by port ${portId}`);
  }
}

export class QosRuleNotSupportedByNetwork extends Conflict {
  constructor(ruleType: string, networkId: string) {
    super(`Rule ${ruleType} is not supported by network ${networkId}`);
  }
}

export class QoSRuleParameterConflict extends Conflict {
  constructor(ruleValue: unknown, policyId: string, existingRule: string, existingValue: unknown) {
    super(`Unable to add the rule with value ${displayValue(ruleValue)} to the policy ${policyId} as the existing rule of type ${existingRule} has value ${displayValue(existingValue)}.`);
  }
}

export class QoSRulesConflict extends Conflict {
  constructor(newRuleType: string, ruleId: string, policyId: string) {
    super(`Rule ${newRuleType} conflicts with rule ${ruleId} which already exists in QoS Policy ${policyId}.`);
  }
}

export class PolicyRemoveAuthorizationError extends Forbidden {
  constructor(policyId: string) {
    super(`Failed to remove provided policy ${policyId} because you are not authorized.`);
  }
}

// --- address groups (neutron_lib/exceptions/address_group.py) -----------------------------

/** A Python list of strings as upstream's messages show it: ['10.0.0.0/24', '10.1.0.5/32']. */
function pyList(items: readonly string[]): string {
  return `[${items.map((i) => `'${i}'`).join(', ')}]`;
}

export class AddressGroupNotFound extends NotFound {
  constructor(id: string) {
    super(`Address group ${id} could not be found.`);
  }
}

export class AddressGroupInUse extends InUse {
  constructor(id: string) {
    super(`Address group ${id} is in use on one or more security group rules.`);
  }
}

export class AddressesNotFound extends NotFound {
  constructor(addresses: readonly string[], id: string) {
    super(`Addresses ${pyList(addresses)} not found in the address group ${id}.`);
  }
}

/** A BadRequest upstream (400), not a conflict. */
export class AddressesAlreadyExist extends BadRequest {
  constructor(addresses: readonly string[], id: string) {
    super(`Addresses ${pyList(addresses)} already exist in the address group ${id}.`);
  }
}

export class AddressScopeUpdateError extends BadRequest {
  constructor(id: string, reason: string) {
    super(`Unable to update address scope ${id} : ${reason}.`);
  }
}

export class AddressScopePrefixConflict extends Conflict {
  constructor() {
    super('Failed to associate address scope: subnetpools within an address scope must have unique prefixes.');
  }
}

export class IllegalSubnetPoolIpVersionAssociationToAddressScope extends BadRequest {
  constructor(poolId: string, scopeId: string, ipVersion: number) {
    super(`Illegal subnetpool association: subnetpool ${poolId} cannot associate with address scope ${scopeId} because subnetpool ip_version is not ${ipVersion}.`);
  }
}

// --- routers, floating IPs ------------------------------------------------------------------

export class RouterNotFound extends NotFound {
  constructor(routerId: string) {
    super(`Router ${routerId} could not be found`);
  }
}

export class RouterInUse extends InUse {
  constructor(routerId: string, reason = 'still has ports') {
    super(`Router ${routerId} ${reason}`);
  }
}

export class RouterInterfaceNotFound extends NotFound {
  constructor(routerId: string, portId: string) {
    super(`Router ${routerId} does not have an interface with id ${portId}`);
  }
}

export class RouterInterfaceNotFoundForSubnet extends NotFound {
  constructor(routerId: string, subnetId: string) {
    super(`Router ${routerId} has no interface on subnet ${subnetId}`);
  }
}

export class RouterInterfaceInUseByFloatingIP extends InUse {
  constructor(routerId: string, subnetId: string) {
    super(`Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`);
  }
}

export class RouterExternalGatewayInUseByFloatingIp extends InUse {
  constructor(routerId: string, netId: string) {
    super(`Gateway cannot be updated for router ${routerId}, since a gateway to external network ${netId} is required by one or more floating IPs.`);
  }
}

export class FloatingIPNotFound extends NotFound {
  constructor(id: string) {
    super(`Floating IP ${id} could not be found`);
  }
}

export class ExternalGatewayForFloatingIPNotFound extends NotFound {
  constructor(extNetId: string, subnetId: string, portId: string) {
    super(`External network ${extNetId} is not reachable from subnet ${subnetId}.  Therefore, cannot associate Port ${portId} with a Floating IP.`);
  }
}

export class FloatingIPPortAlreadyAssociated extends InUse {
  constructor(fipAddress: string, fipId: string, portId: string, fixedIp: string, netId: string) {
    super(`Cannot associate floating IP ${fipAddress} (${fipId}) with port ${portId} using fixed IP ${fixedIp}, as that fixed IP already has a floating IP on external network ${netId}.`);
  }
}

export class FipAssociated extends InUse {
  constructor(portId: string, fipId: string) {
    super(`Unable to complete operation on port ${portId} because it is associated with floating IP ${fipId}.`);
    this.name = 'FipAssociated';
  }
}

export class PortForwardingNotFound extends NotFound {
  constructor(id: string) {
    super(`Port Forwarding ${id} could not be found.`);
  }
}

export class FipInUseByPortForwarding extends InUse {
  constructor(id: string) {
    super(`Floating IP ${id} in use by Port Forwarding resources.`);
  }
}

// --- security groups ------------------------------------------------------------------------

export class SecurityGroupNotFound extends NotFound {
  constructor(id: string) {
    super(`Security group ${id} does not exist`);
  }
}

export class SecurityGroupRuleNotFound extends NotFound {
  constructor(id: string) {
    super(`Security group rule ${id} does not exist`);
  }
}

export class SecurityGroupInUse extends InUse {
  constructor(id: string, reason = 'in use') {
    super(`Security Group ${id} ${reason}.`);
  }
}

export class SecurityGroupCannotRemoveDefault extends InUse {
  constructor() {
    super('Insufficient rights for removing default security group.');
  }
}

export class SecurityGroupCannotUpdateDefault extends InUse {
  constructor() {
    super('Updating default security group not allowed.');
  }
}

export class SecurityGroupDefaultAlreadyExists extends InUse {
  constructor() {
    super('Default security group already exists.');
  }
}

export class SecurityGroupRuleExists extends InUse {
  constructor(ruleId: string) {
    super(`Security group rule already exists. Rule id is ${ruleId}.`);
  }
}

export class SecurityGroupRuleInvalidProtocol extends InvalidInput {
  constructor(protocol: unknown, values: string) {
    super(`Security group rule protocol ${displayValue(protocol)} not supported. Only protocol values ${values} and integer representations [0 to 255] are supported`);
  }
}

export class SecurityGroupInvalidPortRange extends InvalidInput {
  constructor() {
    super('For TCP/UDP protocols, port_range_min must be <= port_range_max');
  }
}

export class SecurityGroupInvalidProtocolForPort extends InvalidInput {
  constructor(protocol: string, valid: string) {
    super(`Ports cannot be specified for protocol ${protocol}. Ports are only supported for ${valid}`);
  }
}

export class SecurityGroupInvalidPortValue extends InvalidInput {
  constructor(port: unknown) {
    super(`Invalid value for port ${displayValue(port)}`);
  }
}

export class SecurityGroupInvalidIcmpValue extends InvalidInput {
  constructor(field: string, attr: string, value: unknown) {
    super(`Invalid value for ICMP ${field} (${attr}) ${displayValue(value)}. It must be 0 to 255`);
  }
}

export class SecurityGroupMissingIcmpType extends InvalidInput {
  constructor(value: unknown) {
    super(`ICMP code (port-range-max) ${displayValue(value)} is provided but ICMP type (port-range-min) is missing`);
  }
}

export class SecurityGroupEthertypeConflictWithProtocol extends InvalidInput {
  constructor(ethertype: string, protocol: string) {
    super(`Invalid ethertype ${ethertype} for protocol ${protocol}`);
  }
}

export class SecurityGroupMultipleRemoteEntites extends InvalidInput {
  constructor() {
    super('Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided');
  }
}

export class SecurityGroupProtocolRequiredWithPorts extends InvalidInput {
  constructor() {
    super('Must also specify protocol if port range is given');
  }
}

export class SecurityGroupRuleParameterConflict extends InvalidInput {
  constructor(ethertype: string, cidr: string) {
    super(`Conflicting value ethertype ${ethertype} for CIDR ${cidr}`);
  }
}

export class SecurityGroupRuleInvalidEtherType extends InvalidInput {
  constructor(ethertype: unknown, values: string) {
    super(`Security group rule for ethertype '${displayValue(ethertype)}' not supported. Allowed values are ${values}`);
  }
}

export class InvalidCIDR extends BadRequest {
  constructor(input: string) {
    super(`Invalid CIDR ${input} given as IP prefix.`);
  }
}

// --- RBAC -------------------------------------------------------------------------------------

export class RbacPolicyNotFound extends NotFound {
  constructor(id: string, objectType = 'network') {
    super(`RBAC policy of type ${objectType} with ID ${id} not found`);
  }
}

export class RbacPolicyInUse extends Conflict {
  constructor(objectId: string, details: string) {
    super(`RBAC policy on object ${objectId} cannot be removed because other objects depend on it.\nDetails: ${details}`);
  }
}

export class DuplicateRbacPolicy extends Conflict {
  constructor() {
    super('An RBAC policy already exists with those values.');
  }
}

export class RbacPolicyInitError extends BadRequest {
  constructor(objectId: string, reason: string) {
    super(`Failed to create RBAC policy on object ${objectId} because ${reason}.`);
  }
}

// --- agents -----------------------------------------------------------------------------------

export class AgentNotFound extends NotFound {
  constructor(id: string) {
    super(`Agent ${id} could not be found.`);
  }
}


// --- trunks (neutron/services/trunk/exceptions.py) ------------------------------------------

export class TrunkPortInUse extends InUse {
  constructor(portId: string) {
    super(`Port ${portId} is in use by another trunk.`);
  }
}

export class TrunkNotFound extends NotFound {
  constructor(trunkId: string) {
    super(`Trunk ${trunkId} could not be found.`);
  }
}

export class SubPortNotFound extends NotFound {
  constructor(trunkId: string, portId: string) {
    super(`SubPort ${portId} on trunk ${trunkId} could not be found.`);
  }
}

export class DuplicateSubPort extends InUse {
  constructor(segmentationType: string, segmentationId: number, trunkId: string) {
    super(`segmentation_type ${segmentationType} and segmentation_id ${segmentationId} already in use on trunk ${trunkId}.`);
  }
}

export class ParentPortInUse extends InUse {
  constructor(portId: string) {
    super(`Port ${portId} is currently in use and is not eligible for use as a parent port.`);
  }
}

export class SubPortMtuGreaterThanTrunkPortMtu extends Conflict {
  constructor(portId: string, portMtu: number, trunkId: string, trunkMtu: number) {
    super(`MTU ${portMtu} of subport ${portId} cannot be greater than MTU ${trunkMtu} of trunk ${trunkId}.`);
  }
}

export class PortInUseAsTrunkParent extends InUse {
  constructor(portId: string, trunkId: string) {
    super(`Port ${portId} is currently a parent port for trunk ${trunkId}.`);
  }
}

export class PortInUseAsSubPort extends InUse {
  constructor(portId: string, trunkId: string) {
    super(`Port ${portId} is currently a subport for trunk ${trunkId}.`);
  }
}

export class TrunkInUse extends InUse {
  constructor(trunkId: string) {
    super(`Trunk ${trunkId} is currently in use.`);
  }
}

export class TrunkDisabled extends Conflict {
  constructor(trunkId: string) {
    super(`Trunk ${trunkId} is currently disabled.`);
  }
}

export class TrunkInErrorState extends Conflict {
  constructor(trunkId: string) {
    super(`Trunk ${trunkId} is in error state. Attempt to resolve the error condition before proceeding.`);
  }
}

// --- metering (neutron_lib/exceptions/metering.py) ------------------------------------------

export class MeteringLabelNotFound extends NotFound {
  constructor(labelId: string) {
    super(`Metering label '${labelId}' does not exist.`);
  }
}

export class MeteringLabelRuleNotFound extends NotFound {
  constructor(ruleId: string) {
    super(`Metering label rule '${ruleId}' does not exist.`);
  }
}

export class MeteringLabelRuleOverlaps extends Conflict {
  constructor(remoteIpPrefix: string) {
    super(`Metering label rule with remote_ip_prefix '${remoteIpPrefix}' overlaps another.`);
  }
}

/** neutron_lib.exceptions.Invalid: a 400 with the plugin's message as is. */
export class Invalid extends BadRequest {}

// --- nubo-path-explain ---------------------------------------------------------------------

/** An end of `GET /v2.0/nubo-explain` that names nothing the caller can see. */
export class PathEndNotFound extends NotFound {
  constructor(given: string) {
    super(`No server, port, fixed IP or floating IP ${given} could be found.`);
  }
}

/** An address that several of the caller's ports hold (on different networks). */
export class AmbiguousPathEnd extends Conflict {
  constructor(given: string, portIds: string[]) {
    super(`Address ${given} is held by several ports (${portIds.join(', ')}): name the port instead.`);
  }
}
