/** The SQL domain configuration driver (keystone/resource/config_backends/sql.py): `domain_config` rows, values as JSON text. */
import type { Kysely } from 'kysely';
import { b01, type KeystoneDB } from '../../db/schema.js';
import type { DomainConfigDriver, DomainConfigOption, DomainConfigOptionFilter } from './base.js';

export class SqlDomainConfigDriver implements DomainConfigDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async listConfigOptions(domainId: string, filter: DomainConfigOptionFilter = {}): Promise<DomainConfigOption[]> {
    let q = this.db.selectFrom('domain_config').selectAll().where('domain_id', '=', domainId);
    if (filter.group) q = q.where('group_name', '=', filter.group);
    if (filter.option) q = q.where('option_name', '=', filter.option);
    if (filter.sensitive !== undefined) q = q.where('sensitive', '=', b01(filter.sensitive));
    const rows = await q.orderBy('group_name').orderBy('option_name').execute();
    return rows.map((r) => ({ group: r.group_name, option: r.option_name, value: JSON.parse(r.value) as unknown, sensitive: Number(r.sensitive) === 1 }));
  }

  async updateConfigOptions(domainId: string, options: DomainConfigOption[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const o of options) {
        await trx.deleteFrom('domain_config').where('domain_id', '=', domainId).where('group_name', '=', o.group).where('option_name', '=', o.option).execute();
        await trx.insertInto('domain_config').values({
          domain_id: domainId, group_name: o.group, option_name: o.option, value: JSON.stringify(o.value), sensitive: o.sensitive,
        }).execute();
      }
    });
  }

  async deleteConfigOptions(domainId: string, group?: string, option?: string): Promise<void> {
    let q = this.db.deleteFrom('domain_config').where('domain_id', '=', domainId);
    if (group) q = q.where('group_name', '=', group);
    if (option) q = q.where('option_name', '=', option);
    await q.execute();
  }
}
