/**
 * Who signed an S3 request (the s3token middleware): the access key, the string to sign and the
 * signature go to Keystone's POST /v3/s3tokens over REST with the service's token; Keystone
 * checks the signature with the key's secret and answers the token of the key's user on its
 * project. The request then runs as that user on the project's account (keystoneauth's
 * reseller prefix + project id). Keystone's refusals become S3's errors: a key it does not know
 * is InvalidAccessKeyId, a signature that does not match is SignatureDoesNotMatch. For a body
 * signed chunk by chunk, the credential's secret is read too (GET OS-EC2 credential, as
 * s3token's secret cache does), to check each chunk.
 */
import type { TokenInfo } from '../../../common/auth/token-info.js';
import type { IdentityClient } from '../../../common/clients/identity.js';
import { ServiceClientError } from '../../../common/clients/session.js';
import { RequestContext } from '../../../common/context.js';
import { NuboError } from '../../../common/errors.js';
import { AccessDenied, InvalidAccessKeyId, ServiceUnavailable, SignatureDoesNotMatch } from './errors.js';
import { SIGNED_STREAMING } from './body.js';
import type { AuthInfo } from './signature.js';

export interface S3Identity {
  ctx: RequestContext;
  /** The account the request acts on (AUTH_<project id>). */
  account: string;
  token: TokenInfo;
  /** The credential's secret, read only for a body signed chunk by chunk. */
  secret?: string;
}

export class S3TokenAuth {
  constructor(private readonly identity: IdentityClient, private readonly resellerPrefix: string) {}

  async authenticate(auth: AuthInfo, requestId: string): Promise<S3Identity> {
    let token: TokenInfo;
    try {
      token = await this.identity.s3Token({ access: auth.accessKey, stringToSign: auth.stringToSign, signature: auth.signature });
    } catch (err) {
      if (err instanceof ServiceClientError) {
        if (err.status === 404) throw InvalidAccessKeyId({ AWSAccessKeyId: auth.accessKey });
        if (err.status === 401) {
          throw SignatureDoesNotMatch({
            AWSAccessKeyId: auth.accessKey, StringToSign: auth.stringToSign.toString('utf8'), SignatureProvided: auth.signature,
            StringToSignBytes: [...auth.stringToSign].map((b) => b.toString(16).padStart(2, '0')).join(' '),
          });
        }
        throw AccessDenied();
      }
      if (err instanceof NuboError && err.status === 503) throw ServiceUnavailable();
      throw err;
    }
    if (!token.projectId) throw AccessDenied();
    const identity: S3Identity = { ctx: new RequestContext({ requestId, auth: token }), account: `${this.resellerPrefix}${token.projectId}`, token };
    if (auth.payloadHash !== undefined && SIGNED_STREAMING.includes(auth.payloadHash)) identity.secret = await this.secret(token.userId, auth.accessKey);
    return identity;
  }

  /** The credential's secret (s3token's secret cache reads it so, with the service's token). */
  private async secret(userId: string, access: string): Promise<string> {
    try {
      return (await this.identity.getEc2Credential(userId, access)).secret;
    } catch (err) {
      if (err instanceof ServiceClientError) throw AccessDenied({}, 'The signed chunks of this body cannot be checked.');
      throw err;
    }
  }
}
