/**
 * Metering labels and their rules (neutron/db/metering/metering_db.py with the checks of
 * neutron/services/metering/metering_plugin.py): a project sees its own labels and the rules
 * of its labels, admins everything. A rule needs one of remote_ip_prefix or the
 * source/destination prefixes (not both kinds), and its remote_ip_prefix may not overlap one
 * of another rule of the label with the same direction and `excluded` (409). After each
 * change the metering agents of the routers concerned hear of it (`casts`, set by the
 * service when it has a message bus).
 */
import { randomUUID } from 'node:crypto';
import type { NeutronContext } from '../common/context.js';
import { cidrAsWritten, cidrsOverlap, parseCidr } from '../common/netaddr.js';
import { applyFilters, columnsOf, type ListQuery, type ListSpec, runPaged, stringColumns } from '../db/listing.js';
import type { MeteringLabelRow, MeteringLabelRuleRow } from '../db/schema.js';
import type { Db, Store } from '../db/store.js';
import { Invalid, MeteringLabelNotFound, MeteringLabelRuleNotFound, MeteringLabelRuleOverlaps } from '../errors.js';
import type {
  MeteringLabel, MeteringLabelCreate, MeteringLabelRule, MeteringLabelRuleCreate, MeteringRouter,
} from '../types/metering.js';
import { MeteringSync, ruleView } from './metering-sync.js';
import type { PolicyAttributes, ResourceHandlers } from './types.js';

/** The casts of metering_rpc_agent_api.MeteringAgentNotifyAPI the plugin sends, with the routers concerned. */
export type MeteringCastMethod = 'add_metering_label' | 'remove_metering_label' | 'add_metering_label_rule' | 'remove_metering_label_rule';
export type MeteringCasts = (ctx: NeutronContext, method: MeteringCastMethod, routers: MeteringRouter[]) => Promise<void>;

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

/**
 * validate_metering_rule_ip_address (Python's ipaddress.ip_interface: an address with or
 * without a prefix length), kept as netaddr's str(IPNetwork()) of it.
 */
function checkPrefix(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  const c = parseCidr(value, true);
  if (!c) throw new Invalid(`${field}: ${String(value)} is invalid ['${String(value)}' does not appear to be an IPv4 or IPv6 interface].`);
  return cidrAsWritten(c);
}

export class MeteringManager {
  readonly labels: ResourceHandlers<MeteringLabel, MeteringLabelCreate>;
  readonly rules: ResourceHandlers<MeteringLabelRule, MeteringLabelRuleCreate>;
  readonly sync: MeteringSync;
  /** The metering agents' notifier; none without a message bus. */
  casts: MeteringCasts | undefined;

  constructor(private readonly store: Store) {
    this.sync = new MeteringSync(store.db);
    this.labels = {
      list: (ctx, q) => this.listLabels(ctx, q),
      get: async (ctx, id) => labelView(await this.labelRow(ctx, id)),
      create: (ctx, body) => this.createLabel(ctx, body),
      delete: (ctx, id) => this.deleteLabel(ctx, id),
    };
    this.rules = {
      list: (ctx, q) => this.listRules(ctx, q),
      get: async (ctx, id) => ruleView(await this.ruleRow(ctx, id)),
      create: (ctx, body) => this.createRule(ctx, body),
      delete: (ctx, id) => this.deleteRule(ctx, id),
      policyAttributes: (ctx, item) => this.rulePolicyAttributes(ctx, item),
    };
  }

  private async listLabels(ctx: NeutronContext, q: ListQuery): Promise<MeteringLabel[]> {
    let qb = this.store.db.selectFrom('meteringlabels').selectAll('meteringlabels');
    if (!ctx.unscoped) qb = qb.where('meteringlabels.project_id', '=', ctx.projectId ?? '');
    return (await runPaged(this.store.db, applyFilters(qb, labelSpec, q.filters), labelSpec, q)).map(labelView);
  }

  private async labelRow(ctx: NeutronContext, id: string, db: Db = this.store.db): Promise<MeteringLabelRow> {
    let qb = db.selectFrom('meteringlabels').selectAll().where('id', '=', id);
    if (!ctx.unscoped) qb = qb.where('project_id', '=', ctx.projectId ?? '');
    const row = await qb.executeTakeFirst();
    if (!row) throw new MeteringLabelNotFound(id);
    return row;
  }

  private async createLabel(ctx: NeutronContext, body: MeteringLabelCreate): Promise<MeteringLabel> {
    const row: MeteringLabelRow = { id: randomUUID(), project_id: body.project_id, name: body.name ?? '', description: body.description ?? '', shared: body.shared ? 1 : 0 };
    await this.store.db.insertInto('meteringlabels').values(row).execute();
    await this.cast(ctx, 'add_metering_label', () => this.sync.labels());
    return labelView(row);
  }

  private async deleteLabel(ctx: NeutronContext, id: string): Promise<void> {
    await this.labelRow(ctx, id);
    const routers = this.casts ? await this.sync.labels(id) : [];
    const gone = await this.store.db.deleteFrom('meteringlabels').where('id', '=', id).executeTakeFirst();
    if (!Number(gone.numDeletedRows)) throw new MeteringLabelNotFound(id);
    await this.cast(ctx, 'remove_metering_label', async () => routers);
  }

  /** A project's rules are those of its labels. */
  private async listRules(ctx: NeutronContext, q: ListQuery): Promise<MeteringLabelRule[]> {
    let qb = this.store.db.selectFrom('meteringlabelrules').selectAll('meteringlabelrules');
    if (!ctx.unscoped) {
      qb = qb.where('meteringlabelrules.metering_label_id', 'in',
        this.store.db.selectFrom('meteringlabels').select('meteringlabels.id').where('meteringlabels.project_id', '=', ctx.projectId ?? ''));
    }
    return (await runPaged(this.store.db, applyFilters(qb, ruleSpec, q.filters), ruleSpec, q)).map(ruleView);
  }

  private async ruleRow(ctx: NeutronContext, id: string): Promise<MeteringLabelRuleRow> {
    const row = await this.store.db.selectFrom('meteringlabelrules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new MeteringLabelRuleNotFound(id);
    if (!ctx.unscoped) await this.labelRow(ctx, row.metering_label_id).catch(() => { throw new MeteringLabelRuleNotFound(id); });
    return row;
  }

  /** The rule's project is its label's (for get_metering_label_rule's project_id check). */
  private async rulePolicyAttributes(_ctx: NeutronContext, item: MeteringLabelRule | MeteringLabelRuleCreate): Promise<PolicyAttributes> {
    const label = await this.store.db.selectFrom('meteringlabels').select('project_id').where('id', '=', item.metering_label_id).executeTakeFirst();
    return label ? { project_id: label.project_id, tenant_id: label.project_id } : {};
  }

  private async createRule(ctx: NeutronContext, body: MeteringLabelRuleCreate): Promise<MeteringLabelRule> {
    const remote = checkPrefix('remote_ip_prefix', body.remote_ip_prefix);
    const source = checkPrefix('source_ip_prefix', body.source_ip_prefix);
    const destination = checkPrefix('destination_ip_prefix', body.destination_ip_prefix);
    if (remote && (source || destination)) throw new Invalid("Cannot use 'remote-ip-prefix' in conjunction with 'source-ip-prefix' or 'destination-ip-prefix'.");
    if (!remote && !source && !destination) {
      throw new Invalid("You must define at least one of the following parameters 'remote_ip_prefix', or 'source_ip_prefix' or 'destination_ip_prefix'.");
    }
    const row: MeteringLabelRuleRow = {
      id: randomUUID(), metering_label_id: body.metering_label_id, direction: body.direction, remote_ip_prefix: remote,
      source_ip_prefix: source, destination_ip_prefix: destination, excluded: body.excluded ? 1 : 0,
    };
    await this.store.write(async (tx) => {
      await this.labelRow(ctx, body.metering_label_id, tx);
      if (remote) await this.checkOverlaps(tx, row, remote);
      await tx.insertInto('meteringlabelrules').values(row).execute();
    });
    const rule = ruleView(row);
    await this.cast(ctx, 'add_metering_label_rule', () => this.sync.forRule(rule));
    return rule;
  }

  /** check_for_rule_overlaps: only remote_ip_prefix is compared, among rules of the same label, direction and excluded. */
  private async checkOverlaps(tx: Db, row: MeteringLabelRuleRow, remote: string): Promise<void> {
    const mine = parseCidr(remote);
    const others = await tx.selectFrom('meteringlabelrules').select('remote_ip_prefix')
      .where('metering_label_id', '=', row.metering_label_id).where('direction', '=', row.direction).where('excluded', '=', row.excluded).execute();
    for (const o of others) {
      const theirs = parseCidr(o.remote_ip_prefix);
      if (mine && theirs && cidrsOverlap(mine, theirs)) throw new MeteringLabelRuleOverlaps(remote);
    }
  }

  private async deleteRule(ctx: NeutronContext, id: string): Promise<void> {
    const row = await this.ruleRow(ctx, id);
    await this.store.db.deleteFrom('meteringlabelrules').where('id', '=', id).execute();
    const rule = ruleView(row);
    await this.cast(ctx, 'remove_metering_label_rule', () => this.sync.forRule(rule));
  }

  private async cast(ctx: NeutronContext, method: MeteringCastMethod, routers: () => Promise<MeteringRouter[]>): Promise<void> {
    if (!this.casts) return;
    const data = await routers();
    if (data.length) await this.casts(ctx, method, data);
  }
}
