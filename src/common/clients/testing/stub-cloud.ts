/**
 * A stand-in cloud for the client tests: a real HTTP server on loopback that answers Keystone's
 * password login with a catalog of the service types asked for (all served by this server under
 * `/<type>`), refuses revoked service tokens with 401, records every request, and hands the
 * rest to the routes a test registers. For tests only.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServiceSession } from '../session.js';

export type StubHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export class StubCloud {
  readonly seen: SeenRequest[] = [];
  logins = 0;
  private readonly routes: Array<{ method: string; path: string | RegExp; handler: StubHandler }> = [];
  private readonly valid = new Set<string>();
  /** Catalog URL overrides by service type (e.g. a versioned endpoint, or a closed port). */
  readonly endpoints = new Map<string, string>();

  private constructor(private readonly server: ReturnType<typeof createServer>, private readonly types: string[]) {}

  /** Start a stub cloud whose catalog lists `types` (each at `<base>/<type>`). */
  static async start(types: string[]): Promise<StubCloud> {
    const server = createServer();
    const cloud = new StubCloud(server, types);
    server.on('request', (req, res) => void cloud.handle(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return cloud;
  }

  get base(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A session logging in to this cloud as `svc`. */
  session(): ServiceSession {
    return new ServiceSession({
      authUrl: `${this.base}/identity`, region: 'RegionOne',
      credentials: { username: 'svc', password: 'pw', projectName: 'service', userDomainName: 'Default', projectDomainName: 'Default' },
    });
  }

  /** Answer `method` requests whose path (without the query) equals `path` or matches it. */
  route(method: string, path: string | RegExp, handler: StubHandler): void {
    this.routes.unshift({ method, path, handler });
  }

  /** Revoke every service token issued so far: they get 401 from now on. */
  revokeServiceTokens(): void {
    this.valid.clear();
  }

  /** The requests made to a path (query included) starting with `prefix`. */
  requests(prefix: string): SeenRequest[] {
    return this.seen.filter((s) => s.url.startsWith(prefix));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((ok) => this.server.close(() => ok()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    this.seen.push({ method: req.method ?? '', url: `${url.pathname}${url.search}`, headers: req.headers });
    if (req.method === 'POST' && url.pathname === '/identity/v3/auth/tokens') {
      req.resume();
      const token = `svc-token-${++this.logins}`;
      this.valid.add(token);
      const catalog = this.types.map((type) => ({
        type, endpoints: [{ interface: 'public', region_id: 'RegionOne', url: this.endpoints.get(type) ?? `${this.base}/${type}` }],
      }));
      res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': token });
      res.end(JSON.stringify({ token: { expires_at: new Date(Date.now() + 3600_000).toISOString(), catalog } }));
      return;
    }
    const own = [req.headers['x-auth-token'], req.headers['x-service-token']].filter((t): t is string => typeof t === 'string' && t.startsWith('svc-token-'));
    if (own.some((t) => !this.valid.has(t))) {
      req.resume();
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } }));
      return;
    }
    const route = this.routes.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === url.pathname : r.path.test(url.pathname)));
    if (!route) {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: `no route for ${req.method} ${url.pathname}` } }));
      return;
    }
    try {
      await route.handler(req, res, url);
    } catch (err) {
      res.destroy(err as Error);
    }
  }
}

/** Send a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Read a request body as parsed JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readText(req);
  return text === '' ? undefined : JSON.parse(text);
}

/** Read a stream (a streamed response body) to its end as text. */
export async function readText(body: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}
