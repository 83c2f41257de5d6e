/**
 * nova.exception as typed classes: each keeps upstream's class name (what travels as a
 * RemoteError's type and what a fault records) and message, and the HTTP status upstream's
 * `code` gives it (500 for the internal ones). The REST layer maps some of them to another
 * status where a controller does (servers create answers 400 for an unknown flavor).
 */
import { NuboError } from '../../common/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Request Entity Too Large', 500: 'Internal Server Error', 501: 'Not Implemented', 503: 'Service Unavailable',
};

/** nova.exception.NovaException: a message and a code (500 unless the class says otherwise). */
export class NovaException extends NuboError {
  constructor(message = 'An unknown exception occurred.', status = 500, options?: { cause?: unknown }) {
    super(status, TITLES[status] ?? 'Error', message, options);
  }
}

// --- 400 Invalid -----------------------------------------------------------------------------

export class Invalid extends NovaException {
  constructor(message = 'Bad Request - Invalid Parameters') { super(message, 400); }
}
export class ValidationError extends Invalid {}
export class InvalidInput extends Invalid {
  constructor(reason: string) { super(`Invalid input received: ${reason}`); }
}
export class InvalidRequest extends Invalid {
  constructor(message = 'The request is invalid.') { super(message); }
}
export class InvalidSortKey extends Invalid {
  constructor() { super('Sort key supplied was not valid.'); }
}
export class InvalidMetadata extends Invalid {
  constructor(reason: string) { super(`Invalid metadata: ${reason}`); }
}
export class InvalidMetadataSize extends Invalid {
  constructor(reason: string) { super(`Invalid metadata size: ${reason}`); }
}
export class InvalidBDM extends Invalid {
  constructor(message = 'Block Device Mapping is Invalid.') { super(message); }
}
export class InvalidBDMImage extends InvalidBDM {
  constructor(id: string) { super(`Block Device Mapping is Invalid: failed to get image ${id}.`); }
}
export class InvalidBDMSnapshot extends InvalidBDM {
  constructor(id: string) { super(`Block Device Mapping is Invalid: failed to get snapshot ${id}.`); }
}
export class InvalidBDMVolume extends InvalidBDM {
  constructor(id: string) { super(`Block Device Mapping is Invalid: failed to get volume ${id}.`); }
}
export class InvalidBDMVolumeNotBootable extends InvalidBDM {
  constructor(id: string) { super(`Block Device ${id} is not bootable.`); }
}
export class InvalidFixedIpAndMaxCountRequest extends Invalid {
  constructor(reason: string) { super(`Failed to launch instances: ${reason}`); }
}
export class InstanceInvalidState extends Invalid {
  constructor(readonly instanceUuid: string, attr: string, state: string | null, method: string) {
    super(`Instance ${instanceUuid} in ${attr} ${state ?? 'None'}. Cannot ${method} while the instance is in this state.`);
  }
}
export class InstanceIsLocked extends Invalid {
  constructor(instanceUuid: string) { super(`Instance ${instanceUuid} is locked`); }
}
export class InstanceNotReady extends Invalid {
  constructor(instanceId: string) { super(`Instance ${instanceId} is not ready`); }
}
export class NetworkAmbiguous extends Invalid {
  constructor() { super('More than one possible network found. Specify network ID(s) to select which one(s) to connect to.'); }
}
export class NetworkRequiresSubnet extends Invalid {
  constructor(networkUuid: string) { super(`Network ${networkUuid} requires a subnet in order to boot instances on.`); }
}
export class PortInUse extends Invalid {
  constructor(portId: string) { super(`Port ${portId} is still in use.`); }
}
export class PortNotUsable extends Invalid {
  constructor(portId: string, instance: string) { super(`Port ${portId} not usable for instance ${instance}.`); }
}
export class PortRequiresFixedIP extends Invalid {
  constructor(portId: string) { super(`Port ${portId} requires a FixedIP in order to be used.`); }
}
export class PortBindingFailed extends Invalid {
  constructor(portId: string) { super(`Binding failed for port ${portId}, please check neutron logs for more information.`); }
}
/** nova's InvalidRequest for a zone no compute host is in. */
export class InvalidAvailabilityZone extends Invalid {
  constructor() { super('The requested availability zone is not available'); }
}
export class ImageNotActive extends NovaException {
  constructor(imageId: string) { super(`Image ${imageId} is not active.`, 400); }
}
export class FlavorMemoryTooSmall extends NovaException {
  constructor() { super("Flavor's memory is too small for requested image.", 400); }
}
export class FlavorDiskTooSmall extends NovaException {
  constructor() { super("The created instance's disk would be too small.", 400); }
}
export class InstanceUserDataMalformed extends NovaException {
  constructor() { super('User data needs to be valid base 64.', 400); }
}

// --- 403 / 413 -------------------------------------------------------------------------------

export class Forbidden extends NovaException {
  constructor(message = 'Forbidden') { super(message, 403); }
}
export class ExternalNetworkAttachForbidden extends Forbidden {
  constructor(networkUuid: string) { super(`It is not allowed to create an interface on external network ${networkUuid}`); }
}
/** nova.exception.OverQuota (413); the API answers 403 for server quotas as upstream does. */
export class OverQuota extends NovaException {
  constructor(message: string) { super(message, 413); }
}
export class TooManyInstances extends OverQuota {
  constructor(readonly overs: string, req: number | string, used: number | string, allowed: number | string) {
    super(`Quota exceeded for ${overs}: Requested ${req}, but already used ${used} of ${allowed} ${overs}`);
  }
}
export class PortLimitExceeded extends OverQuota {
  constructor() { super('Maximum number of ports exceeded'); }
}
export class MetadataLimitExceeded extends OverQuota {
  constructor(allowed: number) { super(`Maximum number of metadata items exceeds ${allowed}`); }
}
export class OnsetFileLimitExceeded extends OverQuota {
  constructor(message = 'Personality file limit exceeded') { super(message); }
}
export class OnsetFilePathLimitExceeded extends OnsetFileLimitExceeded {
  constructor(allowed: number) { super(`Personality file path exceeds maximum ${allowed}`); }
}
export class OnsetFileContentLimitExceeded extends OnsetFileLimitExceeded {
  constructor(allowed: number) { super(`Personality file content exceeds maximum ${allowed}`); }
}
export class ServerGroupLimitExceeded extends OverQuota {
  constructor() { super('Quota exceeded, too many server groups.'); }
}
export class GroupMemberLimitExceeded extends OverQuota {
  constructor() { super('Quota exceeded, too many servers in group'); }
}
/** A quota-sets update outside the settable range (the controller's HTTPBadRequest). */
export class InvalidQuotaLimit extends Invalid {}

// --- 404 NotFound ----------------------------------------------------------------------------

export class NotFound extends NovaException {
  constructor(message = 'Resource could not be found.') { super(message, 404); }
}
export class InstanceNotFound extends NotFound {
  constructor(readonly instanceId: string) { super(`Instance ${instanceId} could not be found.`); }
}
export class FlavorNotFound extends NotFound {
  constructor(flavorId: string) { super(`Flavor ${flavorId} could not be found.`); }
}
export class ImageNotFound extends NotFound {
  constructor(imageId: string) { super(`Image ${imageId} could not be found.`); }
}
export class NetworkNotFound extends NotFound {
  constructor(networkId: string) { super(`Network ${networkId} could not be found.`); }
}
export class PortNotFound extends NotFound {
  constructor(portId: string) { super(`Port id ${portId} could not be found.`); }
}
export class KeypairNotFound extends NotFound {
  constructor(name: string, userId: string) { super(`Keypair ${name} not found for user ${userId}`); }
}
export class SecurityGroupNotFound extends NotFound {
  constructor(id: string) { super(`Security group ${id} not found.`); }
}
export class InstanceGroupNotFound extends NotFound {
  constructor(groupUuid: string) { super(`Instance group ${groupUuid} could not be found.`); }
}
export class ComputeHostNotFound extends NotFound {
  constructor(host: string) { super(`Compute host ${host} could not be found.`); }
}
/** A host no cell maps (nova's HostMappingNotFound): here, a host without a compute service. */
export class HostMappingNotFound extends NotFound {
  constructor(host: string) { super(`Host '${host}' is not mapped to any cell`); }
}
export class MarkerNotFound extends NotFound {
  constructor(marker: string) { super(`Marker ${marker} could not be found.`); }
}

// --- 409 -------------------------------------------------------------------------------------

export class InstanceUpdateConflict extends NovaException {
  constructor(message: string) { super(message, 409); }
}
/** A task_state compare-and-swap lost: the instance is no longer in the expected task state. */
export class UnexpectedTaskStateError extends InstanceUpdateConflict {
  constructor(readonly instanceUuid: string, expected: unknown, actual: unknown) {
    super(`Conflict updating instance ${instanceUuid}. Expected: ${JSON.stringify({ task_state: expected })}. Actual: ${JSON.stringify({ task_state: actual })}`);
  }
}
export class UnexpectedDeletingTaskStateError extends UnexpectedTaskStateError {}
/** A guest that had to be quiesced for a snapshot could not be (createImage answers 409). */
export class InstanceQuiesceFailed extends NovaException {
  constructor(instanceUuid: string, reason: string) { super(`Failed to quiesce instance ${instanceUuid}: ${reason}`, 409); }
}

// --- internal (500): the build pipeline, the scheduler, placement ----------------------------

export class NoValidHost extends NovaException {
  constructor(readonly reason: string) { super(`No valid host was found. ${reason}`); }
}
export class MaxRetriesExceeded extends NoValidHost {
  constructor(reason: string) {
    super(reason);
    this.message = `Exceeded maximum number of retries. ${reason}`;
  }
}
/** The build failed on a host in a way another host may not: try an alternate. */
export class RescheduledException extends NovaException {
  constructor(readonly instanceUuid: string, readonly reason: string) { super(`Build of instance ${instanceUuid} was re-scheduled: ${reason}`); }
}
/** The build failed in a way no other host would fix: ERROR without rescheduling. */
export class BuildAbortException extends NovaException {
  constructor(readonly instanceUuid: string, readonly reason: string) { super(`Build of instance ${instanceUuid} aborted: ${reason}`); }
}
export class VirtualInterfaceCreateException extends NovaException {
  constructor(reason?: string) { super(reason ? `Virtual Interface creation failed: ${reason}` : 'Virtual Interface creation failed'); }
}
export class InstanceExists extends NovaException {
  constructor(name: string) { super(`Instance ${name} already exists.`); }
}
export class AllocationUpdateFailed extends NovaException {
  constructor(consumerUuid: string, error: string) { super(`Failed to update allocations for consumer ${consumerUuid}. Error: ${error}`); }
}
export class ConsumerAllocationRetrievalFailed extends NovaException {
  constructor(consumerUuid: string, error: string) { super(`Failed to retrieve allocations for consumer ${consumerUuid}: ${error}`); }
}
/** A 409 from Placement that retrying will not fix. */
export class PlacementAPIConflict extends NovaException {
  constructor(url: string, error: string) { super(`A conflict was encountered attempting to invoke the placement API at URL ${url}: ${error}`); }
}
export class ResourceProviderCreationFailed extends NovaException {
  constructor(name: string) { super(`Failed to create resource provider ${name}`); }
}
export class ResourceProviderSyncFailed extends NovaException {
  constructor() { super('Failed to synchronize the placement service with resource provider information supplied by the compute host.'); }
}
export class InstanceActionNotFound extends NovaException {
  constructor(requestId: string, instanceUuid: string) { super(`Action for request_id ${requestId} on instance ${instanceUuid} not found`, 404); }
}

/** nova.exception.PolicyNotAuthorized: the policy denies the action (403). */
export class PolicyNotAuthorized extends Forbidden {
  constructor(readonly action: string) { super(`Policy doesn't allow ${action} to be performed.`); }
}

export class UnableToAutoAllocateNetwork extends Invalid {
  constructor(projectId: string) { super(`Unable to automatically allocate a network for project ${projectId}`); }
}
export class MultiplePortsNotApplicable extends Invalid {
  constructor(reason: string) { super(`Failed to launch instances: ${reason}`); }
}
export class SecurityGroupCannotBeApplied extends Invalid {
  constructor() { super('Network requires port_security_enabled and subnet associated in order to apply security groups.'); }
}
export class NoUniqueMatch extends NovaException {
  constructor() { super('No Unique Match Found.', 409); }
}

export class FlavorDiskSmallerThanImage extends NovaException {
  constructor(flavorSize: number, imageSize: number) {
    super(`Flavor's disk is too small for requested image. Flavor disk is ${flavorSize} bytes, image is ${imageSize} bytes.`, 400);
  }
}
export class FlavorDiskSmallerThanMinDisk extends NovaException {
  constructor(flavorSize: number, minDisk: number) {
    super(`Flavor's disk is smaller than the minimum size specified in image metadata. Flavor disk is ${flavorSize} bytes, minimum size is ${minDisk} bytes.`, 400);
  }
}
export class VolumeSmallerThanMinDisk extends NovaException {
  constructor(volumeSize: number, minDisk: number) {
    super(`Volume is smaller than the minimum size specified in image metadata. Volume size is ${volumeSize} bytes, minimum size is ${minDisk} bytes.`, 400);
  }
}
export class BootFromVolumeRequiredForZeroDiskFlavor extends Forbidden {
  constructor() { super('Only volume-backed servers are allowed for flavors with zero disk.'); }
}
export class AmbiguousHostnameForMultipleInstances extends Invalid {
  constructor() { super('Unable to allow requested hostname for multiple instances. Hostnames can only be set for a single instance.'); }
}
export class ImageNotAuthorized extends NovaException {
  constructor(imageId: string) { super(`Not authorized for image ${imageId}.`, 403); }
}

/** A build would break its server group's policy (a race the scheduler cannot see). */
export class GroupAffinityViolation extends NovaException {
  constructor(policy: 'Anti-affinity' | 'Affinity') { super(`${policy} instance group policy was violated`); }
}

// --- flavors, flavor access and extra specs, key pairs (os-flavor-manage, os-keypairs) ------

export class FlavorExists extends NovaException {
  constructor(name: string) { super(`Flavor with name ${name} already exists.`, 409); }
}
export class FlavorIdExists extends NovaException {
  constructor(flavorId: string) { super(`Flavor with ID ${flavorId} already exists.`, 409); }
}
export class FlavorAccessExists extends NovaException {
  constructor(flavorId: string, projectId: string) { super(`Flavor access already exists for flavor ${flavorId} and project ${projectId} combination.`, 409); }
}
export class FlavorAccessNotFound extends NotFound {
  constructor(flavorId: string, projectId: string) { super(`Flavor access not found for ${flavorId} / ${projectId} combination.`); }
}
export class FlavorExtraSpecsNotFound extends NotFound {
  constructor(flavorId: string, key: string) { super(`Flavor ${flavorId} has no extra specs with key ${key}.`); }
}
export class KeyPairExists extends NovaException {
  constructor(name: string) { super(`Key pair '${name}' already exists.`, 409); }
}
export class InvalidKeypair extends Invalid {
  constructor(reason: string) { super(`Keypair data is invalid: ${reason}`); }
}
export class InvalidName extends Invalid {
  constructor(reason: string) { super(`An invalid 'name' value was provided. The name must be: ${reason}`); }
}
/** An OverQuota (413) inside nova; the keypairs API answers it with 403. */
export class KeypairLimitExceeded extends OverQuota {
  constructor() { super('Quota exceeded, too many key pairs.'); }
}

// --- server actions (pause, rescue, password, crash dump, consoles, rebuild) ------------------

export class InstanceNotRunning extends Invalid {
  constructor(instanceId: string) { super(`Instance ${instanceId} is not running.`); }
}
export class InstanceNotRescuable extends Invalid {
  constructor(instanceId: string, reason: string) { super(`Instance ${instanceId} cannot be rescued: ${reason}`); }
}
export class UnsupportedRescueImage extends Invalid {
  constructor(image: string) { super(`Requested rescue image '${image}' is not supported`); }
}
export class TriggerCrashDumpNotSupported extends Invalid {
  constructor() { super('Triggering crash dump is not supported'); }
}
export class SetAdminPasswdNotSupported extends Invalid {
  constructor() { super('Set admin password is not supported'); }
}
export class InstanceAgentNotEnabled extends Invalid {
  constructor() { super('Guest agent is not enabled for the instance'); }
}
export class InstancePasswordSetFailed extends NovaException {
  constructor(instance: string, reason: string) { super(`Failed to set admin password on ${instance} because ${reason}`); }
}
export class ConsoleTypeInvalid extends Invalid {
  constructor(consoleType: string) { super(`Invalid console type ${consoleType}`); }
}
export class ConsoleTypeUnavailable extends Invalid {
  constructor(consoleType: string) { super(`Unavailable console type ${consoleType}.`); }
}
/** A console proxy's refusal of a token: unknown, expired, or no longer naming the instance's console. */
export class InvalidToken extends Invalid {
  constructor() { super("The token '***' is invalid or has expired"); }
}
export class InvalidConnectionInfo extends Invalid {
  constructor() { super('Invalid Connection Info'); }
}
export class SecurityProxyNegotiationFailed extends NovaException {
  constructor(reason: string) { super(`Failed to negotiate security type with server: ${reason}`); }
}
export class ImageUnacceptable extends Invalid {
  constructor(imageId: string, reason: string) { super(`Image ${imageId} is unacceptable: ${reason}`); }
}
export class PreserveEphemeralNotSupported extends Invalid {
  constructor() { super('The current driver does not support preserving ephemeral partitions.'); }
}
/** Python's NotImplementedError from a driver: the API answers 501 (common.raise_feature_not_supported). */
export class FeatureNotSupported extends NovaException {
  constructor(message = 'The requested functionality is not supported.') { super(message, 501); }
}

// --- admin resources: aggregates, services, hypervisors, migrations, instance actions --------

export class AggregateNotFound extends NotFound {
  constructor(aggregateId: string | number) { super(`Aggregate ${aggregateId} could not be found.`); }
}
export class AggregateNameExists extends NovaException {
  constructor(name: string) { super(`Aggregate ${name} already exists.`, 409); }
}
export class AggregateHostExists extends NovaException {
  constructor(aggregateId: number, host: string) { super(`Aggregate ${aggregateId} already has host ${host}.`, 409); }
}
export class AggregateHostNotFound extends NotFound {
  constructor(aggregateId: number, host: string) { super(`Aggregate ${aggregateId} has no host ${host}.`); }
}
/** nova's InvalidAggregateAction family (400; add_host answers 409 for it). */
export class InvalidAggregateAction extends Invalid {
  constructor(message = 'Unacceptable parameters.') { super(message); }
}
export class InvalidAggregateActionAdd extends InvalidAggregateAction {
  constructor(aggregateId: number, reason: string) { super(`Cannot add host to aggregate ${aggregateId}. Reason: ${reason}.`); }
}
export class InvalidAggregateActionDelete extends InvalidAggregateAction {
  constructor(aggregateId: number | string, reason: string) { super(`Cannot remove host from aggregate ${aggregateId}. Reason: ${reason}.`); }
}
export class InvalidAggregateActionUpdate extends InvalidAggregateAction {
  constructor(aggregateId: number, reason: string) { super(`Cannot update aggregate ${aggregateId}. Reason: ${reason}.`); }
}
export class InvalidAggregateActionUpdateMeta extends InvalidAggregateAction {
  constructor(aggregateId: number, reason: string) { super(`Cannot update metadata of aggregate ${aggregateId}. Reason: ${reason}.`); }
}
export class ServiceNotFound extends NotFound {
  constructor(serviceId: string | number) { super(`Service ${serviceId} could not be found.`); }
}
export class HostBinaryNotFound extends NotFound {
  constructor(binary: string, host: string) { super(`Could not find binary ${binary} on host ${host}.`); }
}
/** nova's ComputeServiceUnavailable: the host's compute service is down. */
export class ComputeServiceUnavailable extends Invalid {
  constructor(host: string) { super(`Compute service of ${host} is unavailable at this time.`); }
}

// --- interface and volume attachments ---------------------------------------------------------

export class InterfaceAttachFailed extends Invalid {
  constructor(instanceUuid: string) { super(`Failed to attach network adapter device to ${instanceUuid}`); }
}
export class InterfaceAttachFailedNoNetwork extends Invalid {
  constructor(projectId: string) { super(`No specific network was requested and none are available for project '${projectId}'.`); }
}
export class InterfaceDetachFailed extends Invalid {
  constructor(instanceUuid: string) { super(`Failed to detach network adapter device from ${instanceUuid}`); }
}
export class AttachInterfaceNotSupported extends Invalid {
  constructor(instanceUuid: string) { super(`Attaching interfaces is not supported for instance ${instanceUuid}.`); }
}
export class NetworkInterfaceTaggedAttachNotSupported extends Invalid {
  constructor() { super('Tagged network interface attach is not supported by this compute service.'); }
}
export class FixedIpAlreadyInUse extends NovaException {
  constructor(address: string, instanceUuid: string) { super(`Fixed IP address ${address} is already in use on instance ${instanceUuid}.`); }
}
export class VolumeNotFound extends NotFound {
  constructor(volumeId: string) { super(`Volume ${volumeId} could not be found.`); }
}
export class SnapshotNotFound extends NotFound {
  constructor(snapshotId: string) { super(`Snapshot ${snapshotId} could not be found.`); }
}
export class VolumeNotCreated extends NovaException {
  constructor(volumeId: string, seconds: number, attempts: number, status: string) {
    super(`Volume ${volumeId} did not finish being created even after we waited ${seconds} seconds or ${attempts} attempts. And its status is ${status}.`);
  }
}
export class VolumeAttachmentNotFound extends NotFound {
  constructor(attachmentId: string) { super(`Volume attachment ${attachmentId} could not be found.`); }
}
export class VolumeBDMNotFound extends NotFound {
  constructor(volumeId: string) { super(`No volume Block Device Mapping with id ${volumeId}.`); }
}
export class InvalidVolume extends Invalid {
  constructor(reason: string) { super(`Invalid volume: ${reason}`); }
}
export class InvalidDevicePath extends Invalid {
  constructor(path: string) { super(`The supplied device path (${path}) is invalid.`); }
}
export class DevicePathInUse extends NovaException {
  constructor(path: string) { super(`The supplied device path (${path}) is in use.`, 409); }
}
export class VolumeTaggedAttachNotSupported extends Invalid {
  constructor() { super('Tagged volume attachment is not supported for this server instance.'); }
}
export class VolumeAttachFailed extends Invalid {
  constructor(volumeId: string, reason: string) { super(`Volume ${volumeId} could not be attached. Reason: ${reason}`); }
}
/** Cinder's endpoint answered nothing (nova's CinderConnectionFailed; 503 here rather than upstream's 500). */
export class CinderConnectionFailed extends NovaException {
  constructor(reason: string) { super(`Connection to cinder host failed: ${reason}`, 503); }
}
/**
 * The catalog has no Block Storage endpoint. Upstream lets keystoneauth's EndpointNotFound
 * through as a 500; Nubo answers 409: the request is fine, the cloud runs no volume service.
 */
export class CinderServiceUnavailable extends NovaException {
  constructor(reason: string) { super(`The Block Storage (volume) service is not available: ${reason}`, 409); }
}
export class MultiattachNotSupportedOldMicroversion extends Invalid {
  constructor() { super('Multiattach volumes are only supported starting with compute API version 2.60.'); }
}
export class VolumeTaggedAttachToShelvedNotSupported extends Invalid {
  constructor() { super('Tagged volume attachment is not supported for shelved-offloaded instances.'); }
}
export class MultiattachToShelvedNotSupported extends Invalid {
  constructor() { super('Attaching multiattach volumes is not supported for shelved-offloaded instances.'); }
}
export class MultiattachSwapVolumeNotSupported extends Invalid {
  constructor() { super('Swapping multi-attach volumes with more than one read/write attachment is not supported.'); }
}

// --- moves: resize, migrations, evacuate, shelve (nova-move) ----------------------------------

export class MigrationNotFound extends NotFound {
  constructor(migrationId: string | number) { super(`Migration ${migrationId} could not be found.`); }
}
export class MigrationNotFoundByStatus extends MigrationNotFound {
  constructor(instanceId: string, status: string) {
    super(instanceId);
    this.message = `Migration not found for instance ${instanceId} with status ${status}.`;
  }
}
export class MigrationNotFoundForInstance extends MigrationNotFound {
  constructor(migrationId: string | number, instanceId: string) {
    super(migrationId);
    this.message = `Migration ${migrationId} not found for instance ${instanceId}`;
  }
}
export class CannotResizeToSameFlavor extends Invalid {
  constructor() { super('When resizing, instances must change flavor!'); }
}
export class CannotResizeDisk extends Invalid {
  constructor(reason: string) { super(`Server disk was unable to be resized because: ${reason}`); }
}
export class UnableToMigrateToSelf extends Invalid {
  constructor(instanceId: string, host: string) { super(`Unable to migrate instance (${instanceId}) to current host (${host}).`); }
}
export class MigrationPreCheckError extends Invalid {
  constructor(reason: string) { super(`Migration pre-check error: ${reason}`); }
}
export class ComputeServiceInUse extends Invalid {
  constructor(host: string) { super(`Compute service of ${host} is still in use.`); }
}
export class InvalidMigrationState extends Invalid {
  constructor(migrationId: string | number, instanceUuid: string, state: string, method: string) {
    super(`Migration ${migrationId} state of instance ${instanceUuid} is ${state}. Cannot ${method} while the migration is in this state.`);
  }
}
export class UnshelveInstanceInvalidState extends NovaException {
  constructor(state: string, instanceUuid: string) {
    super(`Specifying an availability zone or a host when unshelving server "${instanceUuid}" with status "${state}" is not supported. The server status must be SHELVED_OFFLOADED.`, 409);
  }
}
export class UnshelveHostNotInAZ extends NovaException {
  constructor(host: string, zone: string) { super(`Host "${host}" is not in the availability zone "${zone}".`, 409); }
}
/** nova's ServiceUnavailable (confirmResize answers it with a 409). */
export class ServiceUnavailable extends Invalid {
  constructor() { super('Service is unavailable at this time.'); }
}
export class ResizeError extends NovaException {
  constructor(reason: string) { super(`Resize error: ${reason}`); }
}
/** The qemu virt driver: QEMU or one of its tools failed (the message is theirs). */
export class QemuError extends NovaException {
  constructor(reason: string) { super(`QEMU: ${reason}`); }
}
/** nova's InsufficientFreeMemory: the host cannot hold the guest (`detail`: what it needs and what is free). */
export class InsufficientFreeMemory extends NovaException {
  constructor(uuid: string, detail?: string) { super(`Insufficient free memory on compute node to start ${uuid}${detail ? `: ${detail}` : ''}.`); }
}
export class MigrationError extends NovaException {
  constructor(reason: string) { super(`Migration error: ${reason}`); }
}
/** The hypervisor stopped a live migration because it was asked to (the migration is cancelled). */
export class LiveMigrationAborted extends NovaException {
  constructor(instanceUuid: string) { super(`Live migration of instance ${instanceUuid} was aborted.`); }
}
