/**
 * Request lanes: GET and HEAD requests of a few hot paths answered before Fastify sees them,
 * as oslo.middleware's healthcheck filter answers first in a paste pipeline. A lane is given
 * the raw request and either answers it (status, headers, body) or declines, and a declined
 * request goes through Fastify as any other: routing, hooks, the route's handler, its errors.
 * So a lane answers only what it can answer exactly as its route would, from what it has at
 * hand, and declines everything else (a cache miss, an error, a traced request).
 *
 * What every response gets from the HTTP kit, a lane's answers get here too: the
 * X-Openstack-Request-Id header and the request line (with the user and project the lane
 * names). The lanes of this server: `/healthcheck` (http/app.ts) and Keystone's token
 * validation (keystone/api/validate-lane.ts), the call every service's token check makes.
 *
 * app.inject() does not pass through the server: injected requests always take Fastify's path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { RequestLineWriter } from '../log/request-line.js';
import { isValidRequestId, newRequestId } from '../log/request-scope.js';
import { maskUrlCredentials } from '../log/url-credentials.js';

/**
 * A lane's answer; a HEAD request gets its status and headers (Content-Length is the body's) and no
 * body. A 204 or 304 gets no Content-Length.
 */
export interface LaneAnswer {
  status: number;
  /** Flat name/value pairs (`['content-type', 'text/plain']`), without Content-Length. */
  headers: string[];
  body: Buffer | string;
  /** The caller, for the request line. */
  user?: string;
  project?: string;
}

/** What a lane gets besides the raw request. */
export interface LaneRequest {
  raw: IncomingMessage;
  /** The query string, without the `?` ('' when there is none). */
  query: string;
  /** This request's id (X-Openstack-Request-Id) and the caller's, when it sent a valid one. */
  requestId: string;
  globalRequestId: string | undefined;
}

/** Answers the request, or returns undefined to leave it to Fastify. */
export type RequestLane = (req: LaneRequest) => LaneAnswer | undefined;

const lanesByApp = new WeakMap<FastifyInstance, Map<string, RequestLane>>();

/**
 * Puts `lane` in front of Fastify for GET and HEAD of `path` (the full path, with the service's
 * prefix; also with one trailing slash, as the routes take it). The server's lanes are installed
 * by createHttpApp (installRequestLanes).
 */
export function addRequestLane(app: FastifyInstance, path: string, lane: RequestLane): void {
  const lanes = lanesByApp.get(app);
  if (!lanes) throw new Error('request lanes: the server was not made by createHttpApp');
  if (lanes.has(path)) throw new Error(`request lanes: ${path} has a lane already`);
  lanes.set(path, lane);
}

/**
 * Replaces Fastify's request listener with one that tries the lanes first. `closing`: a closing
 * server leaves every request to Fastify, which answers 503.
 */
export function installRequestLanes(app: FastifyInstance, requestLine: RequestLineWriter, closing: () => boolean): void {
  const lanes = new Map<string, RequestLane>();
  lanesByApp.set(app, lanes);
  const server = app.server;
  const listeners = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (listeners.length !== 1) return;
  const fastifyHandler = listeners[0]!;
  server.removeListener('request', fastifyHandler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url!;
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    if (path.length > 1 && path.charCodeAt(path.length - 1) === 47 /* / */) path = path.slice(0, -1);
    const lane = lanes.get(path);
    if (lane === undefined || (req.method !== 'GET' && req.method !== 'HEAD') || closing()) return fastifyHandler(req, res);
    const start = performance.now();
    const incoming = req.headers['x-openstack-request-id'];
    // Also the request line's scope: it has the ids.
    const laneReq: LaneRequest = { raw: req, query: q < 0 ? '' : url.slice(q + 1), requestId: newRequestId(), globalRequestId: isValidRequestId(incoming) ? incoming : undefined };
    const answer = lane(laneReq);
    if (answer === undefined) return fastifyHandler(req, res);
    const headers = ['x-openstack-request-id', laneReq.requestId];
    for (const h of answer.headers) headers.push(h);
    // A 204 or 304 has no body and no Content-Length (RFC 9110 8.6).
    if (answer.status !== 204 && answer.status !== 304) headers.push('content-length', String(typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.length));
    res.writeHead(answer.status, headers);
    res.end(req.method === 'HEAD' ? undefined : answer.body);
    requestLine(laneReq, {
      method: req.method,
      path: maskUrlCredentials(url),
      status: answer.status,
      duration_ms: Math.round((performance.now() - start) * 10) / 10,
      user: answer.user,
      project: answer.project,
    });
  });
}
