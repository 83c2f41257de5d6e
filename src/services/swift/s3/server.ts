/**
 * The S3 API's listener (Swift's proxy with the s3api and s3token middlewares in its pipeline,
 * here on a port of its own): each request is routed (path-style or virtual-hosted), its
 * signature read, its signer authenticated by Keystone (s3tokens), then handled by the S3
 * controllers over the Swift proxy as the signer's project; the answer is XML, an object's
 * stream, or an AWS `<Error>` document. Bodies are streamed both ways.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { ProxyServer } from '../proxy/server.js';
import type { S3TokenAuth } from './auth.js';
import { SwiftBackend } from './backend.js';
import type { S3Response, S3Settings } from './controllers/base.js';
import { AccessDenied, fromSwift, S3Error } from './errors.js';
import { routeRequest } from './request.js';
import { dispatch } from './router.js';
import { readSignature } from './signature.js';

export interface S3Log {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface S3ServerOptions {
  proxy: ProxyServer;
  auth: S3TokenAuth;
  settings: S3Settings;
  /** [s3api] allowable_clock_skew, seconds. */
  allowableClockSkew: number;
  storageDomains: string[];
  maxKeyLength: number;
  log: S3Log;
}

export class S3Server {
  constructor(private readonly o: S3ServerOptions) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    let answer: S3Response;
    let bucket: string | undefined;
    let key: string | undefined;
    try {
      const s3req = routeRequest({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, requestId }, this.o.storageDomains, this.o.maxKeyLength);
      bucket = s3req.bucket;
      key = s3req.key;
      const auth = readSignature(s3req, { location: this.o.settings.location, allowableClockSkew: this.o.allowableClockSkew, now: Date.now() });
      if (!auth) throw AccessDenied({}, 'Anonymous access is not allowed.');
      const identity = await this.o.auth.authenticate(auth, requestId);
      const swift = new SwiftBackend(this.o.proxy, identity.ctx, identity.account);
      answer = await dispatch({ req: s3req, auth, identity, swift, body: req, settings: this.o.settings });
    } catch (err) {
      const e = fromSwift(err, { ...(bucket !== undefined ? { bucket } : {}), ...(key !== undefined ? { key } : {}) });
      if (!(err instanceof S3Error) || (e.status >= 500 && e.status !== 501)) this.o.log.error({ err, req_id: requestId }, 's3 request failed');
      answer = { status: e.status, headers: { 'content-type': 'application/xml' }, body: e.render(requestId) };
    }
    // a body the operation did not read is drained, so that the connection can serve the next request
    if (!req.complete) req.resume();
    res.on('finish', () => {
      this.o.log.info({ req_id: requestId, method: req.method, path: req.url?.split('?')[0], status: answer.status, ms: Math.round(performance.now() - started) }, 's3 request');
    });
    this.send(req, res, answer, requestId);
  }

  private send(req: IncomingMessage, res: ServerResponse, answer: S3Response, requestId: string): void {
    res.statusCode = answer.status;
    for (const [k, v] of Object.entries(answer.headers)) res.setHeader(k, v);
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-openstack-request-id', requestId);
    const body = answer.body;
    if (req.method === 'HEAD' || answer.status === 204 || answer.status === 304) {
      if (body instanceof Readable) body.resume();
      if (typeof body === 'string' && !res.hasHeader('content-length') && answer.status !== 204 && answer.status !== 304) res.setHeader('content-length', Buffer.byteLength(body));
      res.end();
      return;
    }
    if (body instanceof Readable) {
      body.on('error', () => res.destroy());
      res.on('close', () => { if (!body.readableEnded) body.destroy(); });
      body.pipe(res);
      return;
    }
    const text = body ?? '';
    res.setHeader('content-length', Buffer.byteLength(text));
    res.end(text);
  }

  /** Listens on host:port (0: any free port); resolves with the port and a close function. */
  async listen(host: string, port: number): Promise<{ port: number; close(): Promise<void> }> {
    const server: Server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
      this.handle(req, res).catch((err) => {
        this.o.log.error({ err }, 's3 request crashed');
        res.destroy();
      });
    });
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, () => ok()));
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
    };
  }
}
