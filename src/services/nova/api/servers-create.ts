/**
 * POST /servers (nova's ServersController.create): the validated body to a compute API create
 * request (flavor and image references, networks, zone with forced host, counts, hints, block
 * devices, tags...), the policies a boot checks, and nova's mapping of the create errors to
 * HTTP (an unknown flavor, image, network or port is a 400, quota a 403, a port in use a 409).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { BadRequest, Conflict, Forbidden, NuboError } from '../../../common/errors.js';
import type { BlockDeviceRequest, CreateServerRequest } from '../compute/api.js';
import { generatePassword } from '../compute/passwords.js';
import {
  ComputeHostNotFound, FlavorNotFound, ImageNotAuthorized, ImageNotFound, InstanceExists, InstanceGroupNotFound, KeypairNotFound,
  NetworkAmbiguous, NetworkNotFound, NoUniqueMatch, OverQuota, PortInUse, PortNotFound, SecurityGroupNotFound, VolumeNotFound,
} from '../errors.js';
import { NetworkRequestList, type NetworkRequestFields } from '../objects/index.js';
import type { ApiDeps } from './deps.js';
import { caller } from './request.js';
import { CREATE_SERVER_V20 } from './schemas/legacy-v20.js';
import { createServerSchema } from './schemas/servers.js';
import { validateBody } from './validation.js';
import { createView } from './views/servers.js';

const SERVERS = 'os_compute_api:servers:%s';
const rule = (name: string): string => SERVERS.replace('%s', name);

interface CreateBody {
  server: {
    name: string;
    imageRef?: string;
    flavorRef: string | number;
    adminPass?: string;
    metadata?: Record<string, string>;
    networks?: Array<{ uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }> | 'auto' | 'none';
    'OS-DCF:diskConfig'?: 'AUTO' | 'MANUAL';
    accessIPv4?: string;
    accessIPv6?: string;
    availability_zone?: string;
    block_device_mapping_v2?: Array<Record<string, unknown>>;
    config_drive?: boolean | string;
    key_name?: string;
    min_count?: number | string;
    max_count?: number | string;
    return_reservation_id?: boolean | string;
    security_groups?: Array<{ name?: string }>;
    user_data?: string | null;
    description?: string | null;
    tags?: string[];
    host?: string;
    hypervisor_hostname?: string;
    hostname?: string;
    personality?: Array<{ path?: string; contents?: string }>;
  };
  'os:scheduler_hints'?: Record<string, unknown>;
  'OS-SCH-HNT:scheduler_hints'?: Record<string, unknown>;
}

const TRUE_STRINGS = new Set(['true', '1', 'on', 'yes']);
const asBool = (v: boolean | string | undefined): boolean => (typeof v === 'string' ? TRUE_STRINGS.has(v.toLowerCase()) : Boolean(v));

/** common.get_id_from_href: the last path segment of a reference. */
export function idFromHref(ref: string): string {
  const clean = ref.split('?')[0]!.replace(/\/+$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1);
}

/** nova's parse_az: "zone", "zone:host" or "zone:host:node" (or ":host", "::node"). */
function parseAz(az: string | undefined): { zone: string | null; host: string | null; node: string | null } {
  if (!az) return { zone: null, host: null, node: null };
  const parts = az.split(':');
  if (parts.length > 3) throw new BadRequest(`Invalid input received: Unable to parse availability_zone`);
  return { zone: parts[0] || null, host: parts[1] || null, node: parts[2] || null };
}

function requestedNetworks(networks: CreateBody['server']['networks']): NetworkRequestList | null {
  if (networks === undefined) return null;
  if (networks === 'auto' || networks === 'none') return NetworkRequestList.of([{ network_id: networks, address: null, port_id: null, tag: null }]);
  const out: NetworkRequestFields[] = [];
  for (const n of networks) {
    if (n.port) {
      if (n.fixed_ip !== undefined) {
        throw new BadRequest(`Specified Fixed IP '${n.fixed_ip}' cannot be used with port '${n.port}': the two cannot be specified together.`);
      }
      out.push({ network_id: null, address: null, port_id: n.port, tag: n.tag ?? null });
      continue;
    }
    if (!n.uuid) throw new BadRequest("Bad network format: missing 'uuid'");
    if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(n.uuid)) {
      throw new BadRequest(`Bad networks format: network uuid is not in proper format (${n.uuid})`);
    }
    out.push({ network_id: n.uuid, address: n.fixed_ip ?? null, port_id: null, tag: n.tag ?? null });
  }
  return NetworkRequestList.of(out);
}

function blockDevices(items: Array<Record<string, unknown>> | undefined): BlockDeviceRequest[] {
  return (items ?? []).map((b) => {
    const boot = b['boot_index'];
    const bootIndex = boot === undefined || boot === null ? null : Number(boot);
    const uuid = (b['uuid'] ?? b['image_id'] ?? b['volume_id'] ?? b['snapshot_id']) as string | undefined;
    const source = (b['source_type'] as BlockDeviceRequest['source_type'] | undefined)
      ?? (b['volume_id'] ? 'volume' : b['snapshot_id'] ? 'snapshot' : b['image_id'] ? 'image' : 'blank');
    return {
      source_type: source,
      ...(b['destination_type'] ? { destination_type: b['destination_type'] as 'local' | 'volume' } : {}),
      ...(uuid ? { uuid } : {}),
      boot_index: bootIndex,
      ...(b['volume_size'] !== undefined ? { volume_size: Number(b['volume_size']) } : {}),
      ...(b['delete_on_termination'] !== undefined ? { delete_on_termination: asBool(b['delete_on_termination'] as boolean | string) } : {}),
      ...(typeof b['device_name'] === 'string' ? { device_name: b['device_name'] } : {}),
      ...(typeof b['guest_format'] === 'string' ? { guest_format: b['guest_format'] } : {}),
      ...(typeof b['disk_bus'] === 'string' ? { disk_bus: b['disk_bus'] } : {}),
      ...(typeof b['device_type'] === 'string' ? { device_type: b['device_type'] } : {}),
      ...(typeof b['tag'] === 'string' ? { tag: b['tag'] } : {}),
      ...(typeof b['volume_type'] === 'string' ? { volume_type: b['volume_type'] } : {}),
    };
  });
}

/** Scheduler hints with every value a list of strings, as nova keeps them. */
function hints(raw: Record<string, unknown> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    out[k] = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  return out;
}

/** Base64 as nova's format checker reads it (whitespace ignored, padded to whole quanta). */
export function isBase64(text: string): boolean {
  const compact = text.replace(/\s/g, '');
  return compact.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(compact);
}

/** The HTTP form of a create error (servers.py create's except clauses). */
function createError(err: unknown): unknown {
  if (err instanceof OverQuota) return new Forbidden(err.message);
  if (err instanceof ImageNotFound) return new BadRequest('Can not find requested image');
  if (err instanceof KeypairNotFound) return new BadRequest('Invalid key_name provided.');
  const toBadRequest = [FlavorNotFound, ImageNotAuthorized, NetworkNotFound, PortNotFound, SecurityGroupNotFound, InstanceGroupNotFound, ComputeHostNotFound, VolumeNotFound];
  if (toBadRequest.some((cls) => err instanceof cls)) return new BadRequest((err as NuboError).message);
  if ([PortInUse, InstanceExists, NetworkAmbiguous, NoUniqueMatch].some((cls) => err instanceof cls)) return new Conflict((err as NuboError).message);
  return err;
}

export async function createServer(req: FastifyRequest, reply: FastifyReply, deps: ApiDeps): Promise<unknown> {
  const c = caller(req, deps);
  const body = validateBody<CreateBody>(createServerSchema(c.version), req.body, CREATE_SERVER_V20);
  const s = body.server;
  const target = { project_id: c.ctx.projectId ?? null, user_id: c.ctx.userId ?? null };
  deps.policy.can(c.ctx, rule('create'), target);

  const { zone, host, node } = parseAz(s.availability_zone);
  if (host || node) deps.policy.can(c.ctx, rule('create:forced_host'), target);
  if (s.host || s.hypervisor_hostname) deps.policy.can(c.ctx, 'compute:servers:create:requested_destination', target);
  if (s.block_device_mapping_v2 && s.block_device_mapping_v2.length > 0) deps.policy.can(c.ctx, rule('create:attach_volume'), target);
  const networks = requestedNetworks(s.networks);
  if (networks && !networks.isAuto && !networks.isNone) deps.policy.can(c.ctx, rule('create:attach_network'), target);
  const devices = blockDevices(s.block_device_mapping_v2);
  const imageId = s.imageRef ? idFromHref(s.imageRef) : null;
  if (!imageId && devices.length === 0) throw new BadRequest('Missing imageRef attribute');
  if (imageId && !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(imageId)) throw new BadRequest('Invalid imageRef provided.');

  const minCount = s.min_count !== undefined ? Number(s.min_count) : 1;
  const maxCount = s.max_count !== undefined ? Number(s.max_count) : minCount;
  if (minCount > maxCount) throw new BadRequest('min_count must be <= max_count');
  if (s.user_data != null && !isBase64(s.user_data)) throw new BadRequest('User data needs to be valid base 64.');

  let flavor;
  try {
    flavor = await deps.repos.flavors.getByFlavorId(idFromHref(String(s.flavorRef)));
    if (!flavor.data.is_public && !c.isAdmin && !(await deps.repos.flavors.projectHasAccess(flavor.data.id, c.ctx.projectId ?? ''))) {
      throw new FlavorNotFound(flavor.data.flavorid);
    }
  } catch (err) {
    throw createError(err);
  }
  const adminPass = s.adminPass ?? generatePassword();
  const request: CreateServerRequest = {
    flavor, imageId, name: s.name.trim(), description: s.description ?? null, ...(s.hostname ? { hostname: s.hostname } : {}),
    keyName: s.key_name ?? null, userData: s.user_data ?? null, metadata: s.metadata ?? {},
    securityGroups: (s.security_groups ?? [{ name: 'default' }]).map((g) => g.name ?? 'default'),
    availabilityZone: zone, forcedHost: host, forcedNode: node, requestedHost: s.host ?? null, requestedNode: s.hypervisor_hostname ?? null, requestedNetworks: networks,
    blockDevices: devices, minCount, maxCount, schedulerHints: hints(body['os:scheduler_hints'] ?? body['OS-SCH-HNT:scheduler_hints']),
    tags: s.tags ?? [], accessIPv4: s.accessIPv4 ?? null, accessIPv6: s.accessIPv6 ?? null, configDrive: asBool(s.config_drive),
    adminPassword: adminPass, autoDiskConfig: s['OS-DCF:diskConfig'] === 'AUTO',
    allowZeroDiskFlavor: deps.policy.check(c.ctx, rule('create:zero_disk_flavor'), target),
    injectedFiles: (s.personality ?? []).map((p): [string, string] => [p.path ?? '', p.contents ?? '']),
  };
  let created;
  try {
    created = await deps.compute.create(c.ctx, request);
  } catch (err) {
    throw createError(err);
  }
  if (asBool(s.return_reservation_id)) return reply.code(202).send({ reservation_id: created.reservationId });
  const first = created.instances[0]!;
  const view = createView(first, deps.links, s.security_groups?.map((g) => ({ name: g.name ?? 'default' })), adminPass);
  return reply.code(202).header('location', deps.links.resource('servers', first.uuid)[0]!.href).send(view);
}
