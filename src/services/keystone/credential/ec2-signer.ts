/**
 * The signatures Keystone checks for EC2 and S3 tokens, computed from a credential's secret:
 *
 * - `ec2Signature`: keystoneclient's Ec2Signer.generate (what POST /v3/ec2tokens compares), from
 *   the request's parts the client sent (verb, host, path, params, headers, body_hash):
 *   SignatureVersion 0, 1, 2 (HmacSHA256) and AWS4-HMAC-SHA256 (header or query).
 * - `s3Signature`: keystone/api/s3tokens.py's _calculate_signature_v1 / _v4, from the string to
 *   sign that the S3 layer built (base64url in the `token` field).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../../../common/errors.js';

/** The body fields of an ec2tokens request (keystoneclient's credentials dict). */
export interface Ec2Credentials {
  access: string;
  signature?: string;
  host?: string;
  verb?: string;
  path?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body_hash?: string;
  /** s3tokens: the string to sign, base64url. */
  token?: string;
}

export class SignatureError extends Error {}

const hmac = (alg: 'sha1' | 'sha256', key: string | Buffer, msg: string | Buffer): Buffer => createHmac(alg, key).update(msg).digest();

/** urllib.parse.quote(value, safe): every byte but the unreserved ones (and `safe`) as %XX. */
function quote(value: string, safe: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.\-~]/.test(c) || safe.includes(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Ec2Signer._canonical_qs: keys sorted, both sides quoted. */
function canonicalQs(params: Record<string, string>): string {
  return Object.keys(params).sort().map((k) => `${quote(k, '')}=${quote(String(params[k]), '-_~')}`).join('&');
}

/** The SigV4 signing key of a secret for one day, region and service (signature_key). */
export function sigV4Key(secret: string, date: string, region: string, service: string): Buffer {
  return hmac('sha256', hmac('sha256', hmac('sha256', hmac('sha256', `AWS4${secret}`, date), region), service), 'aws4_request');
}

function signatureV4(secret: string, c: Ec2Credentials): string {
  const params = c.params ?? {};
  const headers = c.headers ?? {};
  const authorization = headers['Authorization'];
  const authParam = (name: string): string => {
    if (authorization !== undefined) return authorization.split(`${name}=`).slice(1).join(`${name}=`).split(',')[0] ?? '';
    return params[`X-Amz-${name}`] ?? '';
  };
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase().trim(), String(v).trim()]));
  const stripPort = /^Boto\/2\.[0-9]\.[0-2]/.test(lower.get('user-agent') ?? '');
  const signed = authParam('SignedHeaders');
  const headerLines = signed.split(';').filter((h) => lower.has(h))
    .map((h) => `${h}:${h === 'host' && stripPort ? lower.get(h)!.split(':')[0] : lower.get(h)}`);
  const verb = String(c.verb ?? '').toUpperCase();
  const canonical = [verb, c.path ?? '', verb !== 'POST' ? canonicalQs(params) : '', `${headerLines.join('\n')}\n`, signed, c.body_hash ?? ''].join('\n');
  const credential = authParam('Credential').split('/');
  const date = headers['X-Amz-Date'] ?? params['X-Amz-Date'] ?? '';
  const [, credDate = '', region = '', service = ''] = credential;
  if (!date.startsWith(credDate)) throw new SignatureError('Request date mismatch error');
  const stringToSign = ['AWS4-HMAC-SHA256', date, credential.slice(1).join('/'), createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
  return createHmac('sha256', sigV4Key(secret, credDate, region, service)).update(stringToSign, 'utf8').digest('hex');
}

function isV4(c: Ec2Credentials): boolean {
  const auth = c.headers?.['Authorization'];
  if (auth !== undefined) return auth.startsWith('AWS4-HMAC-SHA256');
  return c.params?.['X-Amz-Algorithm'] === 'AWS4-HMAC-SHA256';
}

/** Ec2Signer.generate. Throws SignatureError for a request it cannot sign. */
export function ec2Signature(secret: string, c: Ec2Credentials): string {
  const params = c.params ?? {};
  const version = params['SignatureVersion'];
  if (version === '0') return hmac('sha1', secret, `${params['Action'] ?? ''}${params['Timestamp'] ?? ''}`).toString('base64');
  if (version === '1') {
    const h = createHmac('sha1', secret);
    for (const k of Object.keys(params).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0))) h.update(k).update(String(params[k]));
    return h.digest().toString('base64');
  }
  if (version === '2') {
    const withMethod = { ...params, SignatureMethod: 'HmacSHA256' };
    return hmac('sha256', secret, `${c.verb ?? ''}\n${c.host ?? ''}\n${c.path ?? ''}\n${canonicalQs(withMethod)}`).toString('base64');
  }
  if (isV4(c)) return signatureV4(secret, c);
  throw new SignatureError(version !== undefined ? `Unknown signature version: ${version}` : 'Unexpected signature format');
}

/** s3tokens' check of a string to sign (AWS4-HMAC-SHA256 ... or a SigV2 string). */
export function s3Signature(secret: string, stringToSign: Buffer): string {
  if (stringToSign.subarray(0, 4).toString('latin1') !== 'AWS4') return hmac('sha1', secret, stringToSign).toString('base64');
  const parts = stringToSign.toString('latin1').split('\n');
  const scope = (parts[2] ?? '').split('/');
  if (parts.length !== 4 || parts[0] !== 'AWS4-HMAC-SHA256' || scope.length !== 4 || scope[3] !== 'aws4_request' || !['s3', 'iam', 'sts'].includes(scope[2]!)) {
    throw new Unauthorized('Invalid EC2 signature.');
  }
  const key = sigV4Key(secret, scope[0]!, scope[1]!, scope[2]!);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/** utils.auth_str_equal: a comparison that takes as long whatever the strings share. */
export function authStrEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
