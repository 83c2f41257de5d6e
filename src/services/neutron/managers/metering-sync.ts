/**
 * What the metering agents are told (MeteringDbMixin.get_sync_data_metering and
 * get_sync_data_for_rule): routers, each with the labels that apply to it. A label applies to
 * the routers of its project, a shared label to every router; admin-down routers are left out
 * of the full data (not of a rule's, as upstream).
 */
import type { MeteringLabelRow, MeteringLabelRuleRow, RouterRow } from '../db/schema.js';
import type { Db } from '../db/store.js';
import type { MeteringDirection, MeteringLabelRule, MeteringRouter, SyncLabel } from '../types/metering.js';

export function ruleView(r: MeteringLabelRuleRow): MeteringLabelRule {
  return {
    id: r.id, metering_label_id: r.metering_label_id, direction: r.direction as MeteringDirection,
    remote_ip_prefix: r.remote_ip_prefix, source_ip_prefix: r.source_ip_prefix, destination_ip_prefix: r.destination_ip_prefix,
    excluded: Boolean(Number(r.excluded)),
  };
}


function routerDict(r: RouterRow): MeteringRouter {
  return {
    id: r.id, name: r.name, project_id: r.project_id, admin_state_up: Boolean(Number(r.admin_state_up)), status: r.status,
    gw_port_id: r.gw_port_id, distributed: false, _metering_labels: [],
  };
}

export class MeteringSync {
  constructor(private readonly db: Db) {}

  private async routersOf(label: MeteringLabelRow): Promise<RouterRow[]> {
    let qb = this.db.selectFrom('routers').selectAll().orderBy('id');
    if (!Number(label.shared)) qb = qb.where('project_id', '=', label.project_id);
    return qb.execute();
  }

  /** Every label (or the one of `labelId`) with all its rules, on the routers it applies to. */
  async labels(labelId?: string): Promise<MeteringRouter[]> {
    let qb = this.db.selectFrom('meteringlabels').selectAll().orderBy('id');
    if (labelId) qb = qb.where('id', '=', labelId);
    const labels = await qb.execute();
    if (!labels.length) return [];
    const ruleRows = await this.db.selectFrom('meteringlabelrules').selectAll().where('metering_label_id', 'in', labels.map((l) => l.id)).orderBy('id').execute();
    const routers = new Map<string, MeteringRouter>();
    for (const label of labels) {
      const rules = ruleRows.filter((r) => r.metering_label_id === label.id).map(ruleView);
      const data: SyncLabel = { id: label.id, rules, shared: Boolean(Number(label.shared)), name: label.name };
      for (const r of await this.routersOf(label)) {
        if (!Number(r.admin_state_up)) continue;
        const d = routers.get(r.id) ?? routerDict(r);
        d._metering_labels.push(data);
        routers.set(r.id, d);
      }
    }
    return [...routers.values()];
  }

  /** One rule, under its label, on the routers the label applies to. */
  async forRule(rule: MeteringLabelRule): Promise<MeteringRouter[]> {
    const label = await this.db.selectFrom('meteringlabels').selectAll().where('id', '=', rule.metering_label_id).executeTakeFirst();
    if (!label) return [];
    return (await this.routersOf(label)).map((r) => ({ ...routerDict(r), _metering_labels: [{ id: label.id, rule }] }));
  }
}
