/**
 * os-hypervisors (nova/api/openstack/compute/hypervisors.py): the compute nodes the resource
 * trackers record, with the state of their compute service. List and detail (paging from
 * 2.33; from 2.53 uuid ids, ?hypervisor_hostname_pattern and ?with_servers replacing the
 * /{pattern}/search and /{pattern}/servers routes), show, statistics and uptime (until 2.87;
 * from 2.88 the uptime is in the detail view and the resource figures are gone).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import type { ComputeNodeRecord } from '../db/compute-nodes.js';
import { ComputeHostNotFound, ComputeServiceUnavailable, NotFound } from '../errors.js';
import { integerId, isUuidLike } from './admin-ids.js';
import { lastOf, pageLimit, rejectUnknown, strictBoolean, type RawQuery } from './admin-query.js';
import type { ApiDeps } from './deps.js';
import { caller, type Caller } from './request.js';
import { hypervisorStatistics, hypervisorView } from './views/hypervisors.js';

const rule = (name: string): string => `os_compute_api:os-hypervisors:${name}`;
const FQDN = /^[a-zA-Z0-9-._]*$/;

/** A route that exists only in some microversions: outside them, the resource is not found. */
function inVersions(c: Caller, min: string, max?: string): void {
  if (!c.version.inRange(min, max)) throw new NotFound('The resource could not be found.');
}

const notFound = (id: string): NotFound => new NotFound(`Hypervisor with ID '${id}' could not be found.`);

/** The node of a path id: a uuid from 2.53 (400 otherwise), an integer before (404 otherwise). */
async function nodeOf(deps: ApiDeps, c: Caller, id: string): Promise<ComputeNodeRecord> {
  let node: ComputeNodeRecord | undefined;
  if (c.version.atLeast('2.53')) {
    if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
    node = await deps.repos.computeNodes.find({ uuid: id });
  } else {
    let n: number | null = null;
    try { n = integerId(id); } catch { throw notFound(id); }
    node = n === null ? undefined : await deps.repos.computeNodes.find({ id: n });
  }
  if (!node) throw notFound(id);
  return node;
}

function withServersParam(q: RawQuery): boolean {
  const raw = lastOf(q, 'with_servers');
  return raw === undefined ? false : strictBoolean('with_servers', raw);
}

/** The views of these nodes (built concurrently: 2.88 detail asks each host its uptime); nodes whose compute service is gone are left out, as upstream. */
async function views(deps: ApiDeps, c: Caller, nodes: readonly ComputeNodeRecord[], opts: { detail: boolean; withServers: boolean }): Promise<Array<Record<string, unknown>>> {
  const built = await Promise.all(nodes.map(async (node) => {
    const service = await deps.repos.services.get(node.host, 'nova-compute');
    if (!service) return undefined;
    const up = deps.hosts.isUp(service);
    const servers = opts.withServers ? await deps.hosts.serversOnHost(node.host) : undefined;
    const uptime = opts.detail && c.version.atLeast('2.88') ? await uptimeOrNull(deps, c, node) : undefined;
    return hypervisorView({ node, service, up, detail: opts.detail, withServers: opts.withServers, ...(servers ? { servers } : {}), ...(uptime !== undefined ? { uptime } : {}) }, c.version);
  }));
  return built.filter((v): v is Record<string, unknown> => v !== undefined);
}

/** 2.88 detail: the stats' uptime, else the host's, else null. */
async function uptimeOrNull(deps: ApiDeps, c: Caller, node: ComputeNodeRecord): Promise<string | null> {
  const stats = node.stats ? (JSON.parse(node.stats) as Record<string, unknown>) : {};
  if (typeof stats['uptime'] === 'string') return stats['uptime'];
  try {
    return await deps.hosts.hostUptime(c.ctx, node.host);
  } catch (err) {
    if (err instanceof ComputeServiceUnavailable || err instanceof ComputeHostNotFound) return null;
    throw err;
  }
}

async function list(req: FastifyRequest, deps: ApiDeps, detail: boolean): Promise<unknown> {
  const q = req.query as RawQuery;
  const c = caller(req, deps);
  if (c.version.atLeast('2.53')) rejectUnknown(q, ['limit', 'marker', 'hypervisor_hostname_pattern', 'with_servers']);
  const paging = c.version.atLeast('2.33');
  const limit = paging ? pageLimit(q, deps.settings.maxLimit) : undefined;
  const marker = paging ? lastOf(q, 'marker') : undefined;
  deps.policy.can(c.ctx, rule(detail ? 'list-detail' : 'list'), {});
  const pattern = c.version.atLeast('2.53') ? lastOf(q, 'hypervisor_hostname_pattern') : undefined;
  const withServers = c.version.atLeast('2.53') ? withServersParam(q) : false;
  let nodes: ComputeNodeRecord[];
  if (pattern !== undefined) {
    if (!FQDN.test(pattern) || pattern.length === 0 || pattern.length > 255) {
      throw new BadRequest(`Invalid input for query parameters hypervisor_hostname_pattern. Value: ${pattern}. '${pattern}' does not match '^[a-zA-Z0-9-._]*$'`);
    }
    if (q['limit'] !== undefined || marker) throw new BadRequest('Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.');
    nodes = await searchNodes(deps, pattern);
  } else {
    let after: number | undefined;
    if (marker) {
      const byMarker = c.version.atLeast('2.53')
        ? (isUuidLike(marker) ? await deps.repos.computeNodes.find({ uuid: marker }) : undefined)
        : (/^\d+$/.test(marker) && Number(marker) <= 2 ** 31 - 1 ? await deps.repos.computeNodes.find({ id: Number(marker) }) : undefined);
      if (!byMarker) throw new BadRequest(`marker [${marker}] not found`);
      after = byMarker.id;
    }
    nodes = await deps.repos.computeNodes.page(limit ?? Number.MAX_SAFE_INTEGER, after);
  }
  const hypervisors = await views(deps, c, nodes, { detail, withServers });
  const body: Record<string, unknown> = { hypervisors };
  if (paging && pattern === undefined && limit !== undefined && nodes.length > 0 && nodes.length === limit && hypervisors.length > 0) {
    body['hypervisors_links'] = [deps.links.next(detail ? 'os-hypervisors/detail' : 'os-hypervisors', q, String(hypervisors.at(-1)!['id']))];
  }
  return body;
}

/** compute_node_search_by_hypervisor. @throws NotFound when nothing matches */
async function searchNodes(deps: ApiDeps, pattern: string): Promise<ComputeNodeRecord[]> {
  const nodes = await deps.repos.computeNodes.search(pattern);
  if (nodes.length === 0) throw new NotFound(`No hypervisor matching '${pattern}' could be found.`);
  return nodes;
}

export function hypervisorsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/os-hypervisors', (req) => list(req, deps, false));
  app.get('/os-hypervisors/detail', (req) => list(req, deps, true));

  app.get('/os-hypervisors/statistics', async (req) => {
    const c = caller(req, deps);
    inVersions(c, '2.1', '2.87');
    deps.policy.can(c.ctx, rule('statistics'), {});
    // Over the nodes of enabled compute services, as nova's compute_node_statistics joins them.
    const services = await deps.repos.services.list({ binary: 'nova-compute' });
    const hosts = new Set(services.filter((s) => !s.disabled).map((s) => s.host));
    const nodes = (await deps.repos.computeNodes.list()).filter((n) => hosts.has(n.host));
    return { hypervisor_statistics: hypervisorStatistics(nodes) };
  });

  app.get<{ Params: { id: string } }>('/os-hypervisors/:id', async (req) => {
    const c = caller(req, deps);
    const q = req.query as RawQuery;
    if (c.version.atLeast('2.53')) rejectUnknown(q, ['with_servers']);
    const withServers = c.version.atLeast('2.53') ? withServersParam(q) : false;
    deps.policy.can(c.ctx, rule('show'), {});
    const node = await nodeOf(deps, c, req.params.id);
    const [view] = await views(deps, c, [node], { detail: true, withServers });
    if (!view) throw notFound(req.params.id);
    return { hypervisor: view };
  });

  app.get<{ Params: { id: string } }>('/os-hypervisors/:id/uptime', async (req) => {
    const c = caller(req, deps);
    inVersions(c, '2.1', '2.87');
    deps.policy.can(c.ctx, rule('uptime'), {});
    const node = await nodeOf(deps, c, req.params.id);
    const [view] = await views(deps, c, [node], { detail: false, withServers: false });
    if (!view) throw notFound(req.params.id);
    try {
      view['uptime'] = await deps.hosts.hostUptime(c.ctx, node.host);
    } catch (err) {
      if (err instanceof ComputeServiceUnavailable || err instanceof ComputeHostNotFound) throw new BadRequest(err.message);
      throw err;
    }
    return { hypervisor: view };
  });

  app.get<{ Params: { id: string } }>('/os-hypervisors/:id/search', async (req) => {
    const c = caller(req, deps);
    inVersions(c, '2.1', '2.52');
    deps.policy.can(c.ctx, rule('search'), {});
    return { hypervisors: await views(deps, c, await searchNodes(deps, req.params.id), { detail: false, withServers: false }) };
  });

  app.get<{ Params: { id: string } }>('/os-hypervisors/:id/servers', async (req) => {
    const c = caller(req, deps);
    inVersions(c, '2.1', '2.52');
    deps.policy.can(c.ctx, rule('servers'), {});
    return { hypervisors: await views(deps, c, await searchNodes(deps, req.params.id), { detail: false, withServers: true }) };
  });
}
