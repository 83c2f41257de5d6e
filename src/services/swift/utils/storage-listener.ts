/**
 * A storage server's own HTTP listener (Swift runs its object, container and account servers
 * on ports of their own, 6200-6202, reached by the proxies only): plain node:http, the
 * Expect: 100-continue of object PUTs handed to the server so it can refuse before the body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StorageListener {
  server: Server;
  ip: string;
  port: number;
  close(): Promise<void>;
}

export async function listenStorage(ip: string, port: number, handle: (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => void): Promise<StorageListener> {
  const server = createServer({ keepAliveTimeout: 30_000, requestTimeout: 0 }, (req, res) => handle(req, res, false));
  server.on('checkContinue', (req, res) => handle(req, res, true));
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  return {
    server, ip, port: addr.port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
