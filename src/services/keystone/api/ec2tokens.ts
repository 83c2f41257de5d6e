/**
 * POST /v3/ec2tokens (keystone/api/ec2tokens.py) and POST /v3/s3tokens (keystone/api/s3tokens.py):
 * a service (or an admin) hands Keystone what a client signed with an EC2 credential and gets
 * the token body of POST /v3/auth/tokens back (200; ec2tokens also names the token in
 * X-Subject-Token). ec2tokens recomputes the signature from the request's parts
 * (keystoneclient's Ec2Signer), s3tokens from the string to sign the S3 layer built. A GET is
 * 405 as upstream.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MethodNotAllowed, Unauthorized } from '../../../common/errors.js';
import { ec2CredentialsOf, type Ec2CredentialData, type SignatureCheck } from '../credential/ec2-auth.js';
import { authStrEqual, ec2Signature, type Ec2Credentials, s3Signature, SignatureError } from '../credential/ec2-signer.js';
import type { AuthApiDeps } from './auth-deps.js';

const JSON_TYPE = 'application/json';

/** EC2TokensResource._check_signature: as signed, then (some clients sign without it) without the port. */
function checkEc2(cred: Ec2CredentialData, credentials: Ec2Credentials): void {
  if (!credentials.signature) throw new Unauthorized('EC2 signature not supplied.');
  const sign = (c: Ec2Credentials): string => {
    try {
      return ec2Signature(cred.secret, c);
    } catch (err) {
      if (err instanceof SignatureError) throw new Unauthorized('Invalid EC2 signature.', { cause: err });
      throw err;
    }
  };
  if (authStrEqual(credentials.signature, sign(credentials))) return;
  const host = credentials.host ?? '';
  if (host.includes(':')) {
    const hostname = new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, '');
    if (authStrEqual(credentials.signature, sign({ ...credentials, host: hostname }))) return;
  }
  throw new Unauthorized('Invalid EC2 signature.');
}

/** S3Resource._check_signature: the string to sign is base64url in `token`. */
function checkS3(cred: Ec2CredentialData, credentials: Ec2Credentials): void {
  const stringToSign = Buffer.from(String(credentials.token ?? ''), 'base64url');
  if (!authStrEqual(String(credentials.signature ?? ''), s3Signature(cred.secret, stringToSign))) throw new Unauthorized('Credential signature mismatch');
}

export function registerEc2TokenRoutes(app: FastifyInstance, deps: AuthApiDeps): void {
  const issue = (action: string, check: SignatureCheck, subjectHeader: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    deps.authorize(req, action);
    const token = await deps.ec2.authenticate(ec2CredentialsOf(req.body), check);
    if (subjectHeader) reply.header('x-subject-token', token.id);
    reply.code(200).type(JSON_TYPE);
    return reply.send(await deps.tokenBody(token, false));
  };
  const notAllowed = async (): Promise<never> => { throw new MethodNotAllowed(); };
  app.post('/v3/ec2tokens', issue('identity:ec2tokens_validate', checkEc2, true));
  app.post('/v3/s3tokens', issue('identity:s3tokens_validate', checkS3, false));
  app.get('/v3/ec2tokens', notAllowed);
  app.get('/v3/s3tokens', notAllowed);
}
