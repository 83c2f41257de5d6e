/**
 * Endpoint URL templates (keystone/common/utils.py format_url and check_endpoint_url): an
 * endpoint URL may substitute $(project_id)s, $(user_id)s and a few other whitelisted names.
 */
import { URLValidationError } from '../errors.js';

/** Names an endpoint URL may substitute ($(project_id)s), as keystone/common/utils.py WHITELISTED_PROPERTIES. */
const URL_PROPERTIES = ['tenant_id', 'project_id', 'user_id', 'public_bind_host', 'admin_bind_host', 'compute_host', 'admin_port', 'public_port', 'public_endpoint', 'admin_endpoint'];

/**
 * Python's `url.replace('$(', '%(') % values` for endpoint URLs. Returns undefined when a
 * name is missing from `values` (the endpoint is left out of the catalog); throws for a
 * malformed template. Written by hand: it is a small subset of Python's % formatting.
 */
export function formatEndpointUrl(url: string, values: Record<string, string>, silentMissing: string[] = []): string | undefined {
  const s = url.replaceAll('$(', '%(');
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') { out += c; continue; }
    if (s[i + 1] === '%') { out += '%'; i++; continue; }
    const m = /^%\(([^)]*)\)s/.exec(s.slice(i));
    if (!m) throw new URLValidationError(url);
    const name = m[1]!;
    if (!Object.hasOwn(values, name)) {
      if (silentMissing.includes(name)) return undefined;
      throw new URLValidationError(url);
    }
    out += values[name];
    i += m[0].length - 1;
  }
  return out;
}

/** check_endpoint_url: the URL may only substitute the whitelisted names. */
export function checkEndpointUrl(url: string): void {
  formatEndpointUrl(url, Object.fromEntries(URL_PROPERTIES.map((p) => [p, ''])));
}
