/**
 * The metadata request handler (nova/api/metadata/handler.py MetadataRequestHandler): finds
 * the requesting instance, then serves the item its path names.
 *  - With [neutron] service_metadata_proxy, Neutron's metadata proxy sends X-Instance-ID,
 *    X-Tenant-ID and X-Instance-ID-Signature (HMAC-SHA256 of the instance id with
 *    [neutron] metadata_proxy_shared_secret): a missing or repeated header is a 400, a bad
 *    signature a 403, an instance of another project a 404.
 *  - Without it the instance is the one holding the request's remote address as a fixed IP
 *    (from Neutron's ports); X-Forwarded-For is that address only with [api] use_forwarded_for.
 * Errors are plain text, as webob renders them; no token is needed (guests have none).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../common/log/logger.js';
import type { Instance } from '../objects/index.js';
import { ec2MdPrint, InvalidMetadataPath, type InstanceMetadata, type PasswordItem } from './base.js';
import { convertPassword, PASSWORD_MAX_SIZE } from './password.js';
import { VendordataFailed } from './vendordata.js';

export interface MetadataHandlerDeps {
  log: Logger;
  serviceMetadataProxy: boolean;
  sharedSecret: string;
  useForwardedFor: boolean;
  /** The live instance with this uuid. */
  instanceById(uuid: string): Promise<Instance | undefined>;
  /** The uuid of the instance with this fixed IP, per Neutron (undefined: none or several). */
  instanceIdByAddress(address: string): Promise<string | undefined>;
  /** InstanceMetadata of an instance, for a request from `address`. */
  metadataOf(instance: Instance, address: string | undefined): Promise<InstanceMetadata>;
  /** Writes the password_* system metadata. */
  savePassword(instanceUuid: string, entries: Record<string, string>): Promise<void>;
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 500: 'Internal Server Error' };
const DEFAULT_EXPLANATION: Record<number, string> = {
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
};

class HttpError extends Error {
  constructor(readonly status: number, explanation?: string) {
    super(explanation ?? DEFAULT_EXPLANATION[status] ?? '');
  }
}

/** webob's plain-text error body. */
function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  return reply.code(err.status).type('text/plain; charset=UTF-8').send(`${err.status} ${TITLES[err.status] ?? ''}\n\n${err.message}\n\n   `);
}

/** How many times a header came (Node joins repeated custom headers into one value). */
function headerCount(req: FastifyRequest, name: string): number {
  const raw = req.raw.rawHeaders;
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) n++;
  return n;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function signInstanceId(secret: string, instanceId: string): string {
  return createHmac('sha256', secret).update(instanceId).digest('hex');
}

export function metadataHandlerRoutes(d: MetadataHandlerDeps): FastifyPluginAsync {
  if (d.serviceMetadataProxy && !d.sharedSecret) {
    d.log.warn('metadata_proxy_shared_secret is not configured, the metadata information returned by the proxy cannot be trusted');
  }

  /** _validate_shared_secret. */
  function validateSignature(instanceId: string, signature: string | undefined, address: string | undefined): void {
    const expected = Buffer.from(signInstanceId(d.sharedSecret, instanceId));
    const given = Buffer.from(signature ?? '');
    if (!signature || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      d.log.warn({ instance: instanceId, address }, 'X-Instance-ID-Signature does not match the expected signature');
      throw new HttpError(403, 'Invalid proxy request signature.');
    }
  }

  /** _handle_instance_id_request. */
  async function byInstanceId(req: FastifyRequest): Promise<InstanceMetadata | undefined> {
    const instanceId = header(req, 'x-instance-id');
    const tenantId = header(req, 'x-tenant-id');
    const signature = header(req, 'x-instance-id-signature');
    const address = header(req, 'x-forwarded-for');
    let msg: string | undefined;
    if (instanceId === undefined) msg = 'X-Instance-ID header is missing from request.';
    else if (signature === undefined) msg = 'X-Instance-ID-Signature header is missing from request.';
    else if (tenantId === undefined) msg = 'X-Tenant-ID header is missing from request.';
    else if (headerCount(req, 'x-instance-id') > 1) msg = 'Multiple X-Instance-ID headers found within request.';
    else if (headerCount(req, 'x-tenant-id') > 1) msg = 'Multiple X-Tenant-ID headers found within request.';
    if (msg) throw new HttpError(400, msg);
    validateSignature(instanceId!, signature, address);
    const instance = await d.instanceById(instanceId!);
    if (!instance) {
      d.log.error({ instance: instanceId }, 'Failed to get metadata for instance id');
      return undefined;
    }
    if (instance.data.project_id !== tenantId) {
      d.log.warn({ tenant: tenantId, instance: instanceId }, 'Tenant_id does not match tenant_id of instance');
      return undefined;
    }
    return d.metadataOf(instance, address);
  }

  /** _handle_remote_ip_request. */
  async function byRemoteAddress(req: FastifyRequest): Promise<InstanceMetadata | undefined> {
    if (req.headers['x-instance-id'] !== undefined) {
      d.log.warn("X-Instance-ID present in request headers. The 'service_metadata_proxy' option must be enabled to process this header.");
    }
    let address = req.ip;
    if (d.useForwardedFor) address = header(req, 'x-forwarded-for') ?? address;
    const uuid = address ? await d.instanceIdByAddress(address) : undefined;
    const instance = uuid ? await d.instanceById(uuid) : undefined;
    if (!instance) {
      d.log.error({ address }, 'Failed to get metadata for IP: no metadata');
      return undefined;
    }
    return d.metadataOf(instance, address);
  }

  /** handle_password. */
  async function password(req: FastifyRequest, reply: FastifyReply, item: PasswordItem): Promise<FastifyReply> {
    if (req.method === 'GET' || req.method === 'HEAD') return reply.type('text/plain; charset=UTF-8').send(item.current ?? '');
    if (item.current) throw new HttpError(409);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > PASSWORD_MAX_SIZE || body.length > PASSWORD_MAX_SIZE) throw new HttpError(400, 'Request is too large.');
    await d.savePassword(item.instanceUuid, convertPassword(body.toString('utf8')));
    return reply.type('text/plain; charset=UTF-8').send('');
  }

  async function serve(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const path = `/${(req.params as { '*': string })['*'] ?? ''}`;
      const metadata = d.serviceMetadataProxy ? await byInstanceId(req) : await byRemoteAddress(req);
      if (!metadata) throw new HttpError(404);
      let data;
      try {
        data = await metadata.lookup(path);
      } catch (err) {
        if (err instanceof InvalidMetadataPath) throw new HttpError(404);
        throw err;
      }
      if (typeof data === 'object' && !Array.isArray(data) && !Buffer.isBuffer(data) && data.kind === 'password') {
        return await password(req, reply, data as PasswordItem);
      }
      const body = ec2MdPrint(data as Exclude<typeof data, PasswordItem>);
      const type = metadata.mimetype.startsWith('text/') ? `${metadata.mimetype}; charset=UTF-8` : metadata.mimetype;
      return reply.type(type).send(body);
    } catch (err) {
      if (err instanceof HttpError) return sendError(reply, err);
      if (err instanceof VendordataFailed) return sendError(reply, new HttpError(500, 'An unknown error has occurred. Please try your request again.'));
      throw err;
    }
  }

  return async (app) => {
    // the password a guest POSTs is a raw body of any type
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));
    app.get('/*', { config: { public: true } }, serve);
    app.post('/*', { config: { public: true }, bodyLimit: 64 * 1024 }, serve);
  };
}
