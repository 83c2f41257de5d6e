/**
 * The Compute API (nova-api) as one Fastify plugin: the version documents, then every resource
 * under /v2.1 with microversion negotiation. One module per resource (nova's
 * api/openstack/compute/*.py); adding a resource is its module plus one entry in RESOURCES.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useMicroversions } from '../../../common/http/microversion.js';
import { NotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { computeMicroversions } from './microversions.js';
import { attachInterfacesRoutes } from './attach-interfaces.js';
import { serverExternalEventsRoutes } from './server-external-events.js';
import { serverMetadataRoutes } from './server-metadata.js';
import { serverPasswordRoutes } from './server-password.js';
import { serverSecurityGroupsRoutes } from './server-security-groups.js';
import { serverTagsRoutes } from './server-tags.js';
import { serversRoutes } from './servers.js';
import { versionRoutes } from './versions.js';
import { volumeAttachmentsRoutes } from './volume-attachments.js';

/** A resource's routes, registered below /v2.1. */
export type ResourceRoutes = (app: FastifyInstance, deps: ApiDeps) => void;

const RESOURCES: readonly ResourceRoutes[] = [
  serversRoutes, serverExternalEventsRoutes,
  serverMetadataRoutes, serverTagsRoutes, serverPasswordRoutes, attachInterfacesRoutes, serverSecurityGroupsRoutes,
  volumeAttachmentsRoutes,
];

export function computeRoutes(deps: ApiDeps, baseUrl: string): FastifyPluginAsync {
  return async (app) => {
    versionRoutes(app, baseUrl);
    await app.register(async (v21) => {
      useMicroversions(v21, computeMicroversions);
      // Unknown paths below /v2.1 are answered after negotiation, as nova's router does.
      v21.setNotFoundHandler(async () => {
        throw new NotFound('The resource could not be found.');
      });
      for (const resource of RESOURCES) resource(v21, deps);
    }, { prefix: '/v2.1' });
  };
}
