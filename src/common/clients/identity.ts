/**
 * IdentityClient: what services ask Keystone (v3) — token validation for the auth middleware
 * (keystonemiddleware's GET /v3/auth/tokens), unified limits and registered limits (oslo.limit's
 * reads), services, and projects. Requests go with the session's token to the auth URL's /v3.
 */
import type { TokenInfo } from '../auth/token-info.js';
import { tokenInfoFromBody, type KeystoneTokenBody } from '../auth/token-body.js';
import { query, seg, ServiceProxy, type ServiceDescription } from './proxy.js';
import { ServiceClientError } from './session.js';

export interface IdentityService {
  id: string;
  type: string;
  name?: string;
  enabled?: boolean;
  description?: string;
}

export interface RegisteredLimit {
  id: string;
  service_id: string;
  region_id?: string | null;
  resource_name: string;
  default_limit: number;
  description?: string | null;
}

export interface Limit {
  id: string;
  service_id: string;
  region_id?: string | null;
  project_id?: string | null;
  domain_id?: string | null;
  resource_name: string;
  resource_limit: number;
  description?: string | null;
}

export interface Project {
  id: string;
  name: string;
  domain_id: string;
  parent_id?: string | null;
  is_domain?: boolean;
  enabled: boolean;
  description?: string;
  tags?: string[];
  [key: string]: unknown;
}

/** A service of a token's catalog (GET /v3/auth/catalog). */
export interface CatalogEntry {
  type: string;
  name?: string;
  endpoints: Array<{ interface: string; region_id?: string; region?: string; url: string }>;
}

/**
 * The URL of a catalog's endpoint of `type` for `iface`, in `region` if it has one there, else
 * in any region (trailing slashes removed); undefined when the catalog has none.
 */
export function catalogEndpoint(catalog: readonly CatalogEntry[], type: string, iface: string, region: string): string | undefined {
  const svc = catalog.find((s) => s.type === type);
  const ep = svc?.endpoints.find((e) => e.interface === iface && (e.region_id ?? e.region) === region) ?? svc?.endpoints.find((e) => e.interface === iface);
  return ep?.url.replace(/\/+$/, '');
}

export interface LimitQuery {
  serviceId?: string;
  regionId?: string;
  resourceName?: string;
}

export class IdentityClient extends ServiceProxy {
  protected readonly service: ServiceDescription = { types: ['identity'] };

  /**
   * Validate a user's token (GET /v3/auth/tokens, X-Subject-Token). Throws ServiceClientError
   * 404 (unknown, expired or revoked token) or 401 (the session's own token refused).
   */
  async validateToken(token: string, opts: { allowExpired?: boolean } = {}): Promise<TokenInfo> {
    const res = await this.json<{ token: KeystoneTokenBody }>('GET', `/auth/tokens${opts.allowExpired ? '?allow_expired=1' : ''}`, {
      headers: { 'x-subject-token': token },
    });
    return tokenInfoFromBody(res.body.token);
  }

  /**
   * POST /v3/s3tokens (the s3token middleware's call): Keystone checks the signature of a string
   * to sign with the secret of the EC2 credential `access` and answers the token of its user
   * on its project. Throws ServiceClientError 401 (signature mismatch), 404 (unknown key), 403.
   */
  async s3Token(credentials: { access: string; stringToSign: Buffer; signature: string }): Promise<TokenInfo> {
    const res = await this.json<{ token: KeystoneTokenBody }>('POST', '/s3tokens', {
      body: { credentials: { access: credentials.access, token: credentials.stringToSign.toString('base64url'), signature: credentials.signature } },
    });
    return tokenInfoFromBody(res.body.token);
  }

  /**
   * GET /v3/users/{user_id}/credentials/OS-EC2/{access}: an EC2 credential with its secret (the
   * s3token middleware's secret cache reads it so, to check the signed chunks of a body).
   */
  async getEc2Credential(userId: string, access: string): Promise<{ access: string; secret: string; tenant_id: string | null; user_id: string }> {
    return (await this.json<{ credential: { access: string; secret: string; tenant_id: string | null; user_id: string } }>(
      'GET', `/users/${seg(userId)}/credentials/OS-EC2/${seg(access)}`,
    )).body.credential;
  }

  /**
   * GET /v3/auth/catalog: the catalog of the token the client acts with (`forUser(token)`: the
   * user's, with their project in the endpoints, as keystonemiddleware's X-Service-Catalog).
   */
  async authCatalog(): Promise<CatalogEntry[]> {
    return (await this.json<{ catalog: CatalogEntry[] }>('GET', '/auth/catalog')).body.catalog;
  }

  /** GET /v3/services. */
  async listServices(filters: { type?: string; name?: string } = {}): Promise<IdentityService[]> {
    return (await this.json<{ services: IdentityService[] }>('GET', `/services${query(filters)}`)).body.services;
  }

  /** GET /v3/registered_limits: the defaults of a service's resources. */
  async listRegisteredLimits(filters: LimitQuery = {}): Promise<RegisteredLimit[]> {
    const q = query({ service_id: filters.serviceId, region_id: filters.regionId, resource_name: filters.resourceName });
    return (await this.json<{ registered_limits: RegisteredLimit[] }>('GET', `/registered_limits${q}`)).body.registered_limits;
  }

  /** GET /v3/limits: the limits set for a project (or domain). */
  async listLimits(filters: LimitQuery & { projectId?: string; domainId?: string } = {}): Promise<Limit[]> {
    const q = query({
      project_id: filters.projectId, domain_id: filters.domainId, service_id: filters.serviceId, region_id: filters.regionId, resource_name: filters.resourceName,
    });
    return (await this.json<{ limits: Limit[] }>('GET', `/limits${q}`)).body.limits;
  }

  /** GET /v3/projects/{id}. */
  async getProject(id: string): Promise<Project> {
    return (await this.json<{ project: Project }>('GET', `/projects/${seg(id)}`)).body.project;
  }

  /**
   * Whether Keystone knows the project: only its 404 says no; any other failure counts as yes
   * (the checks of Nova's and Cinder's APIs let the request through then, as upstream's do).
   */
  async projectExists(id: string): Promise<boolean> {
    try {
      await this.getProject(id);
      return true;
    } catch (err) {
      return !(err instanceof ServiceClientError && err.status === 404);
    }
  }

  /** GET /v3/projects. */
  async listProjects(filters: { name?: string; domainId?: string; parentId?: string; enabled?: boolean } = {}): Promise<Project[]> {
    const q = query({ name: filters.name, domain_id: filters.domainId, parent_id: filters.parentId, enabled: filters.enabled });
    return (await this.json<{ projects: Project[] }>('GET', `/projects${q}`)).body.projects;
  }
}
