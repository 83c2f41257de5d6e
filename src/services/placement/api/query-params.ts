/**
 * The query-string grammar of placement (placement/util.py normalize_* and placement/lib.py):
 * `resources=RC:N,...`, `required=T,!T` and `in:T1,T2` (1.39), `member_of=<uuid>`, `in:`,
 * `!`, `!in:` (1.32), `in_tree`, numbered (1.25) or named (1.33) request group suffixes,
 * `group_policy`, `root_required` (1.35) and `same_subtree` (1.36), with upstream's error texts.
 * Values are read as webob's MultiDict gives them: all occurrences in order, or the last one.
 */
import { pyRepr } from '../../../common/policy/python-values.js';
import { ErrorCode, HTTPBadRequest } from '../errors.js';
import type { RequestGroup, RequestWideParams } from '../objects/candidates/types.js';
import type { APIVersion } from './microversion.js';
import { isUuidLike } from './uuids.js';

/** The query string of a request as webob's MultiDict. */
export class Query {
  constructor(private readonly params: URLSearchParams) {}

  static parse(rawUrl: string): Query {
    const i = rawUrl.indexOf('?');
    return new Query(new URLSearchParams(i === -1 ? '' : rawUrl.slice(i + 1)));
  }

  has(key: string): boolean {
    return this.params.has(key);
  }

  /** The last value of `key` (MultiDict.__getitem__ / get). */
  get(key: string): string | undefined {
    return this.params.getAll(key).at(-1);
  }

  getAll(key: string): string[] {
    return this.params.getAll(key);
  }

  /** Every (key, value), duplicates included, in order (MultiDict.items). */
  items(): Array<[string, string]> {
    return [...this.params.entries()];
  }

  /** dict(req.GET): each key with its last value, as the query schemas see it. */
  toDict(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.params) out[k] = v;
    return out;
  }
}

/** Python's int() of a decimal string, or undefined. */
function pyInt(text: string): number | undefined {
  return /^\s*[+-]?\d+\s*$/.test(text) ? Number(text) : undefined;
}

const RESOURCES_FORM = 'Badly formed resources parameter. Expected resources query string parameter in form: ?resources=VCPU:2,MEMORY_MB:1024.';

/** util.normalize_resources_qs_param: amounts by class. */
export function parseResources(qs: string): Map<string, number> {
  if (qs.trim() === '') throw new HTTPBadRequest(`${RESOURCES_FORM} Got: empty string.`);
  const out = new Map<string, number>();
  for (const rt of qs.split(',')) {
    const parts = rt.split(':');
    if (parts.length !== 2) throw new HTTPBadRequest(`${RESOURCES_FORM} Got: ${rt}.`);
    const [rc, text] = parts as [string, string];
    const amount = pyInt(text);
    if (amount === undefined) throw new HTTPBadRequest(`Requested resource ${rc} expected positive integer amount. Got: ${text}.`);
    if (amount < 1) throw new HTTPBadRequest(`Requested resource ${rc} requires amount >= 1. Got: ${amount}.`);
    out.set(rc, amount);
  }
  return out;
}

/** Required trait sets and forbidden traits. */
export interface TraitsSpec {
  required: Array<Set<string>>;
  forbidden: Set<string>;
}

/** util.normalize_traits_qs_param: one `required` value. */
function parseTraits(val: string, allowForbidden: boolean, allowAnyTraits: boolean): TraitsSpec {
  if (val.startsWith('in:')) {
    if (!allowAnyTraits) {
      throw new HTTPBadRequest(`Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' only supported since microversion 1.39. Got: ${val}`);
    }
    const any = new Set(val.slice(3).split(',').map((t) => t.trim()));
    if ([...any].some((t) => t === '')) {
      throw new HTTPBadRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: in:HW_CPU_X86_VMX,CUSTOM_MAGIC. Got an empty trait in: ${val}`);
    }
    if ([...any].some((t) => t.startsWith('!'))) {
      throw new HTTPBadRequest(`Invalid query string parameters: The format 'in:HW_CPU_X86_VMX,CUSTOM_MAGIC' does not support forbidden traits. Got: ${val}`);
    }
    return { required: [any], forbidden: new Set() };
  }
  const all = val.split(',').map((t) => t.trim());
  // As upstream, any number of leading '!' is one.
  const forbidden = new Set(all.filter((t) => t.startsWith('!')).map((t) => t.replace(/^!+/, '')));
  if ([...forbidden, ...all].some((t) => t === '')) {
    const form = allowForbidden ? 'HW_CPU_X86_VMX,!CUSTOM_MAGIC' : 'HW_CPU_X86_VMX,CUSTOM_MAGIC';
    throw new HTTPBadRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: ${form}. Got an empty trait in: ${val}`);
  }
  if (forbidden.size > 0 && !allowForbidden) {
    throw new HTTPBadRequest(`Invalid query string parameters: Expected 'required' parameter value of the form: HW_CPU_X86_VMX,CUSTOM_MAGIC. Got: ${val}`);
  }
  return { required: all.filter((t) => !t.startsWith('!')).map((t) => new Set([t])), forbidden };
}

/** util.normalize_traits_qs_params: `required<suffix>`, repeatable from 1.39 (before, the last counts). */
export function parseTraitsParams(q: Query, version: APIVersion, suffix = ''): TraitsSpec {
  const allowAny = version.atLeast('1.39');
  let values = q.getAll(`required${suffix}`);
  if (!allowAny) values = values.slice(-1);
  const out: TraitsSpec = { required: [], forbidden: new Set() };
  for (const v of values) {
    const t = parseTraits(v, version.atLeast('1.22'), allowAny);
    out.required.push(...t.required);
    for (const f of t.forbidden) out.forbidden.add(f);
  }
  return out;
}

/** util.normalize_traits_qs_param_to_legacy_value: names, forbidden ones with '!'. */
function parseTraitsLegacy(val: string, allowForbidden: boolean): Set<string> {
  const t = parseTraits(val, allowForbidden, false);
  return new Set([...t.required.map((s) => [...s][0]!), ...[...t.forbidden].map((f) => `!${f}`)]);
}

/** util.normalize_member_of_qs_param: [required set, forbidden set] of one value. */
function parseMemberOf(value: string): [Set<string>, Set<string>] {
  if (value.includes(',') && !(value.startsWith('in:') || value.startsWith('!in:'))) {
    throw new HTTPBadRequest(`Multiple values for 'member_of' must be prefixed with the 'in:' or '!in:' keyword using the valid microversion. Got: ${value}`);
  }
  let required = new Set<string>();
  let forbidden = new Set<string>();
  if (value.startsWith('!in:')) forbidden = new Set(value.slice(4).split(','));
  else if (value.startsWith('!')) forbidden = new Set([value.slice(1)]);
  else if (value.startsWith('in:')) required = new Set(value.slice(3).split(','));
  else required = new Set([value]);
  for (const agg of [...required, ...forbidden]) {
    if (!isUuidLike(agg)) throw new HTTPBadRequest(`Invalid query string parameters: Expected 'member_of' parameter to contain valid UUID(s). Got: ${agg}`);
  }
  return [required, forbidden];
}

/** util.normalize_member_of_qs_params: several from 1.24, forbidden from 1.32. */
export function parseMemberOfParams(q: Query, version: APIVersion, suffix = ''): { memberOf: Array<Set<string>>; forbidden: Set<string> } {
  const values = q.getAll(`member_of${suffix}`);
  if (!version.atLeast('1.24') && values.length > 1) throw new HTTPBadRequest(`Multiple member_of${suffix} parameters are not supported`);
  const memberOf: Array<Set<string>> = [];
  const forbidden = new Set<string>();
  for (const v of values) {
    const [req, forb] = parseMemberOf(v);
    if (req.size > 0) memberOf.push(req);
    if (forb.size > 0) {
      if (!version.atLeast('1.32')) throw new HTTPBadRequest(`Forbidden member_of${suffix} parameters are not supported in the specified microversion`);
      for (const f of forb) forbidden.add(f);
    }
  }
  return { memberOf, forbidden };
}

/** util.normalize_in_tree_qs_params. */
function parseInTree(value: string): string {
  const v = value.trim();
  if (!isUuidLike(v)) throw new HTTPBadRequest(`Invalid query string parameters: Expected 'in_tree' parameter to be a format of uuid. Got: ${value}`);
  return v;
}

export const GROUP_PAT = '[1-9][0-9]*';
export const GROUP_PAT_1_33 = '[a-zA-Z0-9_-]{1,64}';
const KEY_PATTERN = new RegExp(`^(resources|required|member_of|in_tree)(${GROUP_PAT})?$`);
const KEY_PATTERN_1_33 = new RegExp(`^(resources|required|member_of|in_tree)(${GROUP_PAT_1_33})?$`);

const newGroup = (suffix: string): RequestGroup => ({
  useSameProvider: suffix !== '', resources: new Map(), requiredTraits: [], forbiddenTraits: new Set(), memberOf: [], forbiddenAggs: new Set(),
});

/** lib.RequestWideParams.from_request. */
export function parseWideParams(q: Query): RequestWideParams {
  const limits = q.getAll('limit');
  const policies = q.getAll('group_policy');
  const params: RequestWideParams = { sameSubtrees: [] };
  if (limits.length > 0) params.limit = Number(limits[0]);
  if (policies.length > 0) params.groupPolicy = policies[0] as 'none' | 'isolate';
  const rootRequired = q.getAll('root_required');
  if (rootRequired.length > 1) throw new HTTPBadRequest("Query parameter 'root_required' may be specified only once.", ErrorCode.ILLEGAL_DUPLICATE_QUERYPARAM);
  if (rootRequired.length === 1) {
    const traits = parseTraitsLegacy(rootRequired[0]!, true);
    const forbidden = new Set([...traits].filter((t) => t.startsWith('!')).map((t) => t.replace(/^!+/, '')));
    const required = new Set([...traits].filter((t) => !t.startsWith('!')));
    const conflicts = [...forbidden].filter((t) => required.has(t));
    if (conflicts.length > 0) {
      throw new HTTPBadRequest(`Conflicting required and forbidden traits found in root_required: ${conflicts.join(', ')}`, ErrorCode.QUERYPARAM_BAD_VALUE);
    }
    params.anchorRequiredTraits = required;
    params.anchorForbiddenTraits = forbidden;
  }
  for (const v of q.getAll('same_subtree')) {
    const suffixes = new Set(v.split(',').map((s) => s.trim()));
    if (suffixes.has('')) throw new HTTPBadRequest('Empty string (unsuffixed group) can not be specified in `same_subtree` ', ErrorCode.QUERYPARAM_BAD_VALUE);
    params.sameSubtrees.push(suffixes);
  }
  return params;
}

function checkOrphans(groups: Map<string, RequestGroup>): void {
  let orphans = [...groups].filter(([, g]) => g.requiredTraits.length > 0 && g.resources.size === 0).map(([s]) => `required${s}`);
  if (orphans.length > 0) {
    throw new HTTPBadRequest(`All traits parameters must be associated with resources.  Found the following orphaned traits keys: ${orphans.join(', ')}`);
  }
  orphans = [...groups].filter(([, g]) => g.resources.size === 0 && (g.memberOf.length > 0 || g.forbiddenAggs.size > 0)).map(([s]) => `member_of${s}`);
  if (orphans.length > 0) {
    throw new HTTPBadRequest(`All member_of parameters must be associated with resources. Found the following orphaned member_of keys: ${orphans.join(', ')}`);
  }
  if (![...groups.values()].every((g) => g.resources.size > 0)) throw new HTTPBadRequest('All request groups must specify resources.');
  if (groups.size === 0) throw new HTTPBadRequest('At least one request group (`resources` or `resources{$S}`) is required.');
}

function checkSameSubtree(groups: Map<string, RequestGroup>, params: RequestWideParams): void {
  const resourceless = [...groups].filter(([, g]) => g.resources.size === 0).map(([s]) => s);
  if (resourceless.length === groups.size) {
    throw new HTTPBadRequest('There must be at least one resources or resources[$S] parameter.', ErrorCode.QUERYPARAM_MISSING_VALUE);
  }
  const subtree = new Set(params.sameSubtrees.flatMap((s) => [...s]));
  const bad = resourceless.filter((s) => !subtree.has(s));
  if (bad.length > 0) {
    throw new HTTPBadRequest(
      `Resourceless suffixed group request should be specified in \`same_subtree\` query param: bad group(s) - ${pyRepr(bad)}.`, ErrorCode.QUERYPARAM_BAD_VALUE,
    );
  }
  const unknown = [...subtree].filter((s) => !groups.has(s));
  if (unknown.length > 0) {
    throw new HTTPBadRequest(`Real suffixes should be specified in \`same_subtree\`: ${pyRepr(unknown)} not found in ${pyRepr([...groups.keys()])}.`, ErrorCode.QUERYPARAM_BAD_VALUE);
  }
}

function checkForbidden(groups: Map<string, RequestGroup>): void {
  const conflicts: string[] = [];
  for (const [suffix, g] of groups) {
    for (const any of g.requiredTraits) {
      if ([...any].every((t) => g.forbiddenTraits.has(t))) conflicts.push(`required${suffix}: (${[...any].sort().join(', ')})`);
    }
  }
  if (conflicts.length > 0) {
    throw new HTTPBadRequest(`Conflicting required and forbidden traits found in the following traits keys: ${conflicts.sort().join(', ')}`);
  }
}

/** lib.RequestGroup.dict_from_request: the request groups by suffix ('' unsuffixed). */
export function parseRequestGroups(q: Query, version: APIVersion, params: RequestWideParams): Map<string, RequestGroup> {
  const pattern = version.atLeast('1.33') ? KEY_PATTERN_1_33 : KEY_PATTERN;
  const groups = new Map<string, RequestGroup>();
  for (const [key, val] of q.items()) {
    const m = pattern.exec(key);
    if (!m) continue;
    const prefix = m[1]!;
    const suffix = m[2] ?? '';
    let g = groups.get(suffix);
    if (!g) {
      g = newGroup(suffix);
      groups.set(suffix, g);
    }
    if (prefix === 'resources') {
      g.resources = parseResources(val);
    } else if (prefix === 'required') {
      const t = parseTraitsParams(q, version, suffix);
      g.requiredTraits = t.required;
      g.forbiddenTraits = t.forbidden;
    } else if (prefix === 'member_of') {
      const m2 = parseMemberOfParams(q, version, suffix);
      g.memberOf = m2.memberOf;
      g.forbiddenAggs = m2.forbidden;
    } else {
      g.inTree = parseInTree(val);
    }
  }
  if (version.atLeast('1.36')) checkSameSubtree(groups, params);
  else checkOrphans(groups);
  if (version.atLeast('1.22')) checkForbidden(groups);
  return groups;
}
