/**
 * The Compute API (nova-api) as one Fastify plugin: the version documents, then every resource
 * under /v2.1 with microversion negotiation, also served with the project id in the path and
 * as the legacy v2 API (legacy-v2.ts). One module per resource (nova's
 * api/openstack/compute/*.py); adding a resource is its module plus one entry in RESOURCES.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useMicroversions } from '../../../common/http/microversion.js';
import { usePathRewrites } from '../../../common/http/path-rewrite.js';
import { NotFound } from '../errors.js';
import { availabilityZoneRoutes } from './availability-zones.js';
import type { ApiDeps } from './deps.js';
import { flavorAccessRoutes } from './flavor-access.js';
import { flavorExtraSpecsRoutes } from './flavor-extra-specs.js';
import { flavorsRoutes } from './flavors.js';
import { keypairsRoutes } from './keypairs.js';
import { COMPUTE_PATH_REWRITES, isLegacyV2, urlProjectMismatch } from './legacy-v2.js';
import { limitsRoutes } from './limits.js';
import { computeMicroversions } from './microversions.js';
import { quotaClassesRoutes } from './quota-classes.js';
import { quotaSetsRoutes } from './quota-sets.js';
import { serverGroupsRoutes } from './server-groups.js';
import { simpleTenantUsageRoutes } from './simple-tenant-usage.js';
import { consoleAuthTokensRoutes } from './console-auth-tokens.js';
import { remoteConsolesRoutes } from './remote-consoles.js';
import { aggregatesRoutes } from './aggregates.js';
import { hypervisorsRoutes } from './hypervisors.js';
import { migrationsRoutes } from './migrations.js';
import { instanceActionsRoutes } from './instance-actions.js';
import { serverDiagnosticsRoutes } from './server-diagnostics.js';
import { serverExternalEventsRoutes } from './server-external-events.js';
import { servicesRoutes } from './services.js';
import { attachInterfacesRoutes } from './attach-interfaces.js';
import { serverMetadataRoutes } from './server-metadata.js';
import { serverPasswordRoutes } from './server-password.js';
import { serverSecurityGroupsRoutes } from './server-security-groups.js';
import { serverTagsRoutes } from './server-tags.js';
import { serverMigrationsRoutes } from './server-migrations.js';
import { serverIpsRoutes } from './server-ips.js';
import { serversRoutes } from './servers.js';
import { versionRoutes, versionV21Route } from './versions.js';
import { volumeAttachmentsRoutes } from './volume-attachments.js';
import { imagesRoutes } from './images.js';
import { imageMetadataRoutes } from './image-metadata.js';
import { hostsRoutes } from './hosts.js';
import { instanceUsageAuditLogRoutes } from './instance-usage-audit-log.js';
import { networksRoutes } from './networks.js';
import { securityGroupsRoutes } from './security-groups.js';
import { securityGroupRulesRoutes } from './security-group-rules.js';
import { floatingIpsRoutes } from './floating-ips.js';
import { volumesRoutes } from './volumes.js';
import { extensionsRoutes } from './extensions.js';

/** A resource's routes, registered below /v2.1. */
export type ResourceRoutes = (app: FastifyInstance, deps: ApiDeps) => void;

const RESOURCES: readonly ResourceRoutes[] = [
  serversRoutes, serverExternalEventsRoutes,
  quotaSetsRoutes, quotaClassesRoutes, limitsRoutes, serverGroupsRoutes, simpleTenantUsageRoutes,
  flavorsRoutes, flavorExtraSpecsRoutes, flavorAccessRoutes, keypairsRoutes, availabilityZoneRoutes,
  remoteConsolesRoutes, consoleAuthTokensRoutes,
  aggregatesRoutes, servicesRoutes, hypervisorsRoutes, migrationsRoutes, instanceActionsRoutes, serverDiagnosticsRoutes,
  serverMetadataRoutes, serverTagsRoutes, serverPasswordRoutes, attachInterfacesRoutes, serverSecurityGroupsRoutes,
  volumeAttachmentsRoutes, serverIpsRoutes,
  serverMigrationsRoutes,
  imagesRoutes, imageMetadataRoutes, hostsRoutes, instanceUsageAuditLogRoutes,
  networksRoutes, securityGroupsRoutes, securityGroupRulesRoutes, floatingIpsRoutes, volumesRoutes,
  extensionsRoutes,
];

export function computeRoutes(deps: ApiDeps, baseUrl: string): FastifyPluginAsync {
  return async (app) => {
    versionRoutes(app, baseUrl);
    // /v2.1/{project_id}/... and the legacy /v2[/{project_id}]/... are routed to /v2.1.
    usePathRewrites(app, COMPUTE_PATH_REWRITES);
    await app.register(async (v21) => {
      // nova's compute_req_id middleware (before the API, so on every answer): the request id
      // also under its older name.
      v21.addHook('onRequest', (req, reply, done) => {
        reply.header('x-compute-request-id', req.id);
        done();
      });
      // LegacyV2CompatibleWrapper: a legacy v2 request is 2.1, without version headers.
      useMicroversions(v21, { ...computeMicroversions, unversioned: isLegacyV2 });
      // The project id of the path is the caller's, or a 400 (after negotiation, as in wsgi.py).
      v21.addHook('onRequest', (req, _reply, done) => done(urlProjectMismatch(req)));
      // Unknown paths below /v2.1 are answered after negotiation, as nova's router does.
      v21.setNotFoundHandler(async () => {
        throw new NotFound('The resource could not be found.');
      });
      versionV21Route(v21, baseUrl);
      for (const resource of RESOURCES) resource(v21, deps);
    }, { prefix: '/v2.1' });
  };
}
