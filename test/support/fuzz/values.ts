/**
 * The bad inputs of the fuzz test. Body values are JSON text fragments, not JS values, so that
 * 10,000-deep nesting, numbers beyond double range and lone surrogates can be written without
 * the test's own JSON.stringify recursing or normalising them.
 */

/** A JSON text fragment with a short label for failure reports. */
export interface Fragment {
  readonly label: string;
  readonly text: string;
}

const frag = (label: string, text: string): Fragment => ({ label, text });
const str = (label: string, value: string): Fragment => frag(label, JSON.stringify(value));

export const deepArrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
export const deepObjects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** An object String() cannot convert: its toString is not a function. */
export const UNPRINTABLE: Fragment = frag('unprintable object', '{"toString":"x"}');

export const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'] as const;

/** Values of the wrong type, out of range, malformed or hostile, for any body field. */
export const BAD_VALUES: readonly Fragment[] = [
  frag('null', 'null'),
  frag('true', 'true'),
  frag('false', 'false'),
  frag('0', '0'),
  frag('-1', '-1'),
  frag('1.5', '1.5'),
  frag('-0.0', '-0.0'),
  frag('1e308', '1e308'),
  frag('1e400', '1e400'),
  frag('-1e400', '-1e400'),
  frag('huge int', '99999999999999999999'),
  frag('huge negative int', '-99999999999999999999'),
  frag('2^31', '2147483648'),
  frag('2^53+1', '9007199254740993'),
  str('empty string', ''),
  str('blank string', '   '),
  str('over-long string', 'x'.repeat(70_000)),
  str('NUL', 'a\u0000b'),
  frag('lone surrogate', '"\\ud800"'),
  ...PROTO_KEYS.map((k) => str(`"${k}"`, k)),
  str('bad uuid', 'not-a-uuid'),
  str('nil uuid', '00000000-0000-0000-0000-000000000000'),
  str('almost uuid', '0000000g-0000-0000-0000-000000000000'),
  str('sql', "' OR 1=1 --"),
  str('percent', '%00%ZZ'),
  str('path', '../../etc/passwd'),
  str('"1e3"', '1e3'),
  str('"0x10"', '0x10'),
  str('"-1"', '-1'),
  str('"NaN"', 'NaN'),
  str('bad ip', '999.999.999.999'),
  str('bad cidr', '10.0.0.0/99'),
  str('bad v6 cidr', 'fe80::1/200'),
  str('bad mac', 'aa:bb:cc:dd:ee:gg'),
  str('bad time', '2024-13-45T99:99:99Z'),
  str('bad url', 'http://[::1'),
  str('JSON text', '{"access":{"toString":"x"},"secret":[],"constructor":1}'),
  str('deep JSON text', deepArrays(10_000)),
  frag('empty array', '[]'),
  frag('array of null', '[null]'),
  frag('nested array', '[[]]'),
  frag('proto array', '["__proto__","constructor"]'),
  frag('mixed array', '[1,"a",{},[],null,true]'),
  frag('long array', `[${Array(5000).fill('0').join(',')}]`),
  frag('long string array', `[${Array(2000).fill('"x"').join(',')}]`),
  frag('empty object', '{}'),
  frag('constructor object', '{"constructor":{"prototype":{"polluted":1}}}'),
  frag('prototype-method keys', '{"toString":"x","valueOf":1,"hasOwnProperty":null}'),
  frag('toString object in array', '[{"toString":1}]'),
  frag('__proto__ key', '{"__proto__":{"polluted":1}}'),
  frag('100-deep arrays', deepArrays(100)),
  frag('100-deep objects', deepObjects(100)),
  frag('10000-deep arrays', deepArrays(10_000)),
  frag('10000-deep objects', deepObjects(10_000)),
];

/** Whole bodies that are not what any route expects. */
export const BAD_BODIES: readonly Fragment[] = [
  frag('malformed JSON', '{"a":'),
  frag('truncated string', '{"a":"'),
  frag('trailing garbage', '{}x'),
  frag('BOM', '\ufeff{}'),
  frag('null body', 'null'),
  frag('array body', '[]'),
  frag('string body', '"str"'),
  frag('number body', '1e400'),
  frag('empty object body', '{}'),
  frag('__proto__ body', '{"__proto__":{"x":1}}'),
  frag('constructor body', '{"constructor":{"prototype":{"x":1}}}'),
  frag('10000-deep body', deepArrays(10_000)),
  frag('10000-deep object body', deepObjects(10_000)),
];

/** Content types a JSON route does not take, and JSON ones it may not expect. */
export const CONTENT_TYPES = [
  'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x',
  'application/octet-stream', 'application/json; charset=latin1', 'application/merge-patch+json',
  'application/openstack-images-v2.1-json-patch', 'application/json-patch+json', '',
] as const;

/** Query values: not integers, huge, hostile. */
export const BAD_QUERY_VALUES: readonly string[] = [
  '', '-1', '1e3', '0x10', '1.5', '99999999999999999999', '-99999999999999999999', 'NaN', 'Infinity',
  ...PROTO_KEYS, 'x'.repeat(4000), '\u0000', 'not-a-uuid', 'True', 'None', "'", '"', 'a,b,"c', 'in:a,"b', 'gte:',
  'lt:2024-99-99', '[', '{}', '%', 'asc:desc:x', 'name:sideways', '::/129', '__proto__=x', 'constructor=x', 'toString=',
  'ip_address=999.1.1.1', 'subnet_id=__proto__', '=x',
];

/** Query names every list might be given. */
export const GENERIC_QUERY_NAMES: readonly string[] = [
  'limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'fields', 'page_reverse', 'name', 'id', 'tags', 'not-tags',
  'tags-any', 'status', 'visibility', 'member_status', 'size_min', 'size_max', 'created_at', 'changes-since',
  'project_id', 'tenant_id', 'domain_id', 'enabled', 'name__contains', 'name__icontains', 'parents_as_list',
  'include_subtree', 'effective', 'fixed_ips', 'x[y]', ...PROTO_KEYS,
];

/** Path parameter values: prototype names, malformed and over-long ids. */
export const BAD_PARAM_VALUES: readonly string[] = [
  ...PROTO_KEYS, 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'x'.repeat(300), 'x'.repeat(1100), '-1',
  '99999999999999999999', '1e3', '%', '..', ' ', 'a b', '\u00e9\u4e2d', ';', 'null', 'None', '\u0000', '%2F',
];

/** Header values a client could send anywhere. */
export const BAD_HEADERS: ReadonlyArray<Record<string, string>> = [
  { 'x-subject-token': 'garbage' },
  { 'x-subject-token': '' },
  { 'openstack-api-version': 'garbage 9.x' },
  { 'x-openstack-request-id': 'req-not-valid' },
  { range: 'bytes=99999999999999999999-' },
  { range: 'bytes=5-1' },
  { 'content-range': 'bytes */-1' },
  { 'x-openstack-glance-import-method': '__proto__' },
  { 'x-image-meta-store': 'constructor' },
];
