/**
 * cinder.exception classes of transfers, QoS specs, encryption types, quota classes and user
 * messages (upstream's names and messages; statuses from their base classes in errors.ts).
 */
import { Duplicate, Invalid, NotFound, QuotaError } from './errors.js';

export class TransferNotFound extends NotFound {
  constructor(id: string) { super(`Transfer ${id} could not be found.`); }
}
export class InvalidAuthKey extends Invalid {
  constructor(reason: string) { super(`Invalid auth key: ${reason}`); }
}
export class VolumeSizeExceedsLimit extends QuotaError {
  constructor(size: number, limit: number) { super(`Requested volume size ${size}G is larger than maximum allowed limit ${limit}G.`); }
}

export class QoSSpecsNotFound extends NotFound {
  constructor(id: string) { super(`No such QoS spec ${id}.`); }
}
export class QoSSpecsKeyNotFound extends NotFound {
  constructor(id: string, key: string) { super(`QoS spec ${id} has no spec with key ${key}.`); }
}
export class QoSSpecsExists extends Duplicate {
  constructor(name: string) { super(`QoS Specs ${name} already exists.`); }
}
export class InvalidQoSSpecs extends Invalid {
  constructor(reason: string) { super(`Invalid qos specs: ${reason}`); }
}
/** The API answers it as 400 "Qos specs still in use." (qos_specs_manage.delete). */
export class QoSSpecsInUse extends Invalid {
  constructor() { super('Qos specs still in use.'); }
}

export class VolumeTypeEncryptionExists extends Invalid {
  constructor(typeId: string) { super(`Volume type encryption for type ${typeId} already exists.`); }
}
export class VolumeTypeEncryptionNotFound extends NotFound {
  constructor(typeId: string) { super(`Volume type encryption for type ${typeId} does not exist.`); }
}

export class QuotaClassNotFound extends NotFound {
  constructor(name: string) { super(`Quota class ${name} could not be found.`); }
}

export class MessageNotFound extends NotFound {
  constructor(id: string) { super(`Message ${id} could not be found.`); }
}

export class GlanceMetadataNotFound extends NotFound {
  constructor(id: string) { super(`Glance metadata for volume/snapshot ${id} cannot be found.`); }
}

export class GroupTypeNotFound extends NotFound {
  constructor(id: string) { super(`Group type ${id} could not be found.`); }
}
export class GroupTypeNotFoundByName extends NotFound {
  constructor(name: string) { super(`Group type with name ${name} could not be found.`); }
}
export class GroupTypeSpecsNotFound extends NotFound {
  constructor(id: string, key: string) { super(`Group Type ${id} has no specs with key ${key}.`); }
}
export class GroupTypeExists extends Duplicate {
  constructor(name: string) { super(`Group Type ${name} already exists.`); }
}
export class GroupTypeInUse extends Invalid {
  constructor(id: string) { super(`Group Type ${id} deletion is not allowed with groups present with the type.`); }
}
export class GroupNotFound extends NotFound {
  constructor(id: string) { super(`Group ${id} could not be found.`); }
}
export class GroupSnapshotNotFound extends NotFound {
  constructor(id: string) { super(`GroupSnapshot ${id} could not be found.`); }
}
export class InvalidGroup extends Invalid {
  constructor(reason: string) { super(`Invalid Group: ${reason}`); }
}
export class InvalidGroupSnapshot extends Invalid {
  constructor(reason: string) { super(`Invalid GroupSnapshot: ${reason}`); }
}
export class GroupLimitExceeded extends QuotaError {
  constructor(allowed: number) { super(`Maximum number of groups allowed (${allowed}) exceeded`); }
}
