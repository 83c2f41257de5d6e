/**
 * web-download: which URLs may be fetched ([import_filtering_opts], glance's
 * validate_import_uri, including the refusal of numeric-encoded IPv4 forms that resolvers
 * accept), and fetching one as a stream, re-checking every redirect target.
 */
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { request } from 'undici';
import type { ImportFilter } from './deps.js';

/** The URL cannot be imported. */
export class ImportUrlError extends Error {
  override name = 'ImportUrlError';
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'ftp:': 21 };

/**
 * A host in canonical form, or undefined when it is an encoded IP (2130706433, 0x7f000001,
 * 127.1) that could sneak past host filters.
 */
export function normalizeHost(host: string): string | undefined {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (h === '') return undefined;
  if (isIP(h) === 4) return h.split('.').map((p) => String(Number(p))).join('.') === h ? h : undefined;
  if (isIP(h) === 6) return h.toLowerCase();
  if (/^[0-9.]+$/.test(h)) return undefined;
  if (/^0x[0-9a-f]+$/i.test(h) || /(^|\.)0x[0-9a-f]*(\.|$)/i.test(h)) return undefined;
  return h.toLowerCase();
}

/** glance.common.utils.validate_import_uri. */
export function isImportUriAllowed(uri: string | undefined, f: ImportFilter): boolean {
  if (!uri) return false;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const scheme = url.protocol.replace(/:$/, '');
  const bannedSchemes = f.allowedSchemes.length > 0 ? [] : f.disallowedSchemes;
  const bannedHosts = f.allowedHosts.length > 0 ? [] : f.disallowedHosts;
  const bannedPorts = f.allowedPorts.length > 0 ? [] : f.disallowedPorts;
  if (!scheme || (f.allowedSchemes.length > 0 && !f.allowedSchemes.includes(scheme)) || bannedSchemes.includes(scheme)) return false;
  const host = normalizeHost(url.hostname);
  if (!host || (f.allowedHosts.length > 0 && !f.allowedHosts.includes(host)) || bannedHosts.includes(host)) return false;
  const port = url.port !== '' ? Number(url.port) : DEFAULT_PORTS[url.protocol];
  // upstream only checks ports given explicitly in the URL
  if (url.port !== '' && port !== undefined && ((f.allowedPorts.length > 0 && !f.allowedPorts.includes(port)) || bannedPorts.includes(port))) return false;
  return true;
}

export interface FetchedData {
  stream: Readable;
  /** Content-Length, when the server sent one. */
  size: number | undefined;
}

/**
 * GET the URL, following up to 5 redirects whose targets pass the filter too.
 * @throws ImportUrlError
 */
export async function fetchImportUri(uri: string, filter: ImportFilter): Promise<FetchedData> {
  let current = uri;
  for (let hop = 0; hop <= 5; hop++) {
    if (!isImportUriAllowed(current, filter)) throw new ImportUrlError(`URI for web-download does not pass filtering: ${current}`);
    let res;
    try {
      res = await request(current, { method: 'GET', headersTimeout: 60_000, bodyTimeout: 300_000 });
    } catch (err) {
      throw new ImportUrlError(`Cannot fetch ${current}: ${(err as Error).message}`);
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers['location']) {
      res.body.resume();
      current = new URL(String(res.headers['location']), current).href;
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      res.body.resume();
      throw new ImportUrlError(`HTTP Error ${res.statusCode} fetching ${current}`);
    }
    const len = Number(res.headers['content-length']);
    return { stream: res.body, size: Number.isFinite(len) && res.headers['content-length'] !== undefined ? len : undefined };
  }
  throw new ImportUrlError(`Too many redirects fetching ${uri}`);
}
