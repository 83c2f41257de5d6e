/**
 * The Block Storage API (cinder-api) as one Fastify plugin: the version documents, then every
 * resource under /v3/{project_id} (and /v3 without it, as 3.67 allows) with microversion
 * negotiation. One module per resource (cinder/api/v3/*.py and contrib/); adding a resource is
 * its module plus one entry in RESOURCES.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { useMicroversions } from '../../../common/http/microversion.js';
import { attachmentsRoutes } from './attachments.js';
import { availabilityZonesRoutes } from './availability-zones.js';
import { backupsRoutes } from './backups.js';
import { capabilitiesRoutes } from './capabilities.js';
import { defaultTypesRoutes } from './default-types.js';
import { encryptionTypesRoutes } from './encryption-types.js';
import { extensionsRoutes } from './extensions.js';
import { groupSnapshotsRoutes } from './group-snapshots.js';
import { groupTypesRoutes } from './group-types.js';
import { groupsRoutes } from './groups.js';
import { hostsRoutes } from './hosts.js';
import { messagesRoutes } from './messages.js';
import { qosSpecsRoutes } from './qos-specs.js';
import { quotaClassRoutes } from './quota-classes.js';
import type { ApiDeps } from './deps.js';
import { snapshotMetadataRoutes, volumeMetadataRoutes } from './metadata.js';
import { cinderMicroversions } from './microversions.js';
import { quotaRoutes } from './quotas.js';
import { servicesRoutes } from './services.js';
import { snapshotsRoutes } from './snapshots.js';
import { transfersRoutes } from './transfers.js';
import { typesRoutes } from './types.js';
import { versionRoutes } from './versions.js';
import { volumeActionsRoutes } from './volume-actions.js';
import { volumeManageRoutes } from './volume-manage.js';
import { workersRoutes } from './workers.js';
import { volumesRoutes } from './volumes.js';

export type ResourceRoutes = (app: FastifyInstance, deps: ApiDeps) => void;

const RESOURCES: readonly ResourceRoutes[] = [
  volumesRoutes, volumeActionsRoutes, volumeMetadataRoutes, typesRoutes, availabilityZonesRoutes, quotaRoutes, servicesRoutes,
  snapshotsRoutes, snapshotMetadataRoutes, attachmentsRoutes, backupsRoutes,
  // transfers, QoS specs, encryption types, quota classes, user messages, hosts, capabilities, the extension list, generic groups, managing volumes, workers cleanup, default types
  transfersRoutes, qosSpecsRoutes, encryptionTypesRoutes, quotaClassRoutes, messagesRoutes, hostsRoutes, capabilitiesRoutes, extensionsRoutes,
  groupTypesRoutes, groupsRoutes, groupSnapshotsRoutes, volumeManageRoutes, workersRoutes, defaultTypesRoutes,
];

export function cinderRoutes(deps: ApiDeps): FastifyPluginAsync {
  return async (app) => {
    versionRoutes(app, deps.baseUrl);
    for (const prefix of ['/v3/:project_id', '/v3']) {
      await app.register(async (v3) => {
        useMicroversions(v3, cinderMicroversions);
        for (const resource of RESOURCES) resource(v3, deps);
      }, { prefix });
    }
  };
}
