/**
 * Query parameters that carry credentials, masked for logs: a client may put a token in the
 * query string (`?auth_token=`), presigned object URLs carry signatures (`temp_url_sig`,
 * `X-Amz-Signature`, `Signature`), and so on. The logged URL keeps every parameter name and
 * order; only the values of credential-like names become `***`.
 */

export const MASK = '***';

/** Names masked whatever their case. */
const SECRET_NAMES = new Set([
  'key', 'sig', 'signature', 'temp_url_sig', 'api_key', 'apikey', 'access_key', 'accesskey', 'secret_key',
  'awsaccesskeyid', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'x-goog-signature',
  'x-goog-credential', 'code', 'ec2_signature',
]);

/** Names that contain one of these words are masked too (token, auth_token, X-Auth-Token, os_password, client_secret, ...). */
const SECRET_WORDS = /token|passw(or)?d|secret|signature|credential/i;

/** Cheap pre-check over the whole query (with no %-escapes): nothing to mask in almost every request. */
const MAYBE_SECRET = /token|passw|secret|sig|key|credential|code/i;

function isSecretName(rawName: string): boolean {
  let name = rawName;
  if (name.includes('%') || name.includes('+')) {
    try {
      name = decodeURIComponent(name.replaceAll('+', ' '));
    } catch {
      // undecodable: match on the raw name
    }
  }
  return SECRET_NAMES.has(name.toLowerCase()) || SECRET_WORDS.test(name);
}

/** The URL (path and query) with credential-like query values replaced by `***`. */
export function maskUrlCredentials(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url.slice(q + 1);
  if (!MAYBE_SECRET.test(query) && !query.includes('%')) return url;
  const parts = query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const eq = part.indexOf('=');
    if (eq < 0) continue; // a bare name has no value to hide
    const name = part.slice(0, eq);
    if (isSecretName(name)) parts[i] = `${name}=${MASK}`;
  }
  return `${url.slice(0, q + 1)}${parts.join('&')}`;
}
