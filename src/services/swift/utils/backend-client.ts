/**
 * HTTP to the storage servers (Swift's bufferedhttp): requests to /<device>/<partition>/<path>
 * on a node's ip:port with connect and response timeouts, bodies streamed both ways.
 */
import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { readChunks } from './read-chunks.js';

export interface Node {
  ip: string;
  port: number;
  device: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** /<device>/<partition>/<account>[/<container>[/<object>]], each part %-encoded ('/' kept inside object names). */
export function backendPath(device: string, partition: number, account: string, container?: string, object?: string): string {
  let p = `/${encodeURIComponent(device)}/${partition}/${encodeURIComponent(account)}`;
  if (container !== undefined) p += `/${encodeURIComponent(container)}`;
  if (object !== undefined) p += `/${object.split('/').map(encodeURIComponent).join('/')}`;
  return p;
}

export interface BackendResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
  /** How long the connection may stay idle from now on (a body read at a slow client's pace). */
  setIdleTimeout(ms: number): void;
}

export class NodeError extends Error {}

/** One request; rejects with NodeError when the node cannot be reached or does not answer in time. */
export function backendRequest(node: { ip: string; port: number }, method: string, path: string, headers: OutgoingHttpHeaders,
  body: Readable | Buffer | string | undefined, timeouts: { connMs: number; nodeMs: number }): Promise<BackendResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: node.ip, port: node.port, method, path, headers, agent, timeout: timeouts.nodeMs });
    const connTimer = setTimeout(() => req.destroy(new NodeError(`connect timeout to ${node.ip}:${node.port}`)), timeouts.connMs);
    req.once('socket', (sock) => {
      if (!sock.connecting) clearTimeout(connTimer);
      else sock.once('connect', () => clearTimeout(connTimer));
    });
    req.on('timeout', () => req.destroy(new NodeError(`timeout from ${node.ip}:${node.port}`)));
    req.on('error', (err) => {
      clearTimeout(connTimer);
      reject(err instanceof NodeError ? err : new NodeError(`${node.ip}:${node.port}: ${err.message}`));
    });
    req.on('response', (res) => {
      clearTimeout(connTimer);
      res.on('error', () => undefined);
      resolve({ status: res.statusCode ?? 500, headers: res.headers, body: res, setIdleTimeout: (ms) => { req.setTimeout(ms); } });
    });
    if (body === undefined) req.end();
    else if (typeof body === 'string' || Buffer.isBuffer(body)) req.end(body);
    else {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    }
  });
}

/** A request whose body is ignored (drained). */
export async function backendCall(node: { ip: string; port: number }, method: string, path: string, headers: OutgoingHttpHeaders,
  timeouts: { connMs: number; nodeMs: number }, body?: string | Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const res = await backendRequest(node, method, path, headers, body, timeouts);
  return { status: res.status, headers: res.headers, text: await readText(res.body) };
}

/** A response's (small) body as text. */
export async function readText(body: IncomingMessage): Promise<string> {
  const chunks = await readChunks(body);
  return chunks.length === 0 ? '' : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}
