/**
 * Domain-specific configuration (keystone/resource/core.py DomainConfigManager): per-domain
 * [identity] and [ldap] options stored by a DomainConfigDriver (config_backends/base.ts) chosen
 * by `[domain_config] driver`, with sensitive options (the LDAP password) stored but never
 * returned, the defaults readable at /v3/domains/config/default, and the [security_compliance]
 * password rules readable for the default domain.
 */
import { InternalError } from '../../../common/errors.js';
import type { IdentityOptions, SecurityComplianceOptions } from '../config.js';
import { ownValue } from '../../../common/own.js';
import { DomainConfigNotFound, InvalidDomainConfig } from '../errors.js';
import type { DomainConfigDriver, DomainConfigOption } from './config_backends/base.js';

export type DomainConfig = Record<string, Record<string, unknown>>;

/** Options that may be stored and read (whitelisted_options). */
export const WHITELISTED_OPTIONS: Record<string, string[]> = {
  identity: ['driver', 'list_limit'],
  ldap: [
    'url', 'user', 'suffix', 'query_scope', 'page_size', 'alias_dereferencing', 'debug_level', 'chase_referrals',
    'user_tree_dn', 'user_filter', 'user_objectclass', 'user_id_attribute', 'user_name_attribute', 'user_mail_attribute',
    'user_description_attribute', 'user_pass_attribute', 'user_enabled_attribute', 'user_enabled_invert', 'user_enabled_mask',
    'user_enabled_default', 'user_attribute_ignore', 'user_default_project_id_attribute', 'user_enabled_emulation',
    'user_enabled_emulation_dn', 'user_enabled_emulation_use_group_config', 'user_additional_attribute_mapping',
    'group_tree_dn', 'group_filter', 'group_objectclass', 'group_id_attribute', 'group_name_attribute', 'group_members_are_ids',
    'group_member_attribute', 'group_desc_attribute', 'group_attribute_ignore', 'group_additional_attribute_mapping',
    'tls_cacertfile', 'tls_cacertdir', 'use_tls', 'tls_req_cert', 'use_pool', 'pool_size', 'pool_retry_max', 'pool_retry_delay',
    'pool_connection_timeout', 'pool_connection_lifetime', 'use_auth_pool', 'auth_pool_size', 'auth_pool_connection_lifetime',
  ],
};

/** Options that may be stored but are never returned (sensitive_options). */
export const SENSITIVE_OPTIONS: Record<string, string[]> = { identity: [], ldap: ['password'] };

/** The process-wide defaults of the whitelisted options (keystone/conf/identity.py and ldap.py). */
export const DEFAULT_OPTION_VALUES: DomainConfig = {
  identity: { driver: 'sql', list_limit: null },
  ldap: {
    url: 'ldap://localhost', user: null, suffix: 'cn=example,cn=com', query_scope: 'one', page_size: 0,
    alias_dereferencing: 'default', debug_level: null, chase_referrals: null, user_tree_dn: null, user_filter: null,
    user_objectclass: 'inetOrgPerson', user_id_attribute: 'cn', user_name_attribute: 'sn', user_mail_attribute: 'mail',
    user_description_attribute: 'description', user_pass_attribute: 'userPassword', user_enabled_attribute: 'enabled',
    user_enabled_invert: false, user_enabled_mask: 0, user_enabled_default: 'True', user_attribute_ignore: ['default_project_id'],
    user_default_project_id_attribute: null, user_enabled_emulation: false, user_enabled_emulation_dn: null,
    user_enabled_emulation_use_group_config: false, user_additional_attribute_mapping: [], group_tree_dn: null, group_filter: null,
    group_objectclass: 'groupOfNames', group_id_attribute: 'cn', group_name_attribute: 'ou', group_members_are_ids: false,
    group_member_attribute: 'member', group_desc_attribute: 'description', group_attribute_ignore: [],
    group_additional_attribute_mapping: [], tls_cacertfile: null, tls_cacertdir: null, use_tls: false, tls_req_cert: 'demand',
    use_pool: true, pool_size: 10, pool_retry_max: 3, pool_retry_delay: 0.1, pool_connection_timeout: -1,
    pool_connection_lifetime: 600, use_auth_pool: true, auth_pool_size: 100, auth_pool_connection_lifetime: 60,
  },
};

type OptionRow = DomainConfigOption;

export interface DomainConfigManagerOptions {
  /** [identity] (the default domain) and [security_compliance] (its readable password rules). */
  identity: Pick<IdentityOptions, 'default_domain_id'>;
  securityCompliance: SecurityComplianceOptions;
}

export class DomainConfigManager {
  constructor(private readonly driver: DomainConfigDriver, private readonly opts: DomainConfigManagerOptions) {}

  private isSensitive(group: string, option: string): boolean {
    return ownValue(SENSITIVE_OPTIONS, group)?.includes(option) ?? false;
  }

  /** _assert_valid_group_and_option. */
  private assertValidGroupAndOption(group?: string, option?: string): void {
    if (!group && !option) return;
    if (!group && option) throw new InternalError(`Option ${option} found with no group specified while checking domain configuration request`);
    if (group && !Object.hasOwn(WHITELISTED_OPTIONS, group) && !Object.hasOwn(SENSITIVE_OPTIONS, group)) {
      throw new InvalidDomainConfig(`Group ${group} is not supported for domain specific configurations`);
    }
    if (option && !ownValue(WHITELISTED_OPTIONS, group!)?.includes(option) && !this.isSensitive(group!, option)) {
      throw new InvalidDomainConfig(`Option ${option} in group ${group} is not supported for domain specific configurations`);
    }
  }

  private assertValidConfig(config: unknown): asserts config is DomainConfig {
    if (!config || typeof config !== 'object' || Object.keys(config).length === 0) throw new InvalidDomainConfig('No options specified');
    for (const [group, options] of Object.entries(config as Record<string, unknown>)) {
      if (!options || typeof options !== 'object' || Array.isArray(options) || Object.keys(options).length === 0) {
        throw new InvalidDomainConfig(`The value of group ${group} specified in the config should be a dictionary of options`);
      }
      for (const option of Object.keys(options)) this.assertValidGroupAndOption(group, option);
    }
  }

  private listOptions(domainId: string, group?: string, option?: string, sensitive?: boolean): Promise<OptionRow[]> {
    return this.driver.listConfigOptions(domainId, { group, option, sensitive });
  }

  private toConfig(rows: OptionRow[], reqOption?: string): DomainConfig | Record<string, unknown> {
    if (rows.length === 0) return {};
    if (reqOption) {
      if (rows.length > 1 || rows[0]!.option !== reqOption) throw new InternalError('An unexpected error occurred when retrieving domain configs');
      return { [rows[0]!.option]: rows[0]!.value };
    }
    const out: DomainConfig = {};
    for (const r of rows) (out[r.group] ??= {})[r.option] = r.value;
    return out;
  }

  private async writeOptions(domainId: string, config: DomainConfig): Promise<void> {
    const options = Object.entries(config).flatMap(([group, opts]) =>
      Object.entries(opts).map(([option, value]) => ({ group, option, value, sensitive: this.isSensitive(group, option) })));
    await this.driver.updateConfigOptions(domainId, options);
  }

  /** Whether the domain has any stored option (PUT answers 200 then, 201 otherwise). */
  async hasConfig(domainId: string): Promise<boolean> {
    return (await this.listOptions(domainId)).length > 0;
  }

  /** PUT /v3/domains/{id}/config: replaces the whole configuration. */
  async createConfig(domainId: string, config: unknown): Promise<DomainConfig> {
    this.assertValidConfig(config);
    await this.driver.deleteConfigOptions(domainId);
    await this.writeOptions(domainId, config);
    return this.toConfig(await this.listOptions(domainId, undefined, undefined, false)) as DomainConfig;
  }

  private notFound(domainId: string, group?: string, option?: string): DomainConfigNotFound {
    const what = option ? `option ${option} in group ${group}` : group ? `group ${group}` : 'any options';
    return new DomainConfigNotFound(domainId, what);
  }

  async getConfig(domainId: string, group?: string, option?: string): Promise<DomainConfig | Record<string, unknown>> {
    this.assertValidGroupAndOption(group, option);
    const rows = await this.listOptions(domainId, group, option, false);
    if (rows.length > 0) return this.toConfig(rows, option);
    throw this.notFound(domainId, group, option);
  }

  /** GET /v3/domains/{id}/config/security_compliance[/option]: the password rules, default domain only. */
  getSecurityComplianceConfig(domainId: string, group: string, option?: string): Record<string, unknown> {
    if (domainId !== this.opts.identity.default_domain_id) {
      throw new InvalidDomainConfig('Reading security compliance information for any domain other than the default domain is not allowed or supported.');
    }
    const readable = ['password_regex', 'password_regex_description'] as const;
    const sc = this.opts.securityCompliance;
    const value = (o: (typeof readable)[number]): string | null => sc[o] || null;
    if (option) {
      if (!(readable as readonly string[]).includes(option)) {
        throw new InvalidDomainConfig('Reading security compliance values other than password_regex and password_regex_description is not allowed.');
      }
      return { [option]: value(option as (typeof readable)[number]) };
    }
    return { [group]: Object.fromEntries(readable.map((o) => [o, value(o)])) };
  }

  /** PATCH: merges options; with a group (and option) only that part may be given, and must exist. */
  async updateConfig(domainId: string, config: unknown, group?: string, option?: string): Promise<DomainConfig> {
    const update = (group && option ? { [group]: config } : config) as DomainConfig;
    this.assertValidConfig(update);
    this.assertValidGroupAndOption(group, option);
    if (group) {
      const groups = Object.keys(update);
      if (groups.length !== 1 || (option && Object.keys(update[groups[0]!] ?? {}).length !== 1)) {
        throw new InvalidDomainConfig(option
          ? `Trying to update option ${option} in group ${group}, so that, and only that, option must be specified  in the config`
          : `Trying to update group ${group}, so that, and only that, group must be specified in the config`);
      }
      if (!Object.hasOwn(update, group)) {
        throw new InvalidDomainConfig(`request to update group ${group}, but config provided contains group ${groups[0]} instead`);
      }
      if (option && !Object.hasOwn(update[group]!, option)) {
        throw new InvalidDomainConfig(`Trying to update option ${option} in group ${group}, but config provided contains option ${Object.keys(update[group]!)[0]} instead`);
      }
      if ((await this.listOptions(domainId, group, option)).length === 0) throw this.notFound(domainId, group, option);
    }
    await this.writeOptions(domainId, update);
    return this.getConfig(domainId) as Promise<DomainConfig>;
  }

  async deleteConfig(domainId: string, group?: string, option?: string): Promise<void> {
    this.assertValidGroupAndOption(group, option);
    if (group) {
      const current = await this.listOptions(domainId, group);
      if (current.length === 0) throw this.notFound(domainId, group);
      if (option && !current.some((r) => r.option === option && r.value)) throw this.notFound(domainId, group, option);
    }
    await this.driver.deleteConfigOptions(domainId, group, option);
  }

  /** Removes everything stored for a deleted domain. */
  async deleteDomainConfig(domainId: string): Promise<void> {
    await this.driver.deleteConfigOptions(domainId);
  }

  /** GET /v3/domains/config[/group[/option]]/default. */
  getConfigDefault(group?: string, option?: string): DomainConfig | Record<string, unknown> {
    this.assertValidGroupAndOption(group, option);
    const rows: OptionRow[] = [];
    const add = (g: string, o: string): void => { rows.push({ group: g, option: o, value: ownValue(ownValue(DEFAULT_OPTION_VALUES, g) ?? {}, o) ?? null, sensitive: false }); };
    if (group) {
      if (option) {
        if (!ownValue(WHITELISTED_OPTIONS, group)?.includes(option)) {
          throw new InvalidDomainConfig(`Reading the default for option ${option} in group ${group} is not supported`);
        }
        add(group, option);
      } else {
        for (const o of ownValue(WHITELISTED_OPTIONS, group) ?? []) add(group, o);
      }
    } else {
      for (const [g, opts] of Object.entries(WHITELISTED_OPTIONS)) for (const o of opts) add(g, o);
    }
    return this.toConfig(rows, option);
  }
}
