/**
 * The domain configuration driver interface (keystone/resource/config_backends/base.py
 * DomainConfigDriverBase): the options stored per domain, each marked sensitive or not. Which
 * options may be stored, and which are sensitive, is the DomainConfigManager's business.
 */

/** One stored option of a domain's configuration. */
export interface DomainConfigOption {
  group: string;
  option: string;
  value: unknown;
  sensitive: boolean;
}

export interface DomainConfigOptionFilter {
  group?: string | undefined;
  option?: string | undefined;
  /** Only sensitive (true) or only readable (false) options; both when undefined. */
  sensitive?: boolean | undefined;
}

export interface DomainConfigDriver {
  /** The domain's options matching the filter, ordered by group then option. */
  listConfigOptions(domainId: string, filter?: DomainConfigOptionFilter): Promise<DomainConfigOption[]>;
  /** Stores the options, replacing the stored values of the same group and option. */
  updateConfigOptions(domainId: string, options: DomainConfigOption[]): Promise<void>;
  /** Removes the domain's options (of one group, or one option of it). */
  deleteConfigOptions(domainId: string, group?: string, option?: string): Promise<void>;
}
