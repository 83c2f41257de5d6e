/** The SQL endpoint policy driver (keystone/endpoint_policy/backends/sql.py): the `policy_association` table. */
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import { newId } from '../../db/rows.js';
import type { KeystoneDB } from '../../db/schema.js';
import type { AssociatedKind, EndpointPolicyDriver, PolicyAssociationRecord, PolicyTarget } from './base.js';

/** The row of exactly this target: `column = value`, or `column IS NULL` for a null (SQL's `= NULL` matches nothing). */
function target(t: PolicyTarget) {
  return (eb: ExpressionBuilder<KeystoneDB, 'policy_association'>): Expression<SqlBool> => eb.and([
    t.endpointId === null ? eb('endpoint_id', 'is', null) : eb('endpoint_id', '=', t.endpointId),
    t.serviceId === null ? eb('service_id', 'is', null) : eb('service_id', '=', t.serviceId),
    t.regionId === null ? eb('region_id', 'is', null) : eb('region_id', '=', t.regionId),
  ]);
}

export class SqlEndpointPolicyDriver implements EndpointPolicyDriver {
  constructor(private readonly db: Kysely<KeystoneDB>) {}

  async createPolicyAssociation(policyId: string, t: PolicyTarget): Promise<void> {
    const updated = await this.db.updateTable('policy_association').set({ policy_id: policyId }).where(target(t)).executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) return;
    // As upstream: two requests associating one target at once may both insert (the unique
    // constraint cannot see it: a target's other columns are null); a lookup takes either row.
    await this.db.insertInto('policy_association').values({
      id: newId(), policy_id: policyId, endpoint_id: t.endpointId, service_id: t.serviceId, region_id: t.regionId,
    }).execute();
  }

  async checkPolicyAssociation(policyId: string, t: PolicyTarget): Promise<boolean> {
    return (await this.getPolicyAssociation(t)) === policyId;
  }

  async deletePolicyAssociation(policyId: string, t: PolicyTarget): Promise<void> {
    await this.db.deleteFrom('policy_association').where('policy_id', '=', policyId).where(target(t)).execute();
  }

  async getPolicyAssociation(t: PolicyTarget): Promise<string | undefined> {
    const row = await this.db.selectFrom('policy_association').select('policy_id').where(target(t)).executeTakeFirst();
    return row?.policy_id;
  }

  async listAssociationsForPolicy(policyId: string): Promise<PolicyAssociationRecord[]> {
    const rows = await this.db.selectFrom('policy_association').selectAll().where('policy_id', '=', policyId).orderBy('id').execute();
    return rows.map((r) => ({ policyId: r.policy_id, endpointId: r.endpoint_id, serviceId: r.service_id, regionId: r.region_id }));
  }

  async deleteAssociationsOf(kind: AssociatedKind, id: string): Promise<void> {
    await this.db.deleteFrom('policy_association').where(`${kind}_id`, '=', id).execute();
  }
}
