/**
 * Parsing of oslo transport URLs:
 *   inproc://            the default in-process bus (also `fake://`, oslo's test transport)
 *   inproc://<name>      a separate in-process bus
 *   rabbit://user:pass@host:port[,user:pass@host2:port]/vhost[?ssl=1&heartbeat=30]
 *   amqp://... amqps://... (amqps or ssl=1/true: TLS)
 * Only the first host of a comma-separated list is used (no failover between brokers).
 * Hand-written: WHATWG URL cannot parse oslo's comma-separated host lists.
 */
import { maskUrlPasswords } from '../config/show.js';
import { InvalidTransportUrl } from './errors.js';

export interface BrokerHost {
  username: string | undefined;
  password: string | undefined;
  hostname: string;
  port: number | undefined;
}

export type ParsedTransportUrl =
  | { kind: 'inproc'; name: string; redacted: string }
  | {
      kind: 'amqp';
      tls: boolean;
      hosts: BrokerHost[];
      /** The virtual host; '/' when the URL has no path. */
      vhost: string;
      query: URLSearchParams;
      /** The URL with passwords replaced by `***`, for log lines and errors. */
      redacted: string;
    };

const URL_RE = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i;

export function parseTransportUrl(url: string): ParsedTransportUrl {
  const redacted = maskUrlPasswords(url);
  const m = URL_RE.exec(url.trim());
  if (!m) throw new InvalidTransportUrl(`invalid transport_url ${redacted}: expected scheme://[user:pass@]host[:port]/[vhost] or inproc://`);
  const scheme = (m[1] as string).toLowerCase();
  const netloc = m[2] ?? '';
  const path = m[3] ?? '';
  const query = new URLSearchParams(m[4]?.slice(1) ?? '');
  if (scheme === 'inproc' || scheme === 'fake') {
    return { kind: 'inproc', name: decodeURIComponent(netloc + path.replace(/^\/$/, '')) || 'default', redacted };
  }
  if (scheme !== 'rabbit' && scheme !== 'amqp' && scheme !== 'amqps' && scheme !== 'kombu') {
    throw new InvalidTransportUrl(`unsupported transport_url scheme "${scheme}" in ${redacted}: use rabbit://, amqp://, amqps:// or inproc://`);
  }
  const hosts = netloc.split(',').map((entry) => parseHost(entry, redacted));
  const ssl = (query.get('ssl') ?? '').toLowerCase();
  return {
    kind: 'amqp',
    tls: scheme === 'amqps' || ssl === '1' || ssl === 'true',
    hosts,
    vhost: path.length > 1 ? decodeURIComponent(path.slice(1)) : '/',
    query,
    redacted,
  };
}

function parseHost(entry: string, redacted: string): BrokerHost {
  const at = entry.lastIndexOf('@');
  let username: string | undefined;
  let password: string | undefined;
  if (at >= 0) {
    const userinfo = entry.slice(0, at);
    const colon = userinfo.indexOf(':');
    username = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    password = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
  }
  const hostport = entry.slice(at + 1);
  const hm = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostport);
  if (!hm) throw new InvalidTransportUrl(`invalid host "${hostport}" in transport_url ${redacted}`);
  const hostname = (hm[1] as string).replace(/^\[|\]$/g, '') || 'localhost';
  const port = hm[2] ? Number(hm[2]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new InvalidTransportUrl(`invalid port ${port} in transport_url ${redacted}`);
  }
  return { username, password, hostname, port };
}
