/**
 * The object store's HTTP routes (the proxy's WSGI entry): /info, and
 * /v1/{account}[/{container}[/{object}]] for GET, HEAD, PUT, POST, DELETE, COPY and OPTIONS. Bodies are
 * never parsed: every content type hands the request stream to the proxy unread (objects are
 * streamed, metadata is in headers), so no body limit applies here.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ProxyResult } from '../proxy/base.js';
import type { ProxyServer } from '../proxy/server.js';

interface Params {
  account: string;
  container?: string;
  '*'?: string;
}

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'COPY', 'OPTIONS'] as const;

/** System metadata is the middlewares' own: never taken from a client, never shown to one (gatekeeper.py). */
const isSysmeta = (name: string): boolean => /^x-(account|container|object)-sysmeta-/.test(name);

/**
 * Swift's transaction id (swift/common/utils generate_trans_id): `tx`, 21 hex digits, `-`, the
 * time as 10 hex digits. The hex digits are the request id's, so the two can be matched in logs.
 */
function transId(requestId: string): string {
  const hex = requestId.replace(/^req-/, '').replace(/-/g, '').padEnd(21, '0').slice(0, 21);
  return `tx${hex}-${Math.floor(Date.now() / 1000).toString(16).padStart(10, '0')}`;
}

/** Header names as a WSGI server hands them on: '_' read as '-' (X-Container-Meta-a_b is X-Container-Meta-a-b); system metadata dropped. */
function wsgiHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  let out: IncomingHttpHeaders | undefined;
  for (const [k, v] of Object.entries(headers)) {
    if (!k.includes('_') && !isSysmeta(k)) continue;
    out ??= { ...headers };
    delete out[k];
    const name = k.replace(/_/g, '-');
    if (!isSysmeta(name)) out[name] = v;
  }
  return out ?? headers;
}

async function send(req: FastifyRequest, reply: FastifyReply, result: ProxyResult): Promise<void> {
  reply.code(result.status);
  for (const [k, v] of Object.entries(result.headers)) if (!isSysmeta(k)) reply.header(k, v);
  reply.header('x-trans-id', transId(req.id));
  const body = result.body;
  const empty = req.method === 'HEAD' || result.status === 204 || result.status === 304 || body === undefined || body === '';
  // Swift's empty answers (204, HEAD, ...) name a content type too: text/html, as webob's.
  if (empty && !reply.hasHeader('content-type')) reply.header('content-type', 'text/html; charset=UTF-8');
  if (req.method === 'HEAD' || result.status === 204 || result.status === 304) {
    if (body instanceof Readable) body.resume();
    if (result.status === 204 || result.status === 304) reply.removeHeader('content-length');
    return reply.send();
  }
  if (body === undefined || body === '') {
    reply.header('content-length', '0');
    return reply.send('');
  }
  if (typeof body === 'string') return reply.send(body);
  body.on('error', () => reply.raw.destroy());
  return reply.send(body);
}

/** crossdomain's default cross_domain_policy: any domain may read. */
const CROSS_DOMAIN_POLICY = '<allow-access-from domain="*" secure="false" />';

function crossdomainPolicy(policy: string): string {
  return '<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy SYSTEM "http://www.adobe.com/xml/dtds/cross-domain-policy.dtd" >\n'
    + `<cross-domain-policy>\n${policy}\n</cross-domain-policy>`;
}

export function swiftRoutes(proxy: ProxyServer): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    if (!app.supportedMethods.includes('COPY')) app.addHttpMethod('COPY', { hasBody: true });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, payload, done) => {
      payload.on('error', () => undefined);
      done(null, payload);
    });

    app.get('/info', { config: { public: true } }, async (_req, reply) => {
      reply.type('application/json; charset=utf-8');
      return JSON.stringify(proxy.info());
    });

    // healthcheck: the proxy answers (swift/common/middleware/healthcheck.py)
    app.get('/healthcheck', { config: { public: true } }, async (req, reply) => {
      reply.type('text/plain; charset=UTF-8').header('x-trans-id', transId(req.id));
      return 'OK';
    });
    // crossdomain: the Flash cross-domain policy (swift/common/middleware/crossdomain.py)
    app.get('/crossdomain.xml', { config: { public: true } }, async (req, reply) => {
      reply.type('application/xml; charset=UTF-8').header('x-trans-id', transId(req.id));
      return crossdomainPolicy(CROSS_DOMAIN_POLICY);
    });

    const handler = async (req: FastifyRequest<{ Params: Params }>, reply: FastifyReply): Promise<void> => {
      const { account, container } = req.params;
      const q = req.url.indexOf('?');
      const rawPath = q >= 0 ? req.url.slice(0, q) : req.url;
      // the router drops a trailing '/', which is part of an object's name ('dir/')
      let object = req.params['*'];
      if (object && rawPath.endsWith('/') && !object.endsWith('/')) object += '/';
      const v1 = req.url.indexOf('/v1/');
      const raw = req.body instanceof Readable ? req.body : req.raw;
      const result = await proxy.handle({
        ctx: req.ctx,
        method: req.method,
        account,
        ...(container !== undefined ? { container } : {}),
        ...(object !== undefined ? { object } : {}),
        query: q >= 0 ? req.url.slice(q + 1) : '',
        mount: v1 > 0 ? req.url.slice(0, v1) : '',
        remoteAddress: req.ip,
        rawPath,
        headers: wsgiHeaders(req.headers),
        body: raw,
      });
      return send(req, reply, result);
    };
    // A request without a token reaches the proxy as anonymous: public containers (ACL .r:*) answer it.
    const opts = { bodyLimit: Number.MAX_SAFE_INTEGER, exposeHeadRoute: false, config: { authOptional: true } };
    app.route({ method: [...METHODS], url: '/v1/:account', ...opts, handler });
    app.route({ method: [...METHODS], url: '/v1/:account/:container', ...opts, handler });
    app.route({ method: [...METHODS], url: '/v1/:account/:container/*', ...opts, handler });
  };
}
