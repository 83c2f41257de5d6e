/**
 * `nubo explain FROM TO [--protocol tcp|udp|icmp|any] [--port N]`: asks a running cloud's
 * GET /v2.0/nubo-explain over REST with the admin credentials `nubo up` wrote to
 * <data_dir>/clouds.yaml (or the cloud OS_CLOUD of OS_CLIENT_CONFIG_FILE), and prints the hops
 * as a table with the verdict and the fix of the first broken hop.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { type Config, defaultGroup } from '../../../common/config/index.js';
import { OperatorError } from '../../../common/errors.js';
import { ServiceClientError, ServiceSession } from '../../../common/clients/session.js';
import type { Explanation, Hop } from './types.js';

export const EXPLAIN_USAGE = 'usage: nubo explain FROM TO [--protocol tcp|udp|icmp|any] [--port N]   (FROM, TO: a server id, a port id, a fixed or floating IP, or outside)';

export interface ExplainArgs {
  from: string;
  to: string;
  protocol: string | undefined;
  port: string | undefined;
}

export function parseExplainArgs(args: readonly string[]): ExplainArgs {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--(protocol|port)(?:=(.*))?$/.exec(a);
    if (m) {
      const value = m[2] ?? args[++i];
      if (value === undefined) throw new OperatorError(`--${m[1]} needs a value\n${EXPLAIN_USAGE}`);
      flags[m[1]!] = value;
    } else if (a.startsWith('--')) {
      throw new OperatorError(`unknown option ${a}\n${EXPLAIN_USAGE}`);
    } else {
      positional.push(a);
    }
  }
  if (positional.length !== 2) throw new OperatorError(EXPLAIN_USAGE);
  return { from: positional[0]!, to: positional[1]!, protocol: flags.protocol, port: flags.port };
}

interface CloudEntry {
  auth?: { auth_url?: string; username?: string; password?: string; project_name?: string; user_domain_name?: string; project_domain_name?: string };
  region_name?: string;
}

/** The admin session of clouds.yaml. */
export function sessionFromCloudsYaml(config: Config, env: NodeJS.ProcessEnv = process.env): ServiceSession {
  const file = env.OS_CLIENT_CONFIG_FILE || join(resolve(config.get(defaultGroup).data_dir), 'clouds.yaml');
  if (!existsSync(file)) throw new OperatorError(`no ${file}: start the cloud with nubo up (it writes the admin credentials there) or set OS_CLIENT_CONFIG_FILE`);
  const doc = parse(readFileSync(file, 'utf8')) as { clouds?: Record<string, CloudEntry> } | null;
  const name = env.OS_CLOUD || 'nubo';
  const cloud = doc?.clouds?.[name];
  const a = cloud?.auth;
  if (!a?.auth_url || !a.username || !a.password || !a.project_name) throw new OperatorError(`${file} has no cloud ${name} with auth_url, username, password and project_name`);
  return new ServiceSession({
    authUrl: a.auth_url.replace(/\/v3\/?$/, ''),
    region: cloud?.region_name ?? 'RegionOne',
    credentials: {
      username: a.username, password: a.password, projectName: a.project_name,
      userDomainName: a.user_domain_name ?? 'Default', projectDomainName: a.project_domain_name ?? 'Default',
    },
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const MARK: Record<Hop['verdict'], string> = { ok: 'ok', broken: 'BROKEN', unknown: '?' };

/** The explanation as text: the hops table, then the verdict in plain words. */
export function renderExplanation(e: Explanation): string {
  const what = `${e.protocol}${e.port !== null ? `/${e.port}` : ''}`;
  const rows = [['#', 'HOP', 'FROM', 'VERDICT', 'EVIDENCE'], ...e.hops.map((h, i) => [String(i + 1), h.hop, h.source, MARK[h.verdict], h.evidence])];
  const fixes = e.hops.filter((h) => h.verdict === 'broken').map((h) => `  ${h.hop}: ${h.fix}`);
  return [
    `path ${e.from} -> ${e.to} (${what})`, '', table(rows), '',
    `verdict: ${e.verdict}`, e.summary,
    ...(fixes.length ? ['', 'fixes:', ...fixes] : []),
    '',
  ].join('\n');
}

/** GET of a path below the Network API's endpoint, answering the parsed body. */
export type NetworkGet = (path: string) => Promise<{ explanation: Explanation }>;

function sessionGet(config: Config): NetworkGet {
  const session = sessionFromCloudsYaml(config);
  return async (path) => (await session.request<{ explanation: Explanation }>('network', 'GET', path)).body;
}

export async function runExplain(config: Config, args: readonly string[], get?: NetworkGet): Promise<string> {
  const a = parseExplainArgs(args);
  const q = new URLSearchParams({ from: a.from, to: a.to });
  if (a.protocol) q.set('protocol', a.protocol);
  if (a.port) q.set('port', a.port);
  try {
    const body = await (get ?? sessionGet(config))(`/v2.0/nubo-explain?${q.toString()}`);
    return renderExplanation(body.explanation);
  } catch (err) {
    if (err instanceof ServiceClientError) {
      let message = err.responseBody;
      try { message = (JSON.parse(err.responseBody) as { NeutronError?: { message?: string } }).NeutronError?.message ?? message; } catch { /* not JSON */ }
      throw new OperatorError(`nubo explain: ${message} (HTTP ${err.status})`);
    }
    throw err;
  }
}
