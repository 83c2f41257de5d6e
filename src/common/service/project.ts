/**
 * The contract every OpenStack project folder implements (src/services/<project>/index.ts
 * exports one ProjectDef, and src/cmd/projects.ts lists it: adding a project is its folder plus
 * that one line).
 *
 * A project is a set of named roles, the processes OpenStack runs for it: Keystone's `identity`
 * API; Nova's `compute-api`, `conductor`, `scheduler` and `compute`; Neutron's server and its
 * agents. Each role can run alone (`nubo serve ROLE [--host NAME]`) or with every other role of
 * the enabled projects in one process (`nubo up`). The launcher builds a RoleContext for each
 * role, calls `create()`, mounts API roles' routes at the project's prefix on the one HTTP
 * server of the process, then calls `start()` once the cloud is bootstrapped and listening.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { TokenValidator } from '../auth/token-info.js';
import type { ServiceSession } from '../clients/session.js';
import type { Config, GroupDef } from '../config/index.js';
import type { Database, Migrations } from '../db/index.js';
import type { FaultRenderer } from '../http/faults.js';
import type { RequestLane } from '../http/request-lanes.js';
import type { Logger } from '../log/logger.js';
import type { Transport } from '../messaging/index.js';
import type { ServicePolicySpec } from '../policy/service-policy.js';
import type { BootstrapOptions } from './bootstrap.js';
import type { PeriodicTasks } from './periodic.js';

/** Credentials a project uses to call other projects (keystone_authtoken / service_user). */
export interface ServiceCredentials {
  username: string;
  password: string;
  projectName: string;
  userDomainName: string;
  projectDomainName: string;
}

/** One entry the project adds to the service catalog. */
export interface CatalogDef {
  /** Service type ('identity', 'compute', 'volumev3', 'object-store'). */
  type: string;
  /** Service name; default the project's name. */
  name?: string;
  /** Appended to the project's base URL ('/v3', '', '/v1/AUTH_$(project_id)s'). */
  path: string;
  /**
   * An endpoint on a listener of its own (Swift's S3 API): its URL from the configuration,
   * instead of the base URL and path. A role of this process listening for it gives the URL
   * it really listens at (RoleInstance.catalogUrls), which wins.
   */
  url?: (config: Config) => string;
}

/** What the launcher gives a role. */
export interface RoleContext {
  project: ProjectDef;
  role: RoleDef;
  config: Config;
  log: Logger;
  dataDir: string;
  /** The project's public base URL (what the catalog lists, without the version suffix). */
  baseUrl: string;
  /** Public URL of the identity service's root ('http://127.0.0.1:8880/identity'). */
  identityUrl: string;
  region: string;
  /** The host this role runs as (per-host RPC topics, agent and compute-node records). */
  host: string;
  transport: Transport;
  /** The project's database, opened and migrated on first use, shared by its roles in the process. */
  database(): Promise<Database<any>>;
  credentials: ServiceCredentials;
  /** Authenticated REST access to other projects through the catalog. */
  session: ServiceSession;
  /** Periodic tasks of this role; the launcher starts them after `start()` and stops them on shutdown. */
  periodic: PeriodicTasks;
}

/** A role once created. */
export interface RoleInstance {
  /** API roles: the REST API, registered at the project's prefix. */
  routes?: FastifyPluginAsync;
  /**
   * API roles: requests of hot routes answered before routing when the role has the answer at
   * hand (http/request-lanes.ts), by path below the prefix. Keystone's token validation is one.
   */
  lanes?: Record<string, RequestLane>;
  /** Begin background work (RPC servers, listeners) once the cloud is up. */
  start?(): Promise<void>;
  /** Stop what start() began and let work in flight finish. */
  stop?(): Promise<void>;
  /** Roles with a listener of their own: the catalog URL of a service type they serve (`{ s3: 'http://host:8881' }`). */
  catalogUrls?: Record<string, string>;
  /** Only Keystone's API role: in-process token validation and the bootstrap of the cloud. */
  identity?: IdentityProvision;
}

export interface IdentityProvision {
  tokenValidator: TokenValidator;
  bootstrap(opts: BootstrapOptions): Promise<void>;
}

export interface RoleDef {
  /** The name of `nubo serve NAME` ('identity', 'compute-api', 'conductor', 'compute'). */
  name: string;
  description: string;
  /** 'api' roles serve HTTP at the project's prefix; 'worker' roles consume the bus or run daemons. */
  kind: 'api' | 'worker';
  /** API roles: where the routes are mounted, when not at the project's prefix (Nova's metadata API). */
  prefix?: string;
  /** API roles: the public document that shows the API answers, below the prefix (default '/', the version document; Swift's '/info'). */
  discoveryPath?: string;
  /**
   * Runs once per host of `[DEFAULT] hosts` (Nova's compute service, Neutron's agents), each
   * instance with its own `ctx.host`; other roles run once per process as [DEFAULT] host.
   */
  perHost?: boolean;
  /** Run by `nubo up` (default true); a function decides from the configuration (Neutron's real or simulated data plane). */
  allInOne?: boolean | ((config: Config) => boolean);
  create(ctx: RoleContext): Promise<RoleInstance>;
}

/** An administrative command of a project (keystone-manage, nova-manage): `nubo <service> <name>`. */
export interface ManageCommand {
  name: string;
  description: string;
  /** `nubo <name>` rather than `nubo <service> <name>` (swift-ring-builder is `nubo ring`). */
  topLevel?: boolean;
  /** The command takes free arguments (given to run()). */
  takesArguments?: boolean;
  /** Runs with the loaded configuration; returns what to print. */
  run(config: Config, args?: string[]): Promise<string> | string;
}

export interface ProjectDef {
  /** OpenStack project name: 'keystone', 'glance', 'neutron' (also its database and service user). */
  name: string;
  /** The name in `[DEFAULT] enabled_services`, `[endpoints]` and `[service_users]` ('identity', 'image'). */
  service: string;
  description: string;
  /** DevStack-style path of its API ('/identity', '/image'), in all-in-one and when served alone. */
  prefix: string;
  catalog: CatalogDef[];
  configGroups: GroupDef<any>[];
  migrations: Migrations;
  /** Default policy rules and the project's Zed defaults of [oslo_policy]. */
  policy: ServicePolicySpec;
  /** The project's error body format. */
  fault: FaultRenderer;
  roles: RoleDef[];
  /** Administrative commands. */
  commands?: ManageCommand[];
  /** Listed in the default `enabled_services` (default true). */
  enabledByDefault?: boolean;
}
