/**
 * The image service's HTTP routes as one Fastify plugin: body parsers for the JSON-patch
 * media types and raw image data, and every resource's routes.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { jsonBodyParser } from '../../../common/http/json-body.js';
import { PATCH_MEDIA_TYPES } from '../domain/json-patch.js';
import type { GlanceApi } from './context.js';
import { discoveryRoutes } from './discovery.js';
import { imageDataRoutes } from './image-data.js';
import { imageRoutes } from './images.js';
import { memberRoutes } from './members.js';
import { taskRoutes } from './tasks.js';
import { metadefRoutes } from './metadefs.js';

export function glanceRoutes(api: GlanceApi): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Image PATCH documents are JSON under Glance's own media types.
    app.addContentTypeParser(Object.keys(PATCH_MEDIA_TYPES), { parseAs: 'string' }, jsonBodyParser({
      maxDepth: app.maxJsonDepth,
      malformed: () => new BadRequest('Malformed JSON in request body.'),
    }));

    discoveryRoutes(app, api);
    imageRoutes(app, api);
    imageDataRoutes(app, api);
    memberRoutes(app, api);
    taskRoutes(app, api);
    metadefRoutes(app, api.metadefs, api.metadefSchemas);
  };
}
