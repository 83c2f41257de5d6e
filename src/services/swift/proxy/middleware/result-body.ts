/**
 * The answers of bulk operations and SLO manifest writes (request_helpers.py
 * get_heartbeat_response_body): a summary and the failed names with their statuses, as plain
 * text, JSON or XML after the client's Accept.
 */
import { STATUS_CODES } from 'node:http';

const ACCEPTABLE = ['text/plain', 'application/json', 'application/xml', 'text/xml'] as const;
export type ResultFormat = (typeof ACCEPTABLE)[number];

/** swob's status lines ('404 Not Found'). */
export function statusLine(status: number): string {
  const reason = status === 413 ? 'Request Entity Too Large' : status === 499 ? 'Client Disconnect' : STATUS_CODES[status] ?? 'Unknown';
  return `${status} ${reason}`;
}

/** Accept's best match among the formats (text/plain without an Accept), or undefined when none is acceptable. */
export function resultFormat(accept: string | undefined): ResultFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'text/plain';
  let best: { format: ResultFormat; q: number } | undefined;
  for (const item of accept.split(',')) {
    const [range, ...params] = item.trim().split(';').map((p) => p.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!range || !(q > 0)) continue;
    for (const f of ACCEPTABLE) {
      const [type] = f.split('/');
      if (range === f || range === '*/*' || range === `${type}/*`) {
        if (!best || q > best.q) best = { format: f, q };
        break;
      }
    }
  }
  return best?.format;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The body: `summary` keys sorted (JSON keeps their order and adds Errors). */
export function resultBody(format: ResultFormat, summary: Record<string, string | number>, errors: Array<[string, string]>, rootTag: string): string {
  if (format === 'application/json') return JSON.stringify({ ...summary, Errors: errors });
  const keys = Object.keys(summary).sort();
  if (format.endsWith('/xml')) {
    const out = [`<${rootTag}>\n`];
    for (const k of keys) {
      const tag = k.replace(/ /g, '_').toLowerCase();
      out.push(`<${tag}>${escapeXml(String(summary[k]))}</${tag}>\n`);
    }
    out.push('<errors>\n');
    for (const [name, status] of errors) out.push(`<object><name>${escapeXml(name)}</name><status>${escapeXml(status)}</status></object>\n`);
    out.push(`</errors>\n</${rootTag}>\n`);
    return out.join('');
  }
  return `${keys.map((k) => `${k}: ${summary[k]}\n`).join('')}Errors:\n${errors.map(([n, s]) => `${n}, ${s}\n`).join('')}`;
}

/** Swift's quote() of a name in these lists (the '/' kept). */
export const quoteName = (name: string): string => name.split('/').map(encodeURIComponent).join('/');
