/**
 * The web client's files a console proxy serves (websockify's --web: nova-novncproxy serves
 * noVNC from [DEFAULT] web, /usr/share/novnc). GET and HEAD of files under the directory only
 * (no listing, nothing outside it); `vnc_auto.html`, the page of Nova's default
 * novncproxy_base_url, is noVNC's `vnc_lite.html` when the directory has no file of that name
 * (noVNC 1.0 renamed it).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.wasm': 'application/wasm', '.txt': 'text/plain; charset=utf-8',
  '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf', '.ogg': 'audio/ogg', '.mp3': 'audio/mpeg',
};

const ALIASES: Record<string, string> = { '/vnc_auto.html': '/vnc_lite.html' };

export class WebFiles {
  private readonly root: string;

  constructor(dir: string) {
    this.root = resolve(dir);
  }

  /** Whether the directory exists (a proxy without it serves consoles only). */
  get present(): boolean {
    return existsSync(this.root) && statSync(this.root).isDirectory();
  }

  /** The file a request path names, if it is a file under the directory. */
  resolve(urlPath: string): string | undefined {
    let path: string;
    try {
      path = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (path.includes('\0')) return undefined;
    const candidates = [path, ...(ALIASES[path] ? [ALIASES[path]!] : [])];
    for (const p of candidates) {
      const full = normalize(join(this.root, p));
      if (full !== this.root && !full.startsWith(this.root + sep)) return undefined;
      try {
        if (statSync(full).isFile()) return full;
      } catch {
        // not there: the next candidate
      }
    }
    return undefined;
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const file = this.resolve(url.pathname === '/' ? '/vnc.html' : url.pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('File not found\n');
      return;
    }
    const size = statSync(file).size;
    res.writeHead(200, { 'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'content-length': size, 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }
}
