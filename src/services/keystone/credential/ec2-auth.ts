/**
 * Authentication with an EC2 credential (keystone/api/_shared/EC2_S3_Resource.py
 * handle_authenticate), shared by POST /v3/ec2tokens and POST /v3/s3tokens: the credential is
 * found by its access key, the signature the client sent is checked against its secret (each
 * API has its own check), the user and project must be enabled, a signed timestamp must be
 * younger than [credential] auth_ttl, and a project-scoped token is issued with the method
 * `ec2credential` (under the credential's trust or application credential when it has one).
 */
import { NotFound, Unauthorized } from '../../../common/errors.js';
import type { AppCredManager } from '../application_credential/core.js';
import { ValidationError } from '../errors.js';
import type { KeystoneProviders } from '../providers.js';
import type { ResolvedToken } from '../token/model.js';
import type { TokenProvider } from '../token/provider.js';
import type { TrustManager } from '../trust/core.js';
import { hashAccessKey, type CredentialManager } from './core.js';
import type { Ec2Credentials } from './ec2-signer.js';

/** What a signature check sees of the stored credential (upstream's "legacy format"). */
export interface Ec2CredentialData {
  user_id: string;
  project_id: string | null;
  access: string;
  secret: string;
  trust_id: string | null;
  app_cred_id: string | null;
  access_token_id: string | null;
}

export type SignatureCheck = (cred: Ec2CredentialData, credentials: Ec2Credentials) => void;

export interface Ec2AuthDeps {
  credentials: CredentialManager;
  providers: KeystoneProviders;
  tokens: TokenProvider;
  trusts: TrustManager;
  appCreds: AppCredManager;
  /** [credential] auth_ttl, in minutes. */
  authTtlMinutes: number;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** timeutils.parse_isotime for what clients sign: ISO 8601, also the basic form 20130524T000000Z. */
function parseTimestamp(value: string): number {
  const basic = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const ms = basic ? Date.UTC(+basic[1]!, +basic[2]! - 1, +basic[3]!, +basic[4]!, +basic[5]!, +basic[6]!) : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  if (!Number.isFinite(ms)) throw new Unauthorized(`Credential timestamp is invalid: Unable to parse date string '${value}'`);
  return ms;
}

/** The credentials of the body (`credentials`, `credential` or `ec2Credentials`, as upstream accepts). */
export function ec2CredentialsOf(body: unknown): Ec2Credentials {
  if (!body || typeof body !== 'object' || Array.isArray(body) || Object.keys(body).length === 0) throw new ValidationError('request must include a request body');
  const b = body as Record<string, unknown>;
  const c = [b.credentials, b.credential, b.ec2Credentials].find((x) => x && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length > 0);
  const creds = (c ?? {}) as Record<string, unknown>;
  if (!('access' in creds)) throw new Unauthorized('EC2 Signature not supplied');
  const access = creds.access;
  if (typeof access !== 'string') throw new Unauthorized('EC2 access key not found.');
  const record = (v: unknown): Record<string, string> | undefined => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : undefined);
  const out: Ec2Credentials = { access };
  for (const k of ['signature', 'host', 'verb', 'path', 'body_hash', 'token'] as const) if (creds[k] !== undefined && creds[k] !== null) out[k] = String(creds[k]);
  const params = record(creds.params);
  const headers = record(creds.headers);
  if (params) out.params = params;
  if (headers) out.headers = headers;
  return out;
}

export class Ec2TokenAuthenticator {
  constructor(private readonly deps: Ec2AuthDeps) {}

  async authenticate(credentials: Ec2Credentials, checkSignature: SignatureCheck): Promise<ResolvedToken> {
    const d = this.deps;
    const cred = await d.credentials.findCredential(hashAccessKey(credentials.access));
    if (!cred || cred.type !== 'ec2') throw new NotFound('EC2 access key not found.');
    let blob: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(cred.blob);
      if (parsed && typeof parsed === 'object') blob = parsed as Record<string, unknown>;
    } catch {
      // an unreadable blob has no secret: the signature check fails below
    }
    const data: Ec2CredentialData = {
      user_id: cred.user_id, project_id: cred.project_id, access: String(blob.access ?? ''), secret: String(blob.secret ?? ''),
      trust_id: str(blob.trust_id), app_cred_id: str(blob.app_cred_id), access_token_id: str(blob.access_token_id),
    };
    checkSignature(data, credentials);
    const project = data.project_id ? await d.providers.getProject(data.project_id) : undefined;
    if (!project) throw new NotFound(`Could not find project: ${data.project_id}.`);
    const user = await d.providers.getUser(data.user_id);
    if (!user) throw new NotFound(`Could not find user: ${data.user_id}.`);
    if (!user.enabled || !project.enabled) throw new Unauthorized();
    this.checkTimestamp(credentials);

    let userId = user.id;
    let roleIds: string[];
    if (data.trust_id) {
      const trust = await d.trusts.get(data.trust_id);
      roleIds = trust.roleIds;
      if (trust.impersonation) userId = trust.trusteeUserId;
    } else if (data.app_cred_id) {
      const appCred = await d.appCreds.get(data.app_cred_id);
      roleIds = appCred.roleIds;
      if (data.project_id !== appCred.projectId) throw new Unauthorized('EC2 credential project does not match the application credential project.');
    } else if (data.access_token_id) {
      // Not carried over: a token under an OAuth1 access token is not issued from an EC2 signature here.
      throw new Unauthorized('EC2 credentials of an OAuth1 access token are not supported.');
    } else {
      roleIds = (await d.providers.rolesOnProject(user.id, project.id)).map((r) => r.id);
    }
    if (roleIds.length === 0) throw new Unauthorized('User not valid for project.');
    for (const id of roleIds) if (!(await d.providers.getRole(id))) throw new NotFound(`Could not find role: ${id}.`);
    return d.tokens.issue({
      userId, methods: ['ec2credential'], projectId: project.id,
      ...(data.trust_id ? { trustId: data.trust_id } : {}), ...(data.app_cred_id ? { appCredId: data.app_cred_id } : {}),
    });
  }

  /** _check_timestamp: Timestamp (v1/v2) or X-Amz-Date (v4) no older than auth_ttl. */
  private checkTimestamp(c: Ec2Credentials): void {
    const stamp = c.params?.['Timestamp'] || c.headers?.['X-Amz-Date'] || c.params?.['X-Amz-Date'];
    if (!stamp) return;
    if (Date.now() > parseTimestamp(stamp) + this.deps.authTtlMinutes * 60_000) throw new Unauthorized('Credential is expired');
  }
}
