/**
 * os-security-group-rules (nova's SecurityGroupRulesController), proxied to Neutron up to 2.35:
 * POST adds an ingress rule to parent_group_id, from a source group (group_id; a protocol
 * without ports opens them all) or a cidr (0.0.0.0/0 when absent; protocol and ports are then
 * required), with nova's checks and messages (ports integers, 1-65535 for TCP/UDP and from <= to,
 * -1..255 for ICMP; a valid cidr whose prefix is not 0 unless the network is; the rule not in the
 * group already); DELETE removes one (202).
 */
import { isIP } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BadRequest } from '../../../common/errors.js';
import { InvalidInput } from '../errors.js';
import { addRule, getGroup, getRule, removeRule, type NewRule } from '../network/security-group-api.js';
import type { ApiDeps } from './deps.js';
import { authorizeProxy } from './proxy-gate.js';
import { caller, type Caller } from './request.js';
import { formatRule, SourceGroups } from './security-group-view.js';
import { fromBody, validateSecurityGroupId } from './security-groups.js';

const absent = (v: unknown): boolean => v === undefined || v === null;

/** netutils.is_valid_cidr: an address, a '/', and a prefix length (or IPv4 netmask) of its family. */
function isValidCidr(cidr: string): boolean {
  const [address, prefix, ...rest] = cidr.split('/');
  if (rest.length > 0 || !address || !prefix) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (/^\d+$/.test(prefix)) return Number(prefix) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(prefix) === 4;
}

/** parse_cidr: absent is 0.0.0.0/0; URL-quoted forms are unquoted. */
function parseCidr(cidr: unknown): string {
  if (!cidr) return '0.0.0.0/0';
  const invalid = () => new BadRequest(`${typeof cidr === 'string' ? cidr : JSON.stringify(cidr)} is not a valid IP network.`);
  if (typeof cidr !== 'string') throw invalid();
  let decoded: string;
  try {
    decoded = decodeURIComponent(cidr);
  } catch {
    throw invalid();
  }
  if (!isValidCidr(decoded)) throw invalid();
  return decoded;
}

/** Python's int() of a JSON value, or undefined when it is not one. */
function pyInt(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** _new_ingress_rule: the rule's values, or null when a cidr rule lacks protocol or ports. */
function newIngressRule(protocolIn: unknown, fromIn: unknown, toIn: unknown, groupId: string | undefined, cidr: string | undefined): Omit<NewRule, 'parent_group_id'> | null {
  const values: Omit<NewRule, 'parent_group_id'> = {};
  let from = fromIn;
  let to = toIn;
  if (groupId) {
    values.group_id = groupId;
    const upper = protocolIn ? String(protocolIn).toUpperCase() : '';
    if (upper === 'ICMP' && absent(from) && absent(to)) [from, to] = [-1, -1];
    else if (['TCP', 'UDP'].includes(upper) && absent(from) && absent(to)) [from, to] = [1, 65535];
  } else if (cidr) {
    values.cidr = cidr;
  }
  if (protocolIn && !absent(from) && !absent(to)) {
    const protocol = String(protocolIn);
    const upper = protocol.toUpperCase();
    const f = pyInt(from);
    const t = pyInt(to);
    if (f === undefined || t === undefined) {
      throw new InvalidInput(upper === 'ICMP' ? 'Type and Code must be integers for ICMP protocol type' : 'To and From ports must be integers');
    }
    if (!['TCP', 'UDP', 'ICMP'].includes(upper)) throw new BadRequest(`Invalid IP protocol ${protocol}.`);
    const range = (msg: string) => new BadRequest(`Invalid port range ${f}:${t}. ${msg}`);
    if (upper !== 'ICMP' && f > t) throw range('Former value cannot be greater than the later');
    if (upper !== 'ICMP' && (f < 1 || t > 65535)) throw range(`Valid ${upper} ports should be between 1-65535`);
    if (upper === 'ICMP' && (f < -1 || f > 255 || t < -1 || t > 255)) throw range('For ICMP, the type:code must be valid');
    Object.assign(values, { protocol, from_port: f, to_port: t });
  } else if (cidr) {
    return null;
  }
  return values;
}

/** get_net_and_prefixlen's check: a /0 only for the all-zero network. */
function checkPrefix(cidr: string): void {
  const [address, prefix] = cidr.split('/') as [string, string];
  const zero = isIP(address) === 4 ? address.split('.').every((o) => Number(o) === 0) : !/[1-9a-f]/i.test(address);
  if (!zero && /^0+$/.test(prefix)) throw new BadRequest(`Bad prefix for network in cidr ${cidr}`);
}

export function securityGroupRulesRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const client = (c: Caller) => deps.compute.network.clientFor(c.ctx);

  app.post('/os-security-group-rules', async (req) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:rule:create');
    const body = fromBody(req.body, 'security_group_rule');
    const groupIdIn = body['group_id'];
    const parent = await getGroup(client(c), validateSecurityGroupId(body['parent_group_id']));
    const sources = new SourceGroups(client(c), [parent]);
    let groupId: string | undefined;
    if (!absent(groupIdIn)) {
      groupId = validateSecurityGroupId(groupIdIn);
      const source = await getGroup(client(c), groupId);
      sources.add(source);
    }
    const values = newIngressRule(body['ip_protocol'], body['from_port'], body['to_port'], groupId, groupId === undefined ? parseCidr(body['cidr']) : undefined);
    if (!values) throw new BadRequest('Not enough parameters to build a valid rule.');
    if (values.cidr) checkPrefix(values.cidr);
    const rule = await addRule(client(c), parent, { ...values, parent_group_id: parent.id });
    return { security_group_rule: await formatRule(rule, sources) };
  });

  app.delete<{ Params: { id: string } }>('/os-security-group-rules/:id', async (req, reply) => {
    const c = caller(req, deps);
    authorizeProxy(deps, c, 'os_compute_api:os-security-groups:rule:delete');
    const rule = await getRule(client(c), validateSecurityGroupId(req.params.id));
    await getGroup(client(c), rule.parent_group_id);
    await removeRule(client(c), rule.id);
    return reply.code(202).send();
  });
}
