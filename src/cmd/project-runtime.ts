/**
 * What the roles of one project share inside a process: its database (opened and migrated on
 * first use), its service user's REST session, and the token validator of its API (Keystone's
 * own in-process validator when identity runs here, otherwise HTTP with a cache that Keystone's
 * revocation notifications flush).
 */
import { HttpTokenValidator } from '../common/auth/http-validator.js';
import { RevocationListener, revocationPoolName } from '../common/auth/revocation-listener.js';
import type { TokenInfo, TokenValidator } from '../common/auth/token-info.js';
import { ServiceSession } from '../common/clients/session.js';
import { databaseGroup, defaultGroup, parseHostPort, publicBaseUrl, serviceConnection, type Config } from '../common/config/index.js';
import { migrate, openDatabase, parseDatabaseUrl, type Database } from '../common/db/index.js';
import { OperatorError } from '../common/errors.js';
import type { Logger } from '../common/log/logger.js';
import type { Transport } from '../common/messaging/index.js';
import type { ProjectDef, ServiceCredentials } from '../common/service/project.js';
import { endpointsGroup, serviceUsersGroup } from './options.js';

/** The project's public base URL: [endpoints] <service>, else <public_url><prefix>. */
export function projectBaseUrl(config: Config, project: ProjectDef): string {
  const configured = (config.get(endpointsGroup) as Record<string, string>)[project.service];
  return configured ? configured.replace(/\/$/, '') : `${publicBaseUrl(config.get(defaultGroup))}${project.prefix}`;
}

/** Open (creating if needed) and migrate one project's database. */
export async function openProjectDatabase(config: Config, project: ProjectDef, dataDir: string, log?: Logger): Promise<Database<any>> {
  const { connection, max_pool_size, pool_timeout, connection_debug } = config.get(databaseGroup);
  const target = parseDatabaseUrl(serviceConnection(connection, project.name), { service: project.name, dataDir });
  const sqlLog = log && connection_debug >= 50 ? (text: string, ms: number) => log.info({ service: project.service, sql: text, ms }, 'sql') : undefined;
  const db = await openDatabase(target, {
    maxPoolSize: max_pool_size,
    poolTimeoutMs: pool_timeout * 1000,
    createIfMissing: true,
    ...(sqlLog ? { log: sqlLog } : {}),
  });
  await migrate(db, project.migrations, { table: `${project.name}_migrations` });
  return db;
}

/** Forwards to identity's in-process validator once identity's API role exists. */
export class LocalValidator implements TokenValidator {
  target: TokenValidator | undefined;
  validate(token: string, opts?: { allowExpired?: boolean }): Promise<TokenInfo> {
    if (!this.target) throw new OperatorError('identity is not ready');
    return this.target.validate(token, opts);
  }

  cachedInfo(token: string): TokenInfo | undefined {
    return this.target?.cachedInfo?.(token);
  }
}

export interface RuntimeOptions {
  config: Config;
  dataDir: string;
  identityUrl: string;
  transport: Transport;
  log: Logger;
  /** Identity's validator when identity runs in this process. */
  localValidator: LocalValidator | undefined;
  /** Registers what must be closed at shutdown (run in reverse order). */
  onClose(fn: () => Promise<void>): void;
}

export class ProjectRuntime {
  readonly credentials: ServiceCredentials;
  readonly session: ServiceSession;
  readonly baseUrl: string;
  private db: Promise<Database<any>> | undefined;
  private validator: Promise<TokenValidator> | undefined;

  constructor(
    readonly project: ProjectDef,
    private readonly o: RuntimeOptions,
  ) {
    const defaults = o.config.get(defaultGroup);
    const password = (o.config.get(serviceUsersGroup) as Record<string, string>)[project.service] ?? '';
    this.credentials = { username: project.name, password, projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' };
    this.session = new ServiceSession({ authUrl: o.identityUrl, credentials: this.credentials, region: defaults.region_name });
    this.baseUrl = projectBaseUrl(o.config, project);
  }

  database(): Promise<Database<any>> {
    this.db ??= openProjectDatabase(this.o.config, this.project, this.o.dataDir, this.o.log).then((db) => {
      this.o.onClose(() => db.close());
      return db;
    });
    return this.db;
  }

  /** The validator for this project's API roles. */
  tokenValidator(): Promise<TokenValidator> {
    this.validator ??= this.o.localValidator ? Promise.resolve(this.o.localValidator) : this.httpValidator();
    return this.validator;
  }

  /** Identity runs elsewhere: validate over HTTP, and hear its revocations on the bus. */
  private async httpValidator(): Promise<TokenValidator> {
    const defaults = this.o.config.get(defaultGroup);
    const validator = new HttpTokenValidator(this.session);
    const pool = revocationPoolName(defaults.host, parseHostPort(defaults.bind).port, this.project.service);
    const revocations = new RevocationListener(this.o.transport, validator, { pool, log: this.o.log });
    await revocations.start();
    this.o.onClose(() => revocations.stop());
    return validator;
  }
}
