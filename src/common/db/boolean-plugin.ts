/**
 * Nubo stores booleans as integers 0/1 on every dialect (see column-types.ts). This Kysely
 * plugin turns every boolean bound into a query (values, where clauses, defaults, `sql`
 * parameters) into 1 or 0, so repositories can write `enabled: true` and `where('enabled', '=', true)`
 * on any dialect (better-sqlite3 refuses booleans, pg would send 'true' to an integer column).
 * Reading is the other half: rows hold 0/1 and repositories convert with toBool().
 * A consequence: native BOOLEAN columns (PostgreSQL) cannot be written through this layer.
 */
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

const toInt = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

class BooleanToInteger extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return typeof node.value === 'boolean' ? { ...node, value: toInt(node.value) } : node;
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return node.values.some((v) => typeof v === 'boolean') ? { ...node, values: node.values.map(toInt) } : node;
  }
}

export class BooleanToIntegerPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanToInteger();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
