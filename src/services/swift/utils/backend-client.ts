/**
 * HTTP to the storage servers (Swift's bufferedhttp): requests to /<device>/<partition>/<path>
 * on a node's ip:port with connect and response timeouts, bodies streamed both ways.
 */
import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { Agent as UndiciAgent } from 'undici';
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

/**
 * The connections of backendCall, by connect timeout: undici's client, which costs about a
 * third less CPU per request than node:http's (its ClientRequest, agent and parser set up for
 * every request). A small object's PUT makes six such calls: to its three replicas, and each
 * replica's container update.
 */
const callAgents = new Map<number, UndiciAgent>();

function callAgent(connMs: number): UndiciAgent {
  let agent = callAgents.get(connMs);
  if (!agent) {
    agent = new UndiciAgent({ connect: { timeout: connMs }, keepAliveTimeout: 30_000 });
    callAgents.set(connMs, agent);
  }
  return agent;
}

/** Headers undici takes from the caller only on its own terms (framing, connection): sent by node:http. */
const FRAMING = new Set(['transfer-encoding', 'expect', 'connection', 'keep-alive', 'upgrade', 'host']);

/** A request with a small body or none whose answer is read whole. */
export async function backendCall(node: { ip: string; port: number }, method: string, path: string, headers: OutgoingHttpHeaders,
  timeouts: { connMs: number; nodeMs: number }, body?: string | Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const plain: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (FRAMING.has(k.toLowerCase())) {
      const res = await backendRequest(node, method, path, headers, body, timeouts);
      return { status: res.status, headers: res.headers, text: await readText(res.body) };
    }
    plain[k] = Array.isArray(v) ? v : String(v);
  }
  const host = node.ip.includes(':') ? `[${node.ip}]` : node.ip;
  try {
    const res = await callAgent(timeouts.connMs).request({
      origin: `http://${host}:${node.port}`, method, path, headers: plain, body: body ?? null,
      headersTimeout: timeouts.nodeMs, bodyTimeout: timeouts.nodeMs,
    });
    return { status: res.statusCode, headers: res.headers as IncomingMessage['headers'], text: await res.body.text() };
  } catch (err) {
    throw new NodeError(`${node.ip}:${node.port}: ${(err as Error).message}`);
  }
}

/** A response's (small) body as text. */
export async function readText(body: IncomingMessage): Promise<string> {
  const chunks = await readChunks(body);
  return chunks.length === 0 ? '' : (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
}
