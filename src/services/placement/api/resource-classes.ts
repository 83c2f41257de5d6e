/**
 * /resource_classes and /resource_classes/{name} (placement/handlers/resource_class.py, from
 * 1.2): list, show, create (custom only), rename with a body (1.2 to 1.6) or, from 1.7, PUT
 * without a body as create-or-confirm (201/204), delete of unused custom classes.
 */
import {
  HTTPBadRequest, HTTPConflict, ObjectActionError, ResourceClassCannotDeleteStandard, ResourceClassCannotUpdateStandard, ResourceClassExists,
  ResourceClassInUse,
} from '../errors.js';
import { Lookups, type NamedRow } from '../objects/lookups.js';
import { createResourceClass, destroyResourceClass, renameResourceClass } from '../objects/resource-classes.js';
import { Rules } from '../policies/index.js';
import type { ApiDeps } from './deps.js';
import { validationError } from './jsonschema.js';
import {
  apiPath, cacheHeaders, type Call, checkAccept, extractJson, lastModified, requireJson, requireVersion, sendEmpty, sendJson, setLocation,
} from './request.js';
import type { Router } from './router.js';
import * as schemas from './schemas.js';

const rcPath = (name: string): string => `/resource_classes/${name}`;

function view(call: Call, rc: { name: string }): Record<string, unknown> {
  return { name: rc.name, links: [{ rel: 'self', href: apiPath(call, rcPath(rc.name)) }] };
}

export function resourceClassRoutes(router: Router, deps: ApiDeps): void {
  const { store, policy } = deps;

  router.get('/resource_classes', async (call) => {
    requireVersion(call, '1.2');
    checkAccept(call);
    policy.can(call.ctx, Rules.RC_LIST);
    const rcs = await new Lookups(store.db).resourceClasses();
    cacheHeaders(call, lastModified(rcs));
    sendJson(call, { resource_classes: rcs.map((rc) => view(call, rc)) });
  });

  router.post('/resource_classes', async (call) => {
    requireVersion(call, '1.2');
    requireJson(call);
    policy.can(call.ctx, Rules.RC_CREATE);
    const { name } = extractJson<{ name: string }>(call, schemas.POST_RC_1_2);
    try {
      await createResourceClass(store.db, name);
    } catch (err) {
      if (err instanceof ResourceClassExists) throw new HTTPConflict(`Conflicting resource class already exists: ${name}`);
      if (err instanceof ObjectActionError) {
        throw new HTTPConflict(`Max retries of DB transaction exceeded attempting to create resource class: ${name}, please try again.`);
      }
      throw err;
    }
    setLocation(call, rcPath(name));
    sendEmpty(call, 201);
  });

  router.get('/resource_classes/:name', async (call) => {
    requireVersion(call, '1.2');
    checkAccept(call);
    policy.can(call.ctx, Rules.RC_SHOW);
    const rc = await new Lookups(store.db).resourceClass(call.params['name']!);
    cacheHeaders(call, lastModified([rc]));
    sendJson(call, view(call, rc));
  });

  router.put('/resource_classes/:name', async (call) => {
    requireVersion(call, '1.2');
    if (call.version.atLeast('1.7')) return ensureClass(call, deps);
    requireJson(call);
    policy.can(call.ctx, Rules.RC_UPDATE);
    const name = call.params['name']!;
    const data = extractJson<{ name: string }>(call, schemas.PUT_RC_1_2);
    try {
      await store.write(async (tx) => renameResourceClass(tx, await new Lookups(tx).resourceClass(name), data.name));
    } catch (err) {
      if (err instanceof ResourceClassExists) throw new HTTPConflict(`Resource class already exists: ${data.name}`);
      if (err instanceof ResourceClassCannotUpdateStandard) throw new HTTPBadRequest(`Cannot update standard resource class ${name}`);
      throw err;
    }
    return sendJson(call, view(call, { name: data.name }));
  });

  router.delete('/resource_classes/:name', async (call) => {
    requireVersion(call, '1.2');
    policy.can(call.ctx, Rules.RC_DELETE);
    try {
      await store.write(async (tx) => destroyResourceClass(tx, await new Lookups(tx).resourceClass(call.params['name']!)));
    } catch (err) {
      if (err instanceof ResourceClassCannotDeleteStandard) throw new HTTPBadRequest(`Error in delete resource class: ${err.message}`);
      if (err instanceof ResourceClassInUse) throw new HTTPConflict(`Error in delete resource class: ${err.message}`);
      throw err;
    }
    sendEmpty(call, 204);
  });
}

/** PUT /resource_classes/{name} from 1.7: create the custom class unless it exists. */
async function ensureClass(call: Call, deps: ApiDeps): Promise<void> {
  deps.policy.can(call.ctx, Rules.RC_UPDATE);
  const name = call.params['name']!;
  // Upstream validates the name by feeding '{"name": "<name>"}' to the body schema.
  const error = validationError(schemas.PUT_RC_1_2, { name });
  if (error !== undefined) throw new HTTPBadRequest(`JSON does not validate: ${error}`);
  const lookups = new Lookups(deps.store.db);
  let status = 204;
  let rc: NamedRow | undefined = await lookups.resourceClass(name).catch(() => undefined);
  if (!rc) {
    try {
      await createResourceClass(deps.store.db, name);
      status = 201;
    } catch (err) {
      if (!(err instanceof ResourceClassExists)) throw err;
    }
    lookups.clear();
    rc = await lookups.resourceClass(name);
  }
  setLocation(call, rcPath(rc.name));
  sendEmpty(call, status);
}
