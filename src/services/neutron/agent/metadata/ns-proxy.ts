/**
 * The metadata proxy inside a router (or DHCP) namespace (neutron/agent/metadata/driver.py,
 * which runs haproxy there). Guests send their metadata requests to 169.254.169.254:80; what
 * answers must listen inside the namespace, and a Node process cannot open a socket in
 * another network namespace (there is no setns in Node, and sockets belong to the namespace
 * of the process that makes them). So, as Neutron does with haproxy, a small process is started
 * in the namespace with `ip netns exec <ns> node <script>`: it listens there (on the proxy port
 * the router's iptables REDIRECT 169.254.169.254:80 to, or on 169.254.169.254:80 itself in a
 * DHCP namespace), adds X-Forwarded-For (the guest's address, as the namespace sees it) and
 * X-Neutron-Router-ID / X-Neutron-Network-ID, and forwards the request over the metadata
 * agent's unix socket, which is reachable from any namespace because it lives in the file
 * system. The agent (metadata-agent.ts) adds the instance headers and talks to Nova.
 *
 * The script is written into the agent's state directory (a plain .mjs file with no imports
 * but Node's own, so it runs the same from the sources and from the bundle). Its pid file and
 * its command line (which names the router or network id) let a restarted agent adopt it; the
 * process monitor respawns it when it dies.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inNamespace } from '../linux/exec.js';
import { ProcessManager, type ProcessMonitor } from '../linux/process-monitor.js';

export const ROUTER_ID_HEADER = 'X-Neutron-Router-ID';
export const NETWORK_ID_HEADER = 'X-Neutron-Network-ID';

/** The proxy program: argv = socket path, header name, header value (the uuid), listen host, listen port. */
export const NS_PROXY_SCRIPT = `// Nubo's namespace metadata proxy (written by the Neutron L3/DHCP agent; see ns-proxy.ts)
import http from 'node:http';
const [socketPath, headerName, headerValue, host, port] = process.argv.slice(2);
const server = http.createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers['x-forwarded-for'];
  delete headers['x-neutron-router-id'];
  delete headers['x-neutron-network-id'];
  delete headers['x-instance-id'];
  delete headers['x-tenant-id'];
  delete headers['x-instance-id-signature'];
  const remote = (req.socket.remoteAddress || '').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = remote;
  headers[headerName.toLowerCase()] = headerValue;
  const up = http.request({ socketPath, path: req.url, method: req.method, headers }, (r) => {
    res.writeHead(r.statusCode || 502, r.headers);
    r.pipe(res);
  });
  up.setTimeout(60000, () => up.destroy(new Error('timeout')));
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end('502 Bad Gateway: the metadata agent is not reachable\\n');
  });
  req.pipe(up);
});
server.on('error', (err) => { console.error(String(err)); process.exit(1); });
server.listen(Number(port), host);
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => server.close(() => process.exit(0)));
`;

export interface NsProxySpec {
  /** The router or network id the proxy serves. */
  uuid: string;
  header: typeof ROUTER_ID_HEADER | typeof NETWORK_ID_HEADER;
  namespace: string;
  listenHost: string;
  listenPort: number;
}

/** A ProcessManager for a program that does not daemonize: started detached, its pid file written here. */
export class DetachedProcessManager extends ProcessManager {
  override async enable(reloadIfActive = false): Promise<void> {
    if (this.active()) {
      if (reloadIfActive) this.reload();
      return;
    }
    const [cmd, ...args] = inNamespace(this.spec.namespace, this.spec.command()[0]!, this.spec.command().slice(1));
    const child = spawn(cmd!, args, { detached: true, stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    // `ip netns exec` execs the program, so the child's pid is the proxy's
    writeFileSync(this.spec.pidFile, `${child.pid}\n`);
  }
}

/** Starts and stops the namespace proxies of one agent (MetadataDriver.spawn_monitored_metadata_proxy). */
export class NsMetadataProxyDriver {
  private readonly script: string;

  constructor(private readonly stateDir: string, private readonly socketPath: string, private readonly monitor: ProcessMonitor, private readonly node = process.execPath) {
    mkdirSync(stateDir, { recursive: true });
    this.script = join(stateDir, 'ns-metadata-proxy.mjs');
    writeFileSync(this.script, NS_PROXY_SCRIPT);
  }

  private manager(s: NsProxySpec): DetachedProcessManager {
    const dir = join(this.stateDir, s.uuid);
    mkdirSync(dir, { recursive: true });
    return new DetachedProcessManager({
      uuid: s.uuid, namespace: s.namespace, pidFile: join(dir, 'metadata-proxy.pid'),
      command: () => [this.node, this.script, this.socketPath, s.header, s.uuid, s.listenHost, String(s.listenPort)],
    });
  }

  /** Starts the proxy unless it runs (a restarted agent adopts it), and has it respawned when it dies. */
  async spawn(s: NsProxySpec): Promise<void> {
    const pm = this.manager(s);
    await pm.enable();
    this.monitor.register(`metadata-proxy-${s.uuid}`, pm);
  }

  async destroy(s: Pick<NsProxySpec, 'uuid' | 'namespace'>): Promise<void> {
    this.monitor.unregister(`metadata-proxy-${s.uuid}`);
    const pm = new ProcessManager({ uuid: s.uuid, namespace: s.namespace, pidFile: join(this.stateDir, s.uuid, 'metadata-proxy.pid'), command: () => [] });
    await pm.disable();
  }

  active(uuid: string): boolean {
    return new ProcessManager({ uuid, pidFile: join(this.stateDir, uuid, 'metadata-proxy.pid'), command: () => [] }).active();
  }
}
