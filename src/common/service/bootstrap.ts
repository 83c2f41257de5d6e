/**
 * What the launcher asks of identity on every start (keystone-manage bootstrap plus what
 * DevStack adds): the administrator, one user per project, and the catalog of every enabled
 * project, kept in sync.
 */

/** One catalog service with its endpoint URL (public, internal and admin interfaces). */
export interface CatalogEntry {
  serviceType: string;
  serviceName: string;
  description: string;
  url: string;
}

export interface BootstrapOptions {
  adminUsername: string;
  adminPassword: string;
  /** The admin password was generated (a random secret), not chosen by the operator. */
  adminPasswordGenerated?: boolean;
  adminProjectName: string;
  region: string;
  /** The catalog of every enabled project. */
  catalog: CatalogEntry[];
  /** One user per project in the 'service' project with the 'service' and 'admin' roles. */
  serviceUsers: Array<{ name: string; password: string; generated?: boolean }>;
}
