/**
 * os-simple-tenant-usage (nova/api/openstack/compute/simple_tenant_usage.py): usage of every
 * project (admin; `detailed=1` lists each server) or of one, over start..end (default: now;
 * end never later than now). From 2.40 the list pages over servers with limit and marker and
 * gives a `next` link when a page is full.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest, NotFound } from '../../../common/errors.js';
import { tenantUsagesForPeriod } from '../compute/tenant-usage.js';
import { MarkerNotFound } from '../errors.js';
import type { ApiDeps } from './deps.js';
import { lastParam, nonNegativeParam, rejectUnknownParams, type RawQuery } from './query.js';
import { caller, type Caller } from './request.js';

const rule = (name: string): string => `os_compute_api:os-simple-tenant-usage:${name}`;

const FORMATS = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,6})$/,
];

/** _parse_datetime: one of nova's three formats, as UTC; absent or empty: now. */
function parseDatetime(raw: string | undefined, now: Date): Date {
  if (!raw) return now;
  for (const re of FORMATS) {
    const m = re.exec(raw);
    if (!m) continue;
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    const micros = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
    const t = Date.UTC(y, mo - 1, d, h, mi, s, Math.floor(micros / 1000));
    const back = new Date(t);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60) return back;
  }
  throw new BadRequest('Invalid datetime string: Datetime is in invalid format');
}

const firstParam = (q: RawQuery, name: string): string | undefined => {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
};

interface Period {
  start: Date;
  stop: Date;
  detailed: boolean;
}

/** _get_datetime_range, then the end brought back to now. */
function period(q: RawQuery): Period {
  const now = new Date();
  const start = parseDatetime(firstParam(q, 'start'), now);
  const stop = parseDatetime(firstParam(q, 'end'), now);
  // neither given: nova reads the clock twice, so its start is always just before its end
  const bothNow = !firstParam(q, 'start') && !firstParam(q, 'end');
  if (!(start < stop) && !bothNow) throw new BadRequest('Invalid start time. The start time cannot occur after the end time.');
  return { start, stop: stop > now ? now : stop, detailed: firstParam(q, 'detailed') === '1' };
}

/** limit and marker (2.40): the page size within [api] max_limit. */
function paging(req: FastifyRequest, c: Caller, maxLimit: number): { limit: number; marker: string | null; links: boolean } {
  const q = req.query as RawQuery;
  if (!c.version.atLeast('2.40')) return { limit: maxLimit, marker: null, links: false };
  const limit = nonNegativeParam(q, 'limit');
  return { limit: Math.min(maxLimit, limit ?? maxLimit), marker: lastParam(q, 'marker') ?? null, links: true };
}

async function usages(deps: ApiDeps, p: Period, projectId: string | null, detailed: boolean, page: { limit: number; marker: string | null }) {
  try {
    return await tenantUsagesForPeriod(deps.db, { start: p.start, stop: p.stop, projectId, detailed, limit: page.limit, marker: page.marker });
  } catch (err) {
    if (err instanceof MarkerNotFound) throw new BadRequest(err.message);
    throw err;
  }
}

function known(c: Caller, detailed: boolean): string[] {
  return [...['start', 'end'], ...(detailed ? ['detailed'] : []), ...(c.version.atLeast('2.40') ? ['limit', 'marker'] : [])];
}

export function simpleTenantUsageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-simple-tenant-usage', async (req) => {
    // The router ignores a trailing slash; nova's does not: '/os-simple-tenant-usage/' (an empty tenant id) is a 404.
    if (req.url.split('?')[0]!.endsWith('/')) throw new NotFound('The resource could not be found.');
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    rejectUnknownParams(q, known(c, true), c.version);
    const page = paging(req, c, deps.settings.maxLimit);
    deps.policy.can(c.ctx, rule('list'));
    const p = period(q);
    const { usages: list, servers } = await usages(deps, p, null, p.detailed, page);
    const body: Record<string, unknown> = { tenant_usages: list };
    if (page.links && servers.length > 0 && servers.length === page.limit) {
      body['tenant_usages_links'] = [deps.links.next('os-simple-tenant-usage', q, servers.at(-1)!.instance_id)];
    }
    return body;
  });

  app.get<{ Params: { id: string } }>('/os-simple-tenant-usage/:id', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    rejectUnknownParams(q, known(c, false), c.version);
    const page = paging(req, c, deps.settings.maxLimit);
    deps.policy.can(c.ctx, rule('show'), { project_id: req.params.id });
    const p = period(q);
    const { usages: list, servers } = await usages(deps, p, req.params.id, true, page);
    const body: Record<string, unknown> = { tenant_usage: list[0] ?? {} };
    if (page.links && servers.length > 0 && servers.length === page.limit) {
      body['tenant_usage_links'] = [deps.links.next(`os-simple-tenant-usage/${req.params.id}`, q, servers.at(-1)!.instance_id)];
    }
    return body;
  });
}
