/** os-availability-zone (cinder/api/contrib/availability_zones.py): the zones of the volume services. */
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from './deps.js';

export function availabilityZonesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-availability-zone', async () => ({
    availabilityZoneInfo: (await deps.volumes.availabilityZones()).map((z) => ({ zoneName: z.name, zoneState: { available: z.available } })),
  }));
}
