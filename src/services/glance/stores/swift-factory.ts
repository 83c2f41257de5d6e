/**
 * The `swift` store built from [glance_store] (glance_store's Store(conf) choosing the single-
 * or multi-tenant store): the access mode, its sessions and the segmenting sizes.
 */
import { ServiceSession } from '../../../common/clients/index.js';
import type { Values } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import type { ServiceCredentials } from '../../../common/service/project.js';
import type { glanceStoreGroup } from '../config.js';
import type { BackendSpec } from './registry.js';
import { catalogInterface, MultiTenantAccess, SingleTenantAccess, type EndpointChoice } from './swift-access.js';
import { readSwiftReferences } from './swift-references.js';
import { SwiftStore } from './swift-store.js';
import type { ImageStore } from './store.js';

/** glance_store's ONE_MB: "the mixed meaning of MB" (units.k * units.Ki), so segments are as upstream's. */
const MB = 1000 * 1024;

export interface SwiftStoreDeps {
  /** Glance's service session (public interface, the cloud's region). */
  session: ServiceSession;
  identityUrl: string;
  credentials: ServiceCredentials;
  region: string;
  /** Location metadata names the store (multi-store). */
  multiStore: boolean;
}

export function swiftStoreFactory(o: Values<(typeof glanceStoreGroup)['opts']>, deps: SwiftStoreDeps): (spec: BackendSpec, description: string) => ImageStore {
  return (spec, description) => {
    if (o.swift_store_multi_tenant && o.swift_store_config_file) {
      throw new OperatorError("[glance_store] Swift multi-tenant store cannot be configured to work with swift+config. The options 'swift_store_multi_tenant' and 'swift_store_config_file' are mutually exclusive.");
    }
    const endpoint: EndpointChoice = {
      serviceType: o.swift_store_service_type,
      interface: catalogInterface(o.swift_store_endpoint_type),
      region: o.swift_store_region || deps.region,
      ...(o.swift_store_endpoint ? { override: o.swift_store_endpoint.replace(/\/+$/, '') } : {}),
    };
    const sessionFor = (authUrl: string, credentials: ServiceCredentials): ServiceSession =>
      new ServiceSession({ authUrl, credentials, region: endpoint.region, interface: endpoint.interface });
    // The service's own session finds the public endpoint of the cloud's region; another choice needs its own.
    const session = endpoint.interface === 'public' && endpoint.region === deps.region ? deps.session : sessionFor(deps.identityUrl, deps.credentials);
    const access = o.swift_store_multi_tenant
      ? new MultiTenantAccess({ session, endpoint, container: o.swift_store_container })
      : new SingleTenantAccess({
        session, endpoint, container: o.swift_store_container, containersSeed: o.swift_store_multiple_containers_seed, sessionFor,
        ...(o.swift_store_config_file ? { references: { all: readSwiftReferences(o.swift_store_config_file), default: o.default_swift_reference } } : {}),
      });
    if (!o.swift_store_container) throw new OperatorError('[glance_store] swift_store_container must be set');
    return new SwiftStore({
      id: spec.id, description, multiStore: deps.multiStore, access,
      largeObjectSize: o.swift_store_large_object_size * MB,
      chunkSize: o.swift_store_large_object_chunk_size * MB,
      createContainerOnPut: o.swift_store_create_container_on_put,
      adminTenants: o.swift_store_admin_tenants,
    });
  };
}
