/**
 * CADF events as Keystone sends them (pycadf's Event.as_dict() as built by keystone/
 * notifications.py): typeURI, id, eventType "activity", eventTime, action, outcome, initiator,
 * target, observer (the identity service of the catalog), an optional reason, and the extra
 * keys Keystone adds (resource_info, or role/user/group/project/domain/inherited_to_projects).
 * pycadf is not available to us: the few shapes used are written here.
 */
import { createHash, randomUUID } from 'node:crypto';

export const CADF_EVENT_TYPE_URI = 'http://schemas.dmtf.org/cloud/audit/1.0/event';
export const ACCOUNT_USER = 'service/security/account/user';
const SERVICE_SECURITY = 'service/security';
const UNKNOWN = 'unknown';

/** keystone/notifications.py CADF_TYPE_MAP. */
const CADF_TYPE_MAP: Readonly<Record<string, string>> = {
  group: 'data/security/group',
  project: 'data/security/project',
  role: 'data/security/role',
  user: 'data/security/account/user',
  domain: 'data/security/domain',
  region: 'data/security/region',
  endpoint: 'data/security/endpoint',
  service: 'data/security/service',
  policy: 'data/security/policy',
  'OS-TRUST:trust': 'data/security/trust',
  'OS-OAUTH1:access_token': 'data/security/credential',
  'OS-OAUTH1:request_token': 'data/security/credential',
  'OS-OAUTH1:consumer': 'data/security/account',
  application_credential: 'data/security/credential',
};

/** A CADF resource (initiator, target, observer): typeURI and id plus optional attributes. */
export interface CadfResource {
  typeURI: string;
  id: string;
  [attribute: string]: unknown;
}

export type CadfOutcome = 'success' | 'failure' | 'pending';

/** pycadf's Reason: reasonType (the message) and reasonCode (the HTTP status, as a string). */
export interface CadfReason {
  reasonType: string;
  reasonCode: string;
}

const RESOURCE_ID_NAMESPACE = Buffer.from('4332ecab770b4288a680b9aca3b1b153', 'hex');

/** Python's uuid.UUID(value) acceptance: 32 hex digits once urn:/uuid:, braces and dashes go. */
function isPythonUuid(value: string): boolean {
  const hex = value.replaceAll('urn:', '').replaceAll('uuid:', '').replace(/^\{+|\}+$/g, '').replaceAll('-', '');
  return /^[0-9a-fA-F]{32}$/.test(hex);
}

/** uuid.uuid5(namespace, name).hex (RFC 4122 name-based, SHA-1). */
function uuid5Hex(namespace: Buffer, name: string): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  return hash.toString('hex');
}

/** keystone.common.utils.resource_uuid: a UUID stays, other ids map to a stable uuid5. */
export function resourceUuid(value: string): string {
  return isPythonUuid(value) ? value : uuid5Hex(RESOURCE_ID_NAMESPACE, value);
}

/** pycadf's timestamp: `%Y-%m-%dT%H:%M:%S.%f%z` in UTC (microseconds from milliseconds). */
export function cadfTimestamp(date: Date = new Date()): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 23)}000+0000`;
}

/** The target of a resource notification: its CADF type and the resource id. */
export function resourceTarget(resourceType: string, resourceId: string): CadfResource {
  return { typeURI: CADF_TYPE_MAP[resourceType] ?? UNKNOWN, id: resourceId };
}

/** A target with a generated id (role assignments and authentication target "a user"). */
export function accountUserTarget(): CadfResource {
  return { typeURI: ACCOUNT_USER, id: randomUUID() };
}

export interface CadfEventInit {
  action: string;
  outcome: CadfOutcome;
  initiator: CadfResource;
  target: CadfResource;
  /** The identity service's id in the catalog (a generated id when there is none). */
  observerId: string | undefined;
  reason?: CadfReason;
  /** Keys Keystone sets on the event (resource_info, role, project, ...). */
  extra?: Record<string, unknown>;
}

export function cadfEvent(e: CadfEventInit): Record<string, unknown> {
  return {
    typeURI: CADF_EVENT_TYPE_URI,
    eventType: 'activity',
    id: randomUUID(),
    eventTime: cadfTimestamp(),
    action: e.action,
    outcome: e.outcome,
    initiator: e.initiator,
    target: e.target,
    observer: { typeURI: SERVICE_SECURITY, id: e.observerId ?? randomUUID() },
    ...(e.reason ? { reason: e.reason } : {}),
    ...e.extra,
  };
}
