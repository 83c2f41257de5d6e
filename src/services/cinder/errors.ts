/**
 * cinder.exception as typed classes: upstream's class names and messages, with the HTTP status
 * each class's `code` gives (500 for the internal ones). The one error hook renders them with
 * api/fault.ts.
 */
import { NuboError } from '../../common/errors.js';

const TITLES: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};

/** cinder.exception.CinderException. */
export class CinderException extends NuboError {
  constructor(message = 'An unknown exception occurred.', status = 500, options?: { cause?: unknown }) {
    super(status, TITLES[status] ?? 'Error', message, options);
  }
}

// --- 400 -------------------------------------------------------------------------------------
export class Invalid extends CinderException {
  constructor(message = 'Unacceptable parameters.') { super(message, 400); }
}
export class InvalidInput extends Invalid {
  constructor(reason: string) { super(`Invalid input received: ${reason}`); }
}
export class InvalidVolume extends Invalid {
  constructor(reason: string) { super(`Invalid volume: ${reason}`); }
}
export class InvalidSnapshot extends Invalid {
  constructor(reason: string) { super(`Invalid snapshot: ${reason}`); }
}
export class InvalidVolumeType extends Invalid {
  constructor(reason: string) { super(`Invalid volume type: ${reason}`); }
}
export class InvalidAttachment extends Invalid {
  constructor(reason: string) { super(`Invalid attachment: ${reason}`); }
}
export class InvalidVolumeMetadata extends Invalid {
  constructor(reason: string) { super(`Invalid metadata: ${reason}`); }
}
export class InvalidVolumeMetadataSize extends Invalid {
  constructor(reason: string) { super(`Invalid metadata size: ${reason}`); }
}
export class InvalidQuotaValue extends Invalid {
  constructor(unders: string) { super(`Change would make usage less than 0 for the following resources: ${unders}`); }
}
export class VolumeTypeInUse extends Invalid {
  constructor(id: string) { super(`Volume Type ${id} deletion is not allowed with volumes present with the type.`); }
}
export class VolumeTypeDefault extends Invalid {
  constructor(message: string) { super(message); }
}
export class InvalidSortKey extends Invalid {
  constructor(key: string) { super(`Sort key supplied is invalid: ${key}`); }
}
export class InvalidSortDir extends InvalidInput {}

export class InvalidAvailabilityZone extends Invalid {
  constructor(az: string) { super(`Availability zone '${az}' is invalid.`); }
}
export class InvalidVolumeAttachMode extends Invalid {
  constructor(mode: string, volumeId: string) { super(`Invalid attaching mode '${mode}' for volume ${volumeId}.`); }
}

// --- 403 -------------------------------------------------------------------------------------
export class PolicyNotAuthorized extends CinderException {
  constructor(action: string) { super(`Policy doesn't allow ${action} to be performed.`, 403); }
}

// --- 404 -------------------------------------------------------------------------------------
export class NotFound extends CinderException {
  constructor(message = 'Resource could not be found.') { super(message, 404); }
}
export class VolumeNotFound extends NotFound {
  constructor(id: string) { super(`Volume ${id} could not be found.`); }
}
export class SnapshotNotFound extends NotFound {
  constructor(id: string) { super(`Snapshot ${id} could not be found.`); }
}
export class VolumeTypeNotFound extends NotFound {
  constructor(id: string) { super(`Volume type ${id} could not be found.`); }
}
export class VolumeTypeProjectDefaultNotFound extends NotFound {
  constructor(projectId: string) { super(`Default type for project ${projectId} not found.`); }
}
export class VolumeTypeNotFoundByName extends NotFound {
  constructor(name: string) { super(`Volume type with name ${name} could not be found.`); }
}
export class VolumeTypeExtraSpecsNotFound extends NotFound {
  constructor(id: string, key: string) { super(`Volume Type ${id} has no extra specs with key ${key}.`); }
}
export class VolumeTypeAccessNotFound extends NotFound {
  constructor(id: string, project: string) { super(`Volume type access not found for ${id} / ${project} combination.`); }
}
export class VolumeMetadataNotFound extends NotFound {
  constructor(id: string, key: string) { super(`Volume ${id} has no metadata with key ${key}.`); }
}
export class SnapshotMetadataNotFound extends NotFound {
  constructor(id: string, key: string) { super(`Snapshot ${id} has no metadata with key ${key}.`); }
}
export class VolumeAttachmentNotFound extends NotFound {
  constructor(filter: string) { super(`Volume attachment could not be found with filter: ${filter}.`); }
}
/** exception.MarkerNotFound (a NotFound). */
export class InvalidMarker extends NotFound {
  constructor(marker: string) { super(`Marker ${marker} could not be found.`); }
}
export class ImageNotFound extends NotFound {
  constructor(id: string) { super(`Image ${id} could not be found.`); }
}
export class ServiceNotFound extends NotFound {
  constructor(what: string) { super(`Service ${what} could not be found.`); }
}
export class ProjectQuotaNotFound extends NotFound {
  constructor(project: string) { super(`Quota for project ${project} could not be found.`); }
}

// --- 409 -------------------------------------------------------------------------------------
export class Duplicate extends CinderException {
  constructor(message: string) { super(message, 409); }
}
export class VolumeTypeExists extends Duplicate {
  constructor(id: string) { super(`Volume Type ${id} already exists.`); }
}
export class VolumeTypeAccessExists extends Duplicate {
  constructor(id: string, project: string) { super(`Volume type access for ${id} / ${project} combination already exists.`); }
}

// --- 413 quotas ------------------------------------------------------------------------------
export class QuotaError extends CinderException {
  constructor(message: string) { super(message, 413); }
}
export class VolumeSizeExceedsAvailableQuota extends QuotaError {
  constructor(name: string, requested: number, quota: number, consumed: number) {
    super(`Requested volume or snapshot exceeds allowed ${name} quota. Requested ${requested}G, quota is ${quota}G and ${consumed}G has been consumed.`);
  }
}
export class VolumeLimitExceeded extends QuotaError {
  constructor(allowed: number, name = 'volumes') { super(`Maximum number of volumes allowed (${allowed}) exceeded for quota '${name}'.`); }
}
export class SnapshotLimitExceeded extends QuotaError {
  constructor(allowed: number) { super(`Maximum number of snapshots allowed (${allowed}) exceeded`); }
}
export class MetadataLimitExceeded extends QuotaError {
  constructor(allowed: number) { super(`Maximum number of metadata items exceeds ${allowed}`); }
}

// --- internal (never answered to a client as such) --------------------------------------------
export class NoValidBackend extends CinderException {
  constructor(reason: string) { super(`No valid backend was found. ${reason}`); }
}
export class VolumeBackendAPIException extends CinderException {
  constructor(data: string) { super(`Bad or unexpected response from the storage volume backend API: ${data}`); }
}
