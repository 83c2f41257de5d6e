/**
 * Nubo stores booleans as integers 0/1 on every dialect (see column-types.ts). This Kysely
 * plugin turns every boolean bound into a query (values, where clauses, defaults, `sql`
 * parameters) into 1 or 0, so repositories can write `enabled: true` and `where('enabled', '=', true)`
 * on any dialect (better-sqlite3 refuses booleans, pg would send 'true' to an integer column).
 * Reading is the other half: rows hold 0/1 and repositories convert with toBool().
 * A consequence: native BOOLEAN columns (PostgreSQL) cannot be written through this layer.
 * Most queries bind no boolean: a read-only walk finds that first, and only a query that has one
 * is rewritten (Kysely's transformer copies every node of the tree, a cost paid per query).
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

/**
 * Whether an operation node tree binds a boolean: a ValueNode holding one or a
 * PrimitiveValueListNode with one. Operation nodes are plain objects and arrays of them; a
 * value's own contents (a Buffer, a Date, a JSON object) are not walked.
 */
export function bindsBoolean(node: unknown): boolean {
  if (Array.isArray(node)) {
    for (const item of node) if (bindsBoolean(item)) return true;
    return false;
  }
  if (node === null || typeof node !== 'object') return false;
  const kind = (node as { kind?: unknown }).kind;
  if (kind === 'ValueNode') return typeof (node as ValueNode).value === 'boolean';
  if (kind === 'PrimitiveValueListNode') return (node as PrimitiveValueListNode).values.some((v) => typeof v === 'boolean');
  if (typeof kind !== 'string') return false;
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (child !== null && typeof child === 'object' && bindsBoolean(child)) return true;
  }
  return false;
}

export class BooleanToIntegerPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanToInteger();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return bindsBoolean(args.node) ? this.#transformer.transformNode(args.node, args.queryId) : args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
