/**
 * The proxy's pipeline, in proxy-server.conf's order: container_sync, bulk (extract-archive, bulk-delete),
 * formpost and tempurl before keystoneauth; staticweb, container and account quotas, symlink,
 * slo, versioned_writes and the object expiry checks after it, then CORS (the controllers' in
 * Swift). DLO is the object controller's. Symlink sits before slo here (Swift: after
 * versioned_writes) because the links it follows go through the whole pipeline, so a target
 * that is a large object is assembled there and not again on the way back. object_versioning
 * (versioned_writes' new mode) sits before symlink, as in Swift: its versions are links.
 */
import type { Clock, ProxyDeps } from '../request.js';
import { AccountQuotas } from './account-quotas.js';
import { BulkDelete, ExtractArchive } from './bulk.js';
import { ContainerQuotas } from './container-quotas.js';
import { ContainerSync } from './container-sync.js';
import { Cors } from './cors.js';
import { ExpiringQueue } from './expiring-queue.js';
import { ObjectExpiry } from './expiry.js';
import { FormPost } from './formpost.js';
import { ObjectVersioning } from './object-versioning.js';
import type { Handler, Middleware } from './pipeline.js';
import { StaticLargeObjects } from './slo.js';
import { StaticWeb } from './staticweb.js';
import { Symlinks } from './symlink.js';
import { TempUrl } from './tempurl.js';
import { VersionedWrites } from './versioned-writes.js';

export interface ProxyPipeline {
  beforeAuth: Middleware[];
  afterAuth: Middleware[];
  /** The expirer's queue (the `.expiring_objects` account). */
  expiring: ExpiringQueue;
}

/** `app` is the whole proxy: the middlewares' subrequests go through it; `clock` the proxy's (version ids). */
export function proxyMiddlewares(deps: ProxyDeps, app: Handler, clock: Clock): ProxyPipeline {
  const expiring = new ExpiringQueue(app, deps.log);
  return {
    beforeAuth: [
      ...(deps.containerSync ? [new ContainerSync(app, deps.containerSync)] : []),
      new ExtractArchive(app, deps.settings.maxFileSize), new BulkDelete(app), new TempUrl(app), new FormPost(app),
    ],
    afterAuth: [
      new StaticWeb(), new ContainerQuotas(), new AccountQuotas(), new ObjectVersioning(clock, deps.settings.recheckContainerMs), new Symlinks(app, deps.settings.symloopMax), new StaticLargeObjects(app), new VersionedWrites(),
      new ObjectExpiry(expiring), new Cors(deps.settings.cors ?? { allowOrigin: [], exposeHeaders: [], strictMode: true }),
    ],
    expiring,
  };
}
