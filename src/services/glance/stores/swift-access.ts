/**
 * Whose Swift account image data goes to, and with which token (glance_store's SingleTenantStore
 * and MultiTenantStore with their connection managers), over Swift's REST API only:
 *
 * - single tenant, no swift_store_config_file (as DevStack's Glance with its service user): the
 *   account of Glance's service user, its token from Keystone, the object-store endpoint of its
 *   catalog; locations name that storage URL (`swift+http://host/object/v1/AUTH_<project>/glance/<id>`);
 * - single tenant with swift_store_config_file: the account of the reference's user, logged in
 *   with its password; locations are `swift+config://<reference>/glance/<id>`;
 * - multi-tenant: the image owner's own account with the user's token (Glance's as service
 *   token), the object-store endpoint of the user's catalog; one container per image
 *   (`<container>_<image id>`); locations name the user's storage URL.
 */
import { catalogEndpoint, IdentityClient, ObjectClient, ServiceSession } from '../../../common/clients/index.js';
import type { SwiftReference } from './swift-references.js';
import { referenceUri, storageUri, type SwiftLocation } from './swift-location.js';
import { DataNotFound, StoreConfigurationError, type StoreContext } from './store.js';

/** Where a new image's data goes. */
export interface SwiftTarget {
  client: ObjectClient;
  container: string;
  object: string;
  /** The image location of the object. */
  uri: string;
}

/** How the store reaches Swift for a new image and for an existing location. */
export interface SwiftAccess {
  readonly multiTenant: boolean;
  target(imageId: string, ctx: StoreContext | undefined): Promise<SwiftTarget>;
  client(location: SwiftLocation, ctx: StoreContext | undefined): Promise<ObjectClient>;
}

export interface EndpointChoice {
  /** The object-store catalog type (swift_store_service_type). */
  serviceType: string;
  interface: 'public' | 'internal' | 'admin';
  region: string;
  /** swift_store_endpoint: a storage URL used instead of the catalog's. */
  override?: string;
}

/** swift_store_endpoint_type's value as a catalog interface. */
export function catalogInterface(endpointType: string): 'public' | 'internal' | 'admin' {
  return endpointType === 'internalURL' ? 'internal' : endpointType === 'adminURL' ? 'admin' : 'public';
}

export interface SingleTenantOptions {
  /** Glance's service session (its catalog interface and region as configured). */
  session: ServiceSession;
  endpoint: EndpointChoice;
  container: string;
  /** swift_store_multiple_containers_seed. */
  containersSeed: number;
  /** swift_store_config_file's references and the one new data goes to; none: the service user's account. */
  references?: { all: ReadonlyMap<string, SwiftReference>; default: string };
  /** A session logging in with other credentials (references, credentials in a location). */
  sessionFor(authUrl: string, credentials: SwiftReference['credentials']): ServiceSession;
}

/** The container of an image in single-tenant mode (glance_store's get_container_name). */
export function singleTenantContainer(base: string, seed: number, imageId: string): string {
  if (seed <= 0) return base;
  const id = imageId.toLowerCase();
  const dashes = [...id.slice(0, seed)].filter((c) => c === '-').length;
  return `${base}_${id.slice(0, seed + dashes)}`;
}

export class SingleTenantAccess implements SwiftAccess {
  readonly multiTenant = false;
  private readonly sessions = new Map<string, ServiceSession>();

  constructor(private readonly o: SingleTenantOptions) {
    if (o.references && !o.references.all.has(o.references.default)) {
      throw new StoreConfigurationError(`default_swift_reference ${o.references.default} is not a section of swift_store_config_file`);
    }
  }

  private async storageUrl(session: ServiceSession): Promise<string> {
    return this.o.endpoint.override ?? session.endpoint(this.o.endpoint.serviceType);
  }

  private referenceSession(name: string): ServiceSession {
    const ref = this.o.references?.all.get(name);
    if (!ref) throw new DataNotFound(`Swift account reference ${name} is not in swift_store_config_file`);
    return this.cachedSession(ref.authUrl, ref.credentials);
  }

  private cachedSession(authUrl: string, credentials: SwiftReference['credentials']): ServiceSession {
    const key = JSON.stringify([authUrl, credentials.projectName, credentials.username, credentials.password]);
    let s = this.sessions.get(key);
    if (!s) {
      s = this.o.sessionFor(authUrl, credentials);
      this.sessions.set(key, s);
    }
    return s;
  }

  async target(imageId: string): Promise<SwiftTarget> {
    const container = singleTenantContainer(this.o.container, this.o.containersSeed, imageId);
    const ref = this.o.references?.default;
    const session = ref ? this.referenceSession(ref) : this.o.session;
    const url = await this.storageUrl(session);
    return {
      client: new ObjectClient(session).at(url),
      container,
      object: imageId,
      uri: ref ? referenceUri(ref, container, imageId) : storageUri(url, container, imageId),
    };
  }

  async client(location: SwiftLocation): Promise<ObjectClient> {
    switch (location.kind) {
      case 'storage':
        return new ObjectClient(this.o.session).at(location.storageUrl);
      case 'reference': {
        const session = this.referenceSession(location.reference);
        return new ObjectClient(session).at(await this.storageUrl(session));
      }
      case 'credentials': {
        const colon = location.user.indexOf(':');
        if (colon <= 0) throw new DataNotFound(`Badly formed tenant:user '${location.user}' in Swift URI`);
        const session = this.cachedSession(location.authUrl.replace(/\/+$/, '').replace(/\/v3$/, ''), {
          projectName: location.user.slice(0, colon), username: location.user.slice(colon + 1), password: location.key,
          userDomainName: 'Default', projectDomainName: 'Default',
        });
        return new ObjectClient(session).at(await this.storageUrl(session));
      }
    }
  }
}

export interface MultiTenantOptions {
  session: ServiceSession;
  endpoint: EndpointChoice;
  container: string;
  /** How long a project's storage URL read from its catalog is reused. */
  cacheMs?: number;
}

export class MultiTenantAccess implements SwiftAccess {
  readonly multiTenant = true;
  private readonly urls = new Map<string, { url: string; until: number }>();

  constructor(private readonly o: MultiTenantOptions) {}

  private token(ctx: StoreContext | undefined): string {
    if (!ctx?.token) throw new StoreConfigurationError('Multi-tenant Swift storage requires a context.');
    return ctx.token;
  }

  /** The user's storage URL: swift_store_endpoint, else the object-store endpoint of the user's catalog. */
  private async storageUrl(ctx: StoreContext | undefined): Promise<string> {
    const token = this.token(ctx);
    if (this.o.endpoint.override) return this.o.endpoint.override;
    const key = ctx?.projectId ?? token;
    const hit = this.urls.get(key);
    if (hit && hit.until > Date.now()) return hit.url;
    const catalog = await new IdentityClient(this.o.session).forUser(token).authCatalog();
    const { serviceType, region } = this.o.endpoint;
    const iface = this.o.endpoint.interface;
    const url = catalogEndpoint(catalog, serviceType, iface, region);
    if (!url) throw new StoreConfigurationError(`the user's catalog has no ${iface} ${serviceType} endpoint in region ${region}`);
    this.urls.set(key, { url, until: Date.now() + (this.o.cacheMs ?? 300_000) });
    return url;
  }

  async target(imageId: string, ctx: StoreContext | undefined): Promise<SwiftTarget> {
    const url = await this.storageUrl(ctx);
    const container = `${this.o.container}_${imageId}`;
    return { client: new ObjectClient(this.o.session).forUser(this.token(ctx)).at(url), container, object: imageId, uri: storageUri(url, container, imageId) };
  }

  async client(location: SwiftLocation, ctx: StoreContext | undefined): Promise<ObjectClient> {
    if (location.kind !== 'storage') throw new DataNotFound('a multi-tenant Swift store reads locations at a storage URL only');
    return new ObjectClient(this.o.session).forUser(this.token(ctx)).at(location.storageUrl);
  }
}
