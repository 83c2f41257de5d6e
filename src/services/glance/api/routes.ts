/**
 * The image service's HTTP routes as one Fastify plugin: body parsers for the JSON-patch
 * media types and raw image data, and every resource's routes.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { PATCH_MEDIA_TYPES } from '../domain/json-patch.js';
import type { GlanceApi } from './context.js';
import { discoveryRoutes } from './discovery.js';
import { imageDataRoutes } from './image-data.js';
import { imageRoutes } from './images.js';
import { memberRoutes } from './members.js';
import { taskRoutes } from './tasks.js';
import { metadefRoutes } from '../metadefs/routes.js';

export function glanceRoutes(api: GlanceApi): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    // Image PATCH documents are JSON under Glance's own media types.
    app.addContentTypeParser(Object.keys(PATCH_MEDIA_TYPES), { parseAs: 'string' }, (_req, body, done) => {
      const text = String(body);
      if (text.trim() === '') return done(null, undefined);
      try {
        done(null, JSON.parse(text));
      } catch {
        done(new BadRequest('Malformed JSON in request body.'), undefined);
      }
    });

    discoveryRoutes(app, api);
    imageRoutes(app, api);
    imageDataRoutes(app, api);
    memberRoutes(app, api);
    taskRoutes(app, api);
    metadefRoutes(app, api.metadefs, api.metadefSchemas);
  };
}
