/**
 * The shape checks of POST /v3/auth/tokens (keystone/auth/schema.py token_issue and
 * validate_issue_token_auth). Like upstream's schema it allows unknown keys; it rejects wrong
 * types and the missing ids/names with upstream's messages.
 */
import { ValidationError } from '../errors.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new ValidationError(path ? `Invalid input for field '${path}': ${message}` : message);
}

function optObject(parent: Obj, key: string, path: string): Obj | undefined {
  const v = parent[key];
  if (v === undefined) return undefined;
  if (!isObj(v)) fail(path, `${JSON.stringify(v)} is not of type 'object'`);
  return v;
}

function optStrings(o: Obj, keys: readonly string[], path: string): void {
  for (const k of keys) {
    const v = o[k];
    if (v !== undefined && typeof v !== 'string') fail(`${path}/${k}`, `${JSON.stringify(v)} is not of type 'string'`);
  }
}

/** An `{id, name}` reference (domain): both strings when present. */
function nameRef(parent: Obj, key: string, path: string): Obj | undefined {
  const o = optObject(parent, key, path);
  if (o) optStrings(o, ['id', 'name'], path);
  return o;
}

function idOrName(o: Obj | undefined, path: string): void {
  if (o && !('id' in o) && !('name' in o)) throw new ValidationError(`Invalid input for field ${path}: id or name must be present.`);
}

/** Validate the `auth` object of a token request (undefined passes; the caller reports it). */
export function validateIssueTokenAuth(auth: unknown): void {
  if (auth === undefined || auth === null) return;
  if (!isObj(auth)) fail('', `${JSON.stringify(auth)} is not of type 'object'`);
  if (!('identity' in auth)) fail('', "'identity' is a required property");
  const identity = optObject(auth, 'identity', 'identity') as Obj;
  if (!('methods' in identity)) fail('identity', "'methods' is a required property");
  const methods = identity['methods'];
  if (!Array.isArray(methods)) fail('identity/methods', `${JSON.stringify(methods)} is not of type 'array'`);
  methods.forEach((m, i) => { if (typeof m !== 'string') fail(`identity/methods/${i}`, `${JSON.stringify(m)} is not of type 'string'`); });

  const password = optObject(identity, 'password', 'identity/password');
  const user = password ? optObject(password, 'user', 'identity/password/user') : undefined;
  if (user) {
    optStrings(user, ['id', 'name', 'password'], 'identity/password/user');
    const domain = nameRef(user, 'domain', 'identity/password/user/domain');
    idOrName(user, 'identity/password/user');
    idOrName(domain, 'identity/password/user/domain');
  }
  const token = optObject(identity, 'token', 'identity/token');
  if (token) {
    if (!('id' in token)) fail('identity/token', "'id' is a required property");
    optStrings(token, ['id'], 'identity/token');
  }

  const scope = auth['scope'];
  if (scope === undefined || typeof scope === 'string') return;
  if (!isObj(scope)) fail('scope', `${JSON.stringify(scope)} is not of type 'object', 'string'`);
  const project = optObject(scope, 'project', 'scope/project');
  if (project) {
    optStrings(project, ['id', 'name'], 'scope/project');
    const pd = nameRef(project, 'domain', 'scope/project/domain');
    idOrName(project, 'scope/project');
    idOrName(pd, 'scope/project/domain');
  }
  idOrName(nameRef(scope, 'domain', 'scope/domain'), 'scope/domain');
  const trust = optObject(scope, 'OS-TRUST:trust', 'scope/OS-TRUST:trust');
  if (trust) optStrings(trust, ['id'], 'scope/OS-TRUST:trust');
  const system = optObject(scope, 'system', 'scope/system');
  if (system && system['all'] !== undefined && system['all'] !== null && typeof system['all'] !== 'boolean') {
    fail('scope/system/all', `${JSON.stringify(system['all'])} is not of type 'boolean'`);
  }
}
