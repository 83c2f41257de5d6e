/**
 * "The outside" for data-plane tests: a network namespace that plays the internet on a
 * documentation range (203.0.113.0/24 by default). A veth joins it to an agent host's
 * namespace: its host end is the "physical" interface of the flat external network (the Linux
 * bridge agent plugs it into the external network's bridge), its outside end holds the
 * external subnet's gateway address. The kernel answers ICMP; a small HTTP responder
 * (`node` started in the namespace with `ip netns exec`) answers every GET with the address
 * the request came from, so a test sees which source address (SNAT, floating IP) reached it.
 * `stop()` removes the namespace, its responder and the veth.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { execute } from '../agent/linux/exec.js';
import { IpAddr, IpRoute } from '../agent/linux/ip-addr.js';
import { IpLink } from '../agent/linux/ip-link.js';
import { deleteNamespace, ensureNamespace } from '../agent/linux/netns.js';

export interface OutsideOptions {
  /** The namespace's name. */
  namespace: string;
  /** The agent host's namespace the veth's other end goes to. */
  hostNamespace: string;
  /** The name of that end (the physical interface of the external network's mapping). */
  hostDevice: string;
  /** The outside's address with prefix (the external subnet's gateway), e.g. 203.0.113.1/24. */
  cidr: string;
  /** The HTTP responder's port (default 80). */
  httpPort?: number;
}

const RESPONDER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello from the outside, you are ' + (req.socket.remoteAddress || '').replace(/^::ffff:/, '') + '\\n');
});
server.listen(Number(process.argv[1]), process.argv[2], () => process.stdout.write('listening\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/** The HTTP responder in a namespace (the outside's, or a guest's), listening on address:port once this resolves; SIGTERM ends it. */
export async function startAddressResponder(namespace: string, address: string, port: number): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', RESPONDER, String(port), address], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the HTTP responder in ${namespace} exited (${code}): ${err}`)));
  });
  return child;
}

export class Outside {
  private responder: ChildProcess | undefined;

  constructor(readonly o: OutsideOptions) {}

  get address(): string {
    return this.o.cidr.split('/')[0]!;
  }

  async start(): Promise<void> {
    const ns = this.o.namespace;
    await ensureNamespace(ns);
    await new IpLink(this.o.hostNamespace).addVeth(this.o.hostDevice, 'eth0', ns);
    await new IpAddr(ns).add(this.o.cidr, 'eth0');
    await new IpLink(ns).setUp('eth0');
    await new IpLink(this.o.hostNamespace).setUp(this.o.hostDevice);
    this.responder = await startAddressResponder(ns, this.address, this.o.httpPort ?? 80);
  }

  /** A route in the outside, e.g. to a tenant subnet through a router's gateway address (no-NAT setups). */
  async route(destination: string, via: string): Promise<void> {
    await new IpRoute(this.o.namespace).replace(destination, { gateway: via });
  }

  /** Runs a program in the outside (ping, wget) and resolves with its output. */
  exec(cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
    return execute(cmd, args, { namespace: this.o.namespace, timeoutMs });
  }

  async stop(): Promise<void> {
    const child = this.responder;
    this.responder = undefined;
    if (child && child.exitCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await gone;
    }
    await deleteNamespace(this.o.namespace);
    await new IpLink(this.o.hostNamespace).delete(this.o.hostDevice).catch(() => undefined);
  }
}
