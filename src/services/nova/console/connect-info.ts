/**
 * What a console proxy knows of a token (nova/console/websocketproxy.py _get_connect_info):
 * the live record of console_auth_tokens (ConsoleAuthToken.validate: unknown and expired
 * tokens are refused), then the instance's compute host is asked whether the guest's console
 * is still served where the token says (validate_console_port; an instance gone, moved or
 * powered off since is refused). Tokens stay valid until they expire, as in Nova: a console
 * URL may be opened again.
 */
import { RequestContext } from '../../../common/context.js';
import { newRequestId } from '../../../common/log/request-scope.js';
import type { ComputeAPI } from '../compute/rpcapi.js';
import type { ConsoleAuthRecord, ConsoleAuthTokenRepo } from '../db/console-auth-tokens.js';
import type { InstanceRepo } from '../db/instances.js';
import { InvalidToken } from '../errors.js';
import type { Logger } from '../../../common/log/logger.js';

export type ConnectInfo = ConsoleAuthRecord;

/** Resolves the token a proxy was given to where the console is; what a proxy depends on. */
export interface ConnectInfoSource {
  /** @throws InvalidToken */
  connectInfo(token: string): Promise<ConnectInfo>;
}

export class ConsoleTokenCheck implements ConnectInfoSource {
  constructor(private readonly o: { tokens: ConsoleAuthTokenRepo; instances: Pick<InstanceRepo, 'find'>; compute: Pick<ComputeAPI, 'validateConsolePort'>; log: Logger }) {}

  async connectInfo(token: string): Promise<ConnectInfo> {
    if (!token) throw new InvalidToken();
    const info = await this.o.tokens.validate(token);
    if (!info) throw new InvalidToken();
    const instance = await this.o.instances.find(info.instance_uuid);
    if (!instance?.data.host) throw new InvalidToken();
    const ctx = RequestContext.internal(newRequestId());
    let valid: boolean;
    try {
      valid = await this.o.compute.validateConsolePort(ctx, instance.data.host, instance, info.port, info.console_type, { host: info.host, ...(info.unix_socket ? { unixSocket: info.unix_socket } : {}) });
    } catch (err) {
      this.o.log.info({ err, instance: instance.uuid }, 'console token refused: its host could not confirm the console');
      throw new InvalidToken();
    }
    if (!valid) throw new InvalidToken();
    return info;
  }
}
