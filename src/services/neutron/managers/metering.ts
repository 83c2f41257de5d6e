/**
 * Metering labels and their rules (neutron/db/metering/metering_db.py with the checks of
 * neutron/services/metering/metering_plugin.py): a label counts traffic of a project's routers
 * matching its rules (a direction, an IP prefix: the older remote_ip_prefix, or source and/or
 * destination prefixes, never both kinds; excluded or not; two remote prefixes of one label,
 * direction and exclusion may not overlap). API only: no metering agent counts anything.
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../common/context.js';
import { cidrsOverlap, parseCidr } from '../common/netaddr.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { MeteringLabelRow, MeteringLabelRuleRow } from '../db/schema.js';
import type { Db, Store } from '../db/store.js';
import { Invalid, MeteringLabelNotFound, MeteringLabelRuleNotFound, MeteringLabelRuleOverlaps } from '../errors.js';
import type { MeteringLabel, MeteringLabelCreate, MeteringLabelRule, MeteringLabelRuleCreate } from '../types/metering.js';
import type { ResourceHandlers } from './types.js';
import { ownedBy } from './visibility.js';

const labelSpec: ListSpec<'meteringlabels'> = {
  table: 'meteringlabels',
  columns: { ...stringColumns<'meteringlabels'>('id', 'name', 'description', 'project_id'), ...columnsOf<'meteringlabels'>('bool', 'shared') },
};

const ruleSpec: ListSpec<'meteringlabelrules'> = {
  table: 'meteringlabelrules',
  columns: {
    ...stringColumns<'meteringlabelrules'>('id', 'metering_label_id', 'direction', 'remote_ip_prefix', 'source_ip_prefix', 'destination_ip_prefix'),
    ...columnsOf<'meteringlabelrules'>('bool', 'excluded'),
  },
};

function labelView(r: MeteringLabelRow): MeteringLabel {
  return { id: r.id, name: r.name, description: r.description, shared: Boolean(Number(r.shared)), tenant_id: r.project_id, project_id: r.project_id };
}

function ruleView(r: MeteringLabelRuleRow): MeteringLabelRule {
  return {
    id: r.id, metering_label_id: r.metering_label_id, direction: r.direction, remote_ip_prefix: r.remote_ip_prefix,
    source_ip_prefix: r.source_ip_prefix, destination_ip_prefix: r.destination_ip_prefix, excluded: Boolean(Number(r.excluded)),
  };
}

export class MeteringLabelManager implements ResourceHandlers<MeteringLabel, MeteringLabelCreate> {
  constructor(private readonly store: Store) {}

  async list(ctx: NeutronContext, q: ListQuery): Promise<MeteringLabel[]> {
    let qb = this.store.db.selectFrom('meteringlabels').selectAll('meteringlabels');
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'meteringlabels'));
    return (await runPaged(this.store.db, applyFilters(qb, labelSpec, q.filters), labelSpec, q)).map(labelView);
  }

  async get(ctx: NeutronContext, id: string): Promise<MeteringLabel> {
    let qb = this.store.db.selectFrom('meteringlabels').selectAll('meteringlabels').where('meteringlabels.id', '=', id);
    if (!ctx.unscoped) qb = qb.where(ownedBy(ctx, 'meteringlabels'));
    const row = await qb.executeTakeFirst();
    if (!row) throw new MeteringLabelNotFound(id);
    return labelView(row);
  }

  async create(_ctx: NeutronContext, body: MeteringLabelCreate): Promise<MeteringLabel> {
    const row: MeteringLabelRow = { id: randomUUID(), project_id: body.project_id, name: body.name ?? '', description: body.description ?? '', shared: body.shared ? 1 : 0 };
    await this.store.db.insertInto('meteringlabels').values(row).execute();
    return labelView(row);
  }

  async delete(ctx: NeutronContext, id: string): Promise<void> {
    await this.get(ctx, id);
    await this.store.write(async (tx) => {
      await tx.deleteFrom('meteringlabelrules').where('metering_label_id', '=', id).execute();
      await tx.deleteFrom('meteringlabels').where('id', '=', id).execute();
    });
  }
}

/** validate_metering_rule_ip_address: what ipaddress.ip_interface accepts (an address, with or without a prefix length). */
function checkPrefix(field: string, value: string | null | undefined): void {
  if (value && !parseCidr(value, true)) throw new Invalid(`${field}: ${value} is invalid [${JSON.stringify(value).replace(/"/g, "'")} does not appear to be an IPv4 or IPv6 interface].`);
}

export class MeteringLabelRuleManager implements ResourceHandlers<MeteringLabelRule, MeteringLabelRuleCreate> {
  constructor(private readonly store: Store) {}

  async list(_ctx: NeutronContext, q: ListQuery): Promise<MeteringLabelRule[]> {
    const qb = applyFilters(this.store.db.selectFrom('meteringlabelrules').selectAll(), ruleSpec, q.filters);
    return (await runPaged(this.store.db, qb, ruleSpec, q)).map(ruleView);
  }

  private async row(db: Db, id: string): Promise<MeteringLabelRuleRow> {
    const row = await db.selectFrom('meteringlabelrules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new MeteringLabelRuleNotFound(id);
    return row;
  }

  async get(_ctx: NeutronContext, id: string): Promise<MeteringLabelRule> {
    return ruleView(await this.row(this.store.db, id));
  }

  /** validate_metering_label_rule, check_for_rule_overlaps, then the rule (MeteringLabelNotFound without its label). */
  async create(_ctx: NeutronContext, body: MeteringLabelRuleCreate): Promise<MeteringLabelRule> {
    for (const f of ['remote_ip_prefix', 'source_ip_prefix', 'destination_ip_prefix'] as const) checkPrefix(f, body[f]);
    if (body.remote_ip_prefix && (body.source_ip_prefix || body.destination_ip_prefix)) {
      throw new Invalid("Cannot use 'remote-ip-prefix' in conjunction with 'source-ip-prefix' or 'destination-ip-prefix'.");
    }
    if (!body.remote_ip_prefix && !body.source_ip_prefix && !body.destination_ip_prefix) {
      throw new Invalid("You must define at least one of the following parameters 'remote_ip_prefix', or 'source_ip_prefix' or 'destination_ip_prefix'.");
    }
    const row: MeteringLabelRuleRow = {
      id: randomUUID(), metering_label_id: body.metering_label_id, direction: body.direction, excluded: body.excluded ? 1 : 0,
      remote_ip_prefix: body.remote_ip_prefix || null, source_ip_prefix: body.source_ip_prefix || null, destination_ip_prefix: body.destination_ip_prefix || null,
    };
    await this.store.write(async (tx) => {
      const label = await tx.selectFrom('meteringlabels').select('id').where('id', '=', row.metering_label_id).executeTakeFirst();
      if (!label) throw new MeteringLabelNotFound(row.metering_label_id);
      const mine = row.remote_ip_prefix ? parseCidr(row.remote_ip_prefix, true) : undefined;
      if (mine) {
        const others = await tx.selectFrom('meteringlabelrules').select('remote_ip_prefix').where('metering_label_id', '=', row.metering_label_id)
          .where('direction', '=', row.direction).where('excluded', '=', row.excluded).where('remote_ip_prefix', 'is not', null).execute();
        for (const o of others) {
          const theirs = parseCidr(o.remote_ip_prefix, true);
          if (theirs && theirs.version === mine.version && cidrsOverlap(theirs, mine)) throw new MeteringLabelRuleOverlaps(row.remote_ip_prefix!);
        }
      }
      await tx.insertInto('meteringlabelrules').values(row).execute();
    });
    return ruleView(row);
  }

  async delete(_ctx: NeutronContext, id: string): Promise<void> {
    await this.store.write(async (tx) => {
      await this.row(tx, id);
      await tx.deleteFrom('meteringlabelrules').where('id', '=', id).execute();
    });
  }
}
