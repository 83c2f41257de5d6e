/**
 * nova/console/securityproxy/rfb.py (RFBSecurityProxy): nova-novncproxy does the RFB 3.8
 * security negotiation itself. It relays the version handshake, poses as a server offering
 * only "None" to the client (noVNC), and as a client to the compute host's VNC server, choosing
 * the first scheme of [vnc] auth_schemes the server offers; then the proxy relays as usual.
 * Only the "none" scheme is done (Nova's "vencrypt", TLS to the compute host, is not).
 */
import { SecurityProxyNegotiationFailed } from '../../errors.js';

/** One side of the negotiation: bytes read in exact counts, and written. */
export interface ByteStream {
  /** Exactly `n` bytes. @throws Error when the side closed first */
  read(n: number): Promise<Buffer>;
  write(data: Buffer): void;
}

const VERSION_3_8 = 'RFB 003.008\n';
const AUTH_NONE = 1;
const SCHEMES: Record<string, number> = { none: AUTH_NONE };

/** A string as RFB sends reasons: a 4-byte length, then UTF-8. */
function varString(message: string): Buffer {
  const bytes = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

export class RfbSecurityProxy {
  private readonly schemes: number[];

  /** `authSchemes`: [vnc] auth_schemes, in order of preference (only "none" is known). */
  constructor(authSchemes: readonly string[] = ['none']) {
    this.schemes = authSchemes.map((s) => {
      const t = SCHEMES[s];
      if (t === undefined) throw new SecurityProxyNegotiationFailed(`the RFB auth scheme "${s}" is not supported`);
      return t;
    });
  }

  /** Negotiate security between the client (tenant) and the compute host's VNC server. @throws SecurityProxyNegotiationFailed */
  async connect(tenant: ByteStream, compute: ByteStream): Promise<void> {
    const fail = (message: string, toCompute: boolean): void => {
      tenant.write(Buffer.concat([Buffer.from([0, 0, 0, 1]), varString(message)]));
      if (toCompute) compute.write(Buffer.from([0])); // security type 0, invalid: the server gives up (Nova's AUTH_STATUS_FAIL)
    };
    const computeVersion = (await compute.read(12)).toString('latin1');
    if (computeVersion !== VERSION_3_8) {
      throw new SecurityProxyNegotiationFailed(`Security proxying requires RFB protocol version 3.8, but server sent ${computeVersion.trimEnd()}`);
    }
    compute.write(Buffer.from(computeVersion, 'latin1'));
    tenant.write(Buffer.from(computeVersion, 'latin1'));
    const tenantVersion = (await tenant.read(12)).toString('latin1');
    if (tenantVersion !== VERSION_3_8) {
      throw new SecurityProxyNegotiationFailed(`Security proxying requires RFB protocol version 3.8, but tenant asked for ${tenantVersion.trimEnd()}`);
    }
    const count = (await compute.read(1))[0]!;
    if (count === 0) {
      const len = (await compute.read(4)).readUInt32BE(0);
      const reason = len <= 256 ? (await compute.read(len)).toString('utf8') : 'Unable to negotiate security with server';
      tenant.write(Buffer.concat([Buffer.from([0, 0, 0, 1]), varString(reason)]));
      throw new SecurityProxyNegotiationFailed(reason);
    }
    const offered = [...(await compute.read(count))];
    tenant.write(Buffer.from([1, AUTH_NONE]));
    const chosenByTenant = (await tenant.read(1))[0];
    if (chosenByTenant !== AUTH_NONE) {
      fail(`Only the security type ${AUTH_NONE} (NONE) is supported`, true);
      throw new SecurityProxyNegotiationFailed(`Client requested a security type other than ${AUTH_NONE} (NONE): ${chosenByTenant}`);
    }
    const scheme = this.schemes.find((s) => offered.includes(s));
    if (scheme === undefined) {
      fail('Unable to negotiate security with server', true);
      throw new SecurityProxyNegotiationFailed(`No compute auth available: the server offers ${offered.join(', ')}`);
    }
    compute.write(Buffer.from([scheme]));
    // "None" needs no handshake; the server's SecurityResult goes to the client with the relay.
  }
}
