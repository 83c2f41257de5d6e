/**
 * Glance's image PATCH documents (glance/api/v2/images.py RequestDeserializer.update): the
 * 2.1 media type is RFC 6902 JSON-patch (`{"op": "replace", "path": "/name", "value": ...}`),
 * the older 2.0 type uses `{"replace": "/name", "value": ...}`. Only add, remove and replace,
 * only one-level paths (two for /locations), and read-only or reserved attributes refused.
 */
import { BadRequest, Forbidden, UnsupportedMediaType } from '../../../common/errors.js';
import { ownValue } from '../../../common/own.js';
import { RESERVED_NAMESPACE } from './image.js';
import { PatchMediaTypeNotSupported } from '../errors.js';

export const PATCH_MEDIA_TYPES: Readonly<Record<string, 4 | 10>> = {
  'application/openstack-images-v2.0-json-patch': 4,
  'application/openstack-images-v2.1-json-patch': 10,
};

export type PatchOp = 'add' | 'remove' | 'replace';

export interface PatchChange {
  op: PatchOp;
  path: string[];
  value?: unknown;
  /** 4 for the 2.0 media type, 10 for 2.1 (changes `add` of an existing property). */
  draft: 4 | 10;
}

const OPS: readonly PatchOp[] = ['add', 'remove', 'replace'];
const READ_ONLY = ['created_at', 'updated_at', 'status', 'checksum', 'size', 'virtual_size', 'direct_url', 'self', 'file', 'schema', 'id', 'os_hash_algo', 'os_hash_value'];
const RESERVED = ['location', 'deleted', 'deleted_at'];
const PATH_DEPTH: Record<string, Partial<Record<PatchOp, number>>> = { locations: { add: 2, remove: 2, replace: 1 } };

/** The draft version for a Content-Type header, or 415. */
export function patchDraft(contentType: string | undefined): 4 | 10 {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const draft = ownValue(PATCH_MEDIA_TYPES, type);
  if (!draft) throw new PatchMediaTypeNotSupported(Object.keys(PATCH_MEDIA_TYPES));
  return draft;
}

/** Glance accepts only a limited form of JSON pointers. */
function decodePointer(pointer: unknown): string[] {
  if (typeof pointer !== 'string') throw new BadRequest(`Pointer \`${String(pointer)}\` does not start with "/".`);
  if (!pointer.startsWith('/')) throw new BadRequest(`Pointer \`${pointer}\` does not start with "/".`);
  if (/\/\s*?\//.test(pointer.slice(1))) throw new BadRequest(`Pointer \`${pointer}\` contains adjacent "/".`);
  if (pointer.length > 1 && pointer.endsWith('/')) throw new BadRequest(`Pointer \`${pointer}\` end with "/".`);
  if (pointer.slice(1).trim() === '/') throw new BadRequest(`Pointer \`${pointer}\` does not contains valid token.`);
  if (/~[^01]/.test(pointer) || pointer.endsWith('~')) {
    throw new BadRequest(`Pointer \`${pointer}\` contains "~" not part of a recognized escape sequence.`);
  }
  return pointer.replace(/^\/+/, '').split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~').trim());
}

function operationOf(raw: Record<string, unknown>, draft: 4 | 10): PatchOp {
  if (draft === 10) {
    const op = raw['op'];
    if (op === undefined) throw new BadRequest(`Unable to find \`op\` in JSON Schema change. It must be one of the following: ${OPS.join(', ')}.`);
    if (!OPS.includes(op as PatchOp)) throw new BadRequest(`Invalid operation: \`${String(op)}\`. It must be one of the following: ${OPS.join(', ')}.`);
    return op as PatchOp;
  }
  const present = OPS.filter((o) => o in raw);
  if (present.length > 1) throw new BadRequest('Operation objects must contain only one member named "add", "remove", or "replace".');
  if (present.length === 0) throw new BadRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
  return present[0]!;
}

/**
 * Parse a PATCH body into changes.
 * @param validateValue schema check of `{attr: value}` for set operations (400 on failure)
 */
export function parsePatch(body: unknown, draft: 4 | 10, validateValue: (partial: Record<string, unknown>) => void): PatchChange[] {
  if (body === undefined) throw new BadRequest('Body expected in request.');
  if (!Array.isArray(body)) throw new BadRequest('Request body must be a JSON array of operation objects.');
  return body.map((raw: unknown) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new BadRequest('Operations must be JSON objects.');
    const obj = raw as Record<string, unknown>;
    const op = operationOf(obj, draft);
    if (draft === 10 && !('path' in obj)) throw new BadRequest("Unable to find 'path' in JSON Schema change");
    const path = decodePointer(draft === 10 ? obj['path'] : obj[op]);
    const root = path[0]!;
    if (path.length !== (ownValue(PATH_DEPTH, root)?.[op] ?? 1)) throw new BadRequest(`Invalid JSON pointer for this resource: '/${path.join('/')}'`);
    const change: PatchChange = { op, path, draft };
    if (op !== 'remove') {
      if (!('value' in obj)) throw new BadRequest(`Operation "${op}" requires a member named "value".`);
      change.value = obj['value'];
    }
    if (READ_ONLY.includes(root)) throw new Forbidden(`Attribute '${root}' is read-only.`);
    if (RESERVED.includes(root) || root.startsWith(RESERVED_NAMESPACE)) throw new Forbidden(`Attribute '${root}' is reserved.`);
    if (op !== 'remove') {
      if (path.length === 1) validateValue({ [root]: change.value });
      else if (root === 'locations') validateValue({ [root]: [change.value] });
    }
    return change;
  });
}
