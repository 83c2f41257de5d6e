/**
 * The contract every OpenStack service folder implements (src/services/<project>/index.ts
 * exports one ServicePlugin). The launcher (src/cmd) builds a ServiceContext for it, calls
 * create(), mounts the routes at the service's prefix and starts its workers.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TokenValidator } from '../auth/token-info.js';
import type { ServiceSession } from '../clients/session.js';
import type { Config, GroupDef } from '../config/index.js';
import type { Database, Migrations } from '../db/index.js';
import type { FaultRenderer } from '../http/faults.js';
import type { Logger } from '../log/logger.js';
import type { Transport } from '../messaging/index.js';

/** Credentials a service uses to call other services (keystone_authtoken / service_user). */
export interface ServiceCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

export interface ServiceContext {
  /** Short name as in `nubo serve NAME` ('identity', 'image', 'network'). */
  name: string;
  config: Config;
  log: Logger;
  dataDir: string;
  /** This service's public base URL (what the catalog lists, without the version suffix). */
  baseUrl: string;
  /** Public URL of the identity service's root ('http://127.0.0.1:8880/identity'). */
  identityUrl: string;
  region: string;
  /** Host name of this process (RPC server name for per-host topics). */
  host: string;
  db: Database<any>;
  transport: Transport;
  /** Validates tokens for the auth middleware (in-process Keystone or HTTP). */
  tokenValidator: TokenValidator;
  credentials: ServiceCredentials;
  /** Authenticated REST access to other services through the catalog. */
  session: ServiceSession;
}

export interface ServiceInstance {
  /** The service's REST API: a Fastify plugin registered at the service's prefix. */
  routes: FastifyPluginAsync;
  /** How the service renders errors. */
  fault: FaultRenderer;
  /** Start background work (RPC servers, listeners, periodic tasks). */
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

export interface CatalogEntry {
  serviceType: string;
  serviceName: string;
  description: string;
  /** Endpoint URL registered for the public, internal and admin interfaces. */
  url: string;
}

export interface ServicePlugin<I extends ServiceInstance = ServiceInstance> {
  name: string;
  /** OpenStack project name: 'keystone', 'glance', 'neutron', ... (also the DB name). */
  project: string;
  serviceType: string;
  description: string;
  /** DevStack-style mount prefix in all-in-one ('/identity', '/image', '/network'). */
  prefix: string;
  /** Suffix the catalog adds to the service URL ('/v3' for identity, '' for image and network). */
  catalogPath: string;
  configGroups: GroupDef<any>[];
  migrations: Migrations;
  create(ctx: ServiceContext): Promise<I>;
}

/** Identity is special: it validates tokens in-process and bootstraps the cloud. */
export interface IdentityInstance extends ServiceInstance {
  tokenValidator: TokenValidator;
  bootstrap(opts: BootstrapOptions): Promise<void>;
}

export interface BootstrapOptions {
  adminUsername: string;
  adminPassword: string;
  adminProjectName: string;
  region: string;
  /** The catalog of every enabled service; kept in sync at each start. */
  catalog: CatalogEntry[];
  /** One user per service in the 'service' project with the 'service' and 'admin' roles. */
  serviceUsers: Array<{ name: string; password: string }>;
}
