/**
 * The parameters middlewares put on the etag a container lists for an object (through
 * X-Object-Sysmeta-Container-Update-Override-Etag, swift/common/utils parse_header): an SLO's
 * `slo_etag` (slo.py handle_container_listing) and a symlink's `symlink_target`,
 * `symlink_target_account`, `symlink_target_etag` and `symlink_target_bytes`
 * (symlink.py _extract_symlink_path_json). Listings show them as keys of their own and the
 * hash without them.
 */

/** Sysmeta the object server keeps and sends as the container update's X-Etag when present. */
export const OVERRIDE_ETAG = 'x-object-sysmeta-container-update-override-etag';

/** The md5 of an empty body: a symlink's own etag. */
export const MD5_OF_EMPTY = 'd41d8cd98f00b204e9800998ecf8427e';

/** Swift's '; name=value' parameters of an etag, in order. */
export function parseEtagParams(value: string): { etag: string; params: Array<[string, string]> } {
  const [etag, ...rest] = value.split(';');
  const params: Array<[string, string]> = [];
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq > 0) params.push([p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim()]);
  }
  return { etag: etag!.trim(), params };
}

/**
 * A listing row's hash and the keys its parameters become: `slo_etag` (quoted), and for a
 * symlink `symlink_path` (/v1/<account>/<container>/<object>), with `symlink_etag` and
 * `symlink_bytes` for a static link. Other parameters stay on the hash.
 */
export function listedEtag(hash: string, account: string): { hash: string; fields?: Record<string, string | number> } {
  if (!hash.includes(';')) return { hash };
  const { etag, params } = parseEtagParams(hash);
  const fields: Record<string, string | number> = {};
  let out = etag;
  let target: string | undefined;
  let targetAccount = account;
  for (const [k, v] of params) {
    if (k === 'slo_etag') fields.slo_etag = `"${v}"`;
    else if (k === 'symlink_target') target = v;
    else if (k === 'symlink_target_account') targetAccount = v;
    else if (k === 'symlink_target_etag') fields.symlink_etag = v;
    else if (k === 'symlink_target_bytes' && /^\d+$/.test(v)) fields.symlink_bytes = Number(v);
    else out += `; ${k}=${v}`;
  }
  if (target !== undefined) fields.symlink_path = `/v1/${targetAccount}/${target}`;
  return { hash: out, fields };
}
