/**
 * The msgpack payloads inside Keystone's Fernet tokens, as keystone/token/token_formatters.py
 * packs them: `[version, ...fields]` with the version numbers of upstream (0 unscoped,
 * 1 domain, 2 project, 3 trust, 8 system, 9 application credential). Federated (4-6) and
 * OAuth (7, 10) payloads are not issued here; decoding them fails as an unknown version.
 *
 * Conventions of upstream kept byte for byte so tokens interoperate:
 * - ids that are 32-hex UUIDs travel as `[true, 16 bytes]`, others as `[false, "text"]`;
 * - domain and trust ids of the scoped payloads are raw 16 bytes (the default domain id,
 *   not a UUID, as text);
 * - methods are a bit set over [auth] methods' default order;
 * - expires_at is seconds since the epoch; audit ids are their 16 decoded bytes.
 */
import { decode, encode } from '@msgpack/msgpack';

/** Auth method bits: upstream's default [auth] methods, 1, 2, 4, ... in this order. */
export const AUTH_METHODS = ['external', 'password', 'token', 'oauth1', 'mapped', 'application_credential'] as const;

export const PAYLOAD_VERSION = {
  unscoped: 0,
  domain: 1,
  project: 2,
  trust: 3,
  system: 8,
  applicationCredential: 9,
} as const;

/** What a token carries (everything else is looked up when it is validated). */
export interface TokenPayload {
  userId: string;
  methods: string[];
  /** The token's audit id, then (for a rescoped token) the audit id of the chain's first token. */
  auditIds: string[];
  /** Seconds since the epoch (whole seconds: Keystone drops microseconds). */
  expiresAt: number;
  system?: string;
  domainId?: string;
  projectId?: string;
  trustId?: string;
  appCredId?: string;
}

/** The payload is not one this server can read. */
export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

const UUID_HEX = /^[0-9a-f]{32}$/;

type MaybeUuid = [boolean, Uint8Array | string];

function packId(value: string): MaybeUuid {
  return UUID_HEX.test(value) ? [true, Buffer.from(value, 'hex')] : [false, value];
}

function unpackId(value: unknown): string {
  if (!Array.isArray(value) || value.length !== 2) throw new PayloadError('malformed id');
  const [isUuid, raw] = value as [unknown, unknown];
  if (isUuid) return hexOf(raw);
  return textOf(raw);
}

function hexOf(raw: unknown): string {
  if (!(raw instanceof Uint8Array) || raw.length !== 16) throw new PayloadError('malformed uuid');
  return Buffer.from(raw).toString('hex');
}

function textOf(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
  throw new PayloadError('malformed id');
}

/** Scoped domain ids: 16 raw bytes for a UUID, else the text (upstream: only the default domain). */
function packRawId(value: string): Uint8Array | string {
  return UUID_HEX.test(value) ? Buffer.from(value, 'hex') : value;
}

function unpackRawId(raw: unknown): string {
  if (raw instanceof Uint8Array && raw.length === 16) return Buffer.from(raw).toString('hex');
  return textOf(raw);
}

export function methodsToInt(methods: readonly string[]): number {
  let n = 0;
  for (const m of new Set(methods)) {
    const i = AUTH_METHODS.indexOf(m as (typeof AUTH_METHODS)[number]);
    if (i >= 0) n += 2 ** i;
  }
  return n;
}

/** Methods in upstream's decoding order (highest bit first). */
export function intToMethods(n: number): string[] {
  if (!Number.isInteger(n) || n < 0) throw new PayloadError('malformed methods');
  const out: string[] = [];
  for (let i = AUTH_METHODS.length - 1; i >= 0; i--) if (n & (2 ** i)) out.push(AUTH_METHODS[i] as string);
  return out;
}

function packAuditIds(ids: readonly string[]): Uint8Array[] {
  return ids.map((id) => Buffer.from(id, 'base64url'));
}

function unpackAuditIds(raw: unknown): string[] {
  if (!Array.isArray(raw)) throw new PayloadError('malformed audit ids');
  return raw.map((b) => {
    if (!(b instanceof Uint8Array)) throw new PayloadError('malformed audit id');
    return Buffer.from(b).toString('base64url');
  });
}

function num(raw: unknown): number {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) throw new PayloadError('malformed expiry');
  return raw;
}

/** Which payload class a token uses, by upstream's precedence (fernet/core.py). */
export function payloadVersion(p: TokenPayload): number {
  if (p.trustId) return PAYLOAD_VERSION.trust;
  if (p.appCredId) return PAYLOAD_VERSION.applicationCredential;
  if (p.projectId) return PAYLOAD_VERSION.project;
  if (p.domainId) return PAYLOAD_VERSION.domain;
  if (p.system) return PAYLOAD_VERSION.system;
  return PAYLOAD_VERSION.unscoped;
}

/** msgpack bytes of a payload. */
export function packPayload(p: TokenPayload): Uint8Array {
  const user = packId(p.userId);
  const methods = methodsToInt(p.methods);
  const audit = packAuditIds(p.auditIds);
  const version = payloadVersion(p);
  let fields: unknown[];
  switch (version) {
    case PAYLOAD_VERSION.trust:
      // A trust without a project packs upstream's (False, None).
      fields = [user, methods, p.projectId ? packId(p.projectId) : [false, null], p.expiresAt, audit, Buffer.from(trustHex(p.trustId), 'hex')];
      break;
    case PAYLOAD_VERSION.applicationCredential:
      fields = [user, methods, packId(need(p.projectId, 'project')), p.expiresAt, audit, packId(p.appCredId as string)];
      break;
    case PAYLOAD_VERSION.project:
      fields = [user, methods, packId(p.projectId as string), p.expiresAt, audit];
      break;
    case PAYLOAD_VERSION.domain:
      fields = [user, methods, packRawId(p.domainId as string), p.expiresAt, audit];
      break;
    case PAYLOAD_VERSION.system:
      fields = [user, methods, p.system, p.expiresAt, audit];
      break;
    default:
      fields = [user, methods, p.expiresAt, audit];
  }
  return encode([version, ...fields]);
}

function need(value: string | undefined, what: string): string {
  if (!value) throw new PayloadError(`a ${what} id is required for this token`);
  return value;
}

function trustHex(id: string | undefined): string {
  if (!id || !UUID_HEX.test(id)) throw new PayloadError('trust ids must be 32-hex UUIDs');
  return id;
}

/** Read msgpack bytes back into a payload; throws PayloadError. */
export function unpackPayload(bytes: Uint8Array): TokenPayload {
  let raw: unknown;
  try {
    raw = decode(bytes);
  } catch {
    throw new PayloadError('payload is not msgpack');
  }
  if (!Array.isArray(raw) || raw.length < 1) throw new PayloadError('payload is not a list');
  const [version, ...f] = raw as unknown[];
  const base = (): Pick<TokenPayload, 'userId' | 'methods'> => ({ userId: unpackId(f[0]), methods: intToMethods(f[1] as number) });
  switch (version) {
    case PAYLOAD_VERSION.unscoped:
      return { ...base(), expiresAt: num(f[2]), auditIds: unpackAuditIds(f[3]) };
    case PAYLOAD_VERSION.domain:
      return { ...base(), domainId: unpackRawId(f[2]), expiresAt: num(f[3]), auditIds: unpackAuditIds(f[4]) };
    case PAYLOAD_VERSION.project:
      return { ...base(), projectId: unpackId(f[2]), expiresAt: num(f[3]), auditIds: unpackAuditIds(f[4]) };
    case PAYLOAD_VERSION.trust: {
      const project = Array.isArray(f[2]) && f[2][1] === null ? {} : { projectId: unpackId(f[2]) };
      return { ...base(), ...project, expiresAt: num(f[3]), auditIds: unpackAuditIds(f[4]), trustId: hexOf(f[5]) };
    }
    case PAYLOAD_VERSION.system:
      return { ...base(), system: textOf(f[2]), expiresAt: num(f[3]), auditIds: unpackAuditIds(f[4]) };
    case PAYLOAD_VERSION.applicationCredential:
      return { ...base(), projectId: unpackId(f[2]), expiresAt: num(f[3]), auditIds: unpackAuditIds(f[4]), appCredId: unpackId(f[5]) };
    default:
      throw new PayloadError(`This is not a recognized Fernet payload version: ${String(version)}`);
  }
}
