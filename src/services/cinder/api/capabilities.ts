/**
 * capabilities/{host} (cinder/api/contrib/capabilities.py, admin): what a volume backend
 * reports of itself (its last capability report, as the schedulers hold it), in the view of
 * cinder/api/views/capabilities.py. An unknown backend is a 404.
 */
import type { FastifyInstance } from 'fastify';
import { ServiceNotFound } from '../errors.js';
import { VOLUME_BINARY } from '../rpc/topics.js';
import { backendOf } from '../volume/rpcapi.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';

type Params = { Params: { project_id?: string; host: string } };

/** The capabilities a driver documents as properties (driver.py's init_capabilities: thin/thick provisioning, QoS, compression, replication). */
const PROPERTIES: Record<string, { title: string; description: string; type: string }> = {
  thin_provisioning: { title: 'Thin Provisioning', description: 'Sets thin provisioning.', type: 'boolean' },
  compression: { title: 'Compression', description: 'Enables compression.', type: 'boolean' },
  qos: { title: 'QoS', description: 'Enables QoS.', type: 'boolean' },
  replication_enabled: { title: 'Replication', description: 'Enables replication.', type: 'boolean' },
};

export function capabilitiesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<Params>('/capabilities/:host', async (req) => {
    const c = caller(req, deps);
    deps.policy.authorize(c.ctx, 'volume_extension:capabilities');
    const backend = backendOf(req.params.host);
    const service = (await deps.repos.services.list()).find((s) => s.binary === VOLUME_BINARY && s.host === backend);
    if (!service) throw new ServiceNotFound(req.params.host);
    const pools = (await deps.scheduler.getPools(c.ctx, null)).filter((p) => backendOf(p.name) === backend);
    const caps = pools[0]?.capabilities;
    if (!caps) throw new ServiceNotFound(req.params.host);
    return {
      namespace: `OS::Storage::Capabilities::${backend}`, vendor_name: String(caps['vendor_name'] ?? ''), volume_backend_name: String(caps['volume_backend_name'] ?? ''),
      pool_name: null, driver_version: String(caps['driver_version'] ?? ''), storage_protocol: String(caps['storage_protocol'] ?? ''),
      display_name: null, description: null, visibility: null, replication_targets: [], properties: PROPERTIES,
    };
  });
}
