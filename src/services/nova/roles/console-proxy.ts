/**
 * The console proxy roles: `novncproxy` (nova-novncproxy: noVNC's WebSocket to the guests' VNC
 * servers at [vnc] novncproxy_host:novncproxy_port, negotiating RFB security itself, and noVNC's files from [DEFAULT] web) and
 * `serialproxy` (nova-serialproxy: a WebSocket to the guests' serial consoles at
 * [serial_console] serialproxy_host:serialproxy_port). Both check tokens in Nova's database and
 * with the instance's compute host over the bus (console/connect-info.ts).
 */
import type { RoleContext, RoleInstance } from '../../../common/service/project.js';
import { OperatorError } from '../../../common/errors.js';
import { ComputeAPI } from '../compute/rpcapi.js';
import { consoleGroup, novncWebGroup, serialConsoleGroup, vncGroup } from '../config.js';
import { ConsoleTokenCheck } from '../console/connect-info.js';
import { RfbSecurityProxy } from '../console/securityproxy/rfb.js';
import { WebFiles } from '../console/web-files.js';
import { WebSocketProxy } from '../console/websocketproxy.js';
import { ConsoleAuthTokenRepo } from '../db/console-auth-tokens.js';
import { repositories } from './shared.js';

export interface ConsoleProxyInstance extends RoleInstance {
  /** The port listened on. */
  port: number;
}

async function startProxy(ctx: RoleContext, name: string, host: string, port: number, extra: { web?: WebFiles; securityProxy?: RfbSecurityProxy } = {}): Promise<ConsoleProxyInstance> {
  const repos = await repositories(ctx);
  const proxy = new WebSocketProxy({
    name, log: ctx.log, allowedOrigins: ctx.config.get(consoleGroup).allowed_origins, ...extra,
    connectInfo: new ConsoleTokenCheck({ tokens: new ConsoleAuthTokenRepo(repos.db), instances: repos.instances, compute: new ComputeAPI(ctx.transport), log: ctx.log }),
  });
  let listened: number;
  try {
    listened = await proxy.listen(host, port);
  } catch (err) {
    throw new OperatorError(`${name} cannot listen on ${host}:${port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err });
  }
  ctx.log.info({ address: `${host}:${listened}` }, `${name} listening`);
  return { port: listened, stop: () => proxy.close() };
}

export async function createNovncProxy(ctx: RoleContext): Promise<ConsoleProxyInstance> {
  const vnc = ctx.config.get(vncGroup);
  const web = new WebFiles(ctx.config.get(novncWebGroup).web);
  if (!web.present) ctx.log.warn({ web: ctx.config.get(novncWebGroup).web }, 'nova-novncproxy: no noVNC files there ([DEFAULT] web; Debian: apt-get install novnc): consoles work for WebSocket clients, not from a browser page');
  let securityProxy: RfbSecurityProxy;
  try {
    securityProxy = new RfbSecurityProxy(vnc.auth_schemes);
  } catch (err) {
    throw new OperatorError(`[vnc] auth_schemes: ${(err as Error).message}`, { cause: err });
  }
  return startProxy(ctx, 'nova-novncproxy', vnc.novncproxy_host, vnc.novncproxy_port, { ...(web.present ? { web } : {}), securityProxy });
}

export async function createSerialProxy(ctx: RoleContext): Promise<ConsoleProxyInstance> {
  const serial = ctx.config.get(serialConsoleGroup);
  return startProxy(ctx, 'nova-serialproxy', serial.serialproxy_host, serial.serialproxy_port);
}
