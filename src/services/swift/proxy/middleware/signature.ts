/**
 * What tempurl and formpost share: the keys (X-Account-Meta-Temp-URL-Key[-2] for the whole
 * account, X-Container-Meta-Temp-URL-Key[-2] for one container), a client's signature
 * (hex, its length naming the digest, or `<digest>:<base64>`; swift/common/digest.py), and the
 * constant-time comparison with the HMACs of each key.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { RequestContext } from '../../../../common/context.js';
import type { SwiftRequest } from '../request.js';
import { answer, drain, isSuccess, type Handler } from './pipeline.js';

export const ALLOWED_DIGESTS = ['sha1', 'sha256', 'sha512'] as const;
export type Digest = (typeof ALLOWED_DIGESTS)[number];
/** Allowed still, but reported as deprecated in /info (digest.py DEPRECATED_DIGESTS). */
export const DEPRECATED_DIGESTS: Digest[] = ['sha1'];

export interface ScopedKey {
  key: string;
  scope: 'account' | 'container';
}

/** The algorithm and hex digest of a client's signature, or undefined when it is malformed or of another digest. */
export function parseSignature(value: string): { digest: Digest; hex: string } | undefined {
  let digest: string | undefined;
  let hex: string;
  if (value.includes(':')) {
    const i = value.indexOf(':');
    digest = value.slice(0, i);
    let b64 = value.slice(i + 1);
    if (/[-_]/.test(b64) && !/[+/]/.test(b64)) b64 = b64.replace(/-/g, '+').replace(/_/g, '/');
    b64 = b64.replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(b64) || b64.length % 4 === 1) return undefined;
    hex = Buffer.from(b64, 'base64').toString('hex');
  } else {
    if (!/^([0-9a-fA-F]{2})*$/.test(value)) return undefined;
    digest = ({ 40: 'sha1', 64: 'sha256', 128: 'sha512' } as Record<number, string>)[value.length];
    hex = value.toLowerCase();
  }
  return digest !== undefined && (ALLOWED_DIGESTS as readonly string[]).includes(digest) ? { digest: digest as Digest, hex } : undefined;
}

export const hmacHex = (digest: Digest, key: string, message: string): string => createHmac(digest, key).update(message).digest('hex');

/** Whether `hex` is the HMAC of one of the messages under one of the keys; the matching key's scope, or undefined. */
export function matchSignature(sig: { digest: Digest; hex: string }, keys: ScopedKey[], messages: string[]): ScopedKey['scope'] | undefined {
  const given = Buffer.from(sig.hex, 'hex');
  let found: ScopedKey['scope'] | undefined;
  for (const { key, scope } of keys) {
    for (const m of messages) {
      const want = Buffer.from(hmacHex(sig.digest, key, m), 'hex');
      if (want.length === given.length && timingSafeEqual(want, given)) found ??= scope;
    }
  }
  return found;
}

/** The paths a signature may have been made over: /v1/... as Swift sees it, and with the endpoint's mount ('/object/v1/...'). */
export function signedPaths(req: SwiftRequest, path: string): string[] {
  return req.mount ? [path, `${req.mount}${path}`] : [path];
}

/** The temp URL keys of an account and (when given) one of its containers, read as the proxy itself. */
export async function tempUrlKeys(app: Handler, account: string, container: string | undefined, source: string): Promise<ScopedKey[]> {
  const keys: ScopedKey[] = [];
  const read = async (c: string | undefined, scope: ScopedKey['scope']) => {
    const res = await answer(app, {
      ctx: new RequestContext({ requestId: `req-${randomUUID()}` }), method: 'HEAD', account, ...(c !== undefined ? { container: c } : {}),
      query: '', headers: {}, preauthorized: {}, source,
    });
    drain(res);
    if (!isSuccess(res.status)) return;
    const prefix = scope === 'account' ? 'x-account-meta-' : 'x-container-meta-';
    for (const h of ['temp-url-key', 'temp-url-key-2']) {
      const v = res.headers[prefix + h];
      if (v) keys.push({ key: v, scope });
    }
  };
  await read(undefined, 'account');
  if (container !== undefined && container !== '') await read(container, 'container');
  return keys;
}
