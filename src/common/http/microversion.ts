/**
 * API microversions (Nova, Placement, Cinder): negotiation from `OpenStack-API-Version:
 * <service-type> X.Y` or the legacy per-service header, `latest`, range checks (406 outside),
 * and the response headers. Routes then pick behaviour with `atLeast()` or a version table.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BadRequest, NotAcceptable } from '../errors.js';

export class APIVersion {
  constructor(readonly major: number, readonly minor: number) {}

  static parse(text: string): APIVersion {
    const m = /^(\d+)\.(\d+)$/.exec(text.trim());
    if (!m) throw new BadRequest(`API Version String ${text} is of invalid format. Must be of format MajorNum.MinorNum.`);
    return new APIVersion(Number(m[1]), Number(m[2]));
  }

  compare(o: APIVersion): number {
    return this.major - o.major || this.minor - o.minor;
  }

  atLeast(v: string | APIVersion): boolean {
    return this.compare(typeof v === 'string' ? APIVersion.parse(v) : v) >= 0;
  }

  inRange(min: string, max?: string): boolean {
    return this.atLeast(min) && (max === undefined || this.compare(APIVersion.parse(max)) <= 0);
  }

  toString(): string {
    return `${this.major}.${this.minor}`;
  }
}

export interface MicroversionPolicy {
  /** The service type in OpenStack-API-Version ('compute', 'placement', 'volume'). */
  serviceType: string;
  /** Legacy header, e.g. 'X-OpenStack-Nova-API-Version'. */
  legacyHeader?: string;
  min: string;
  max: string;
  /**
   * Requests served without microversions (Nova's legacy v2 API): they are the minimum version
   * whatever their headers ask for, and get no version headers (nor Vary) in the response.
   */
  unversioned?: (req: FastifyRequest) => boolean;
  /**
   * A refused version (406) is named in the response's version headers, as Nova's Fault does
   * with the version the request asked for.
   */
  echoRefused?: boolean;
}

/** The 406 of a version outside the range, with the version asked for. */
export class VersionNotAcceptable extends NotAcceptable {
  constructor(readonly requested: APIVersion, min: APIVersion, max: APIVersion) {
    super(`Version ${requested} is not supported by the API. Minimum is ${min} and maximum is ${max}.`);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: APIVersion;
  }
}

/** Pick the version a request asks for (the minimum when it asks for none). */
export function negotiate(headers: FastifyRequest['headers'], policy: MicroversionPolicy): APIVersion {
  const min = APIVersion.parse(policy.min);
  const max = APIVersion.parse(policy.max);
  let requested: string | undefined;
  const generic = headers['openstack-api-version'];
  for (const entry of (Array.isArray(generic) ? generic.join(',') : generic ?? '').split(',')) {
    const [type, ver] = entry.trim().split(/\s+/);
    if (type?.toLowerCase() === policy.serviceType && ver) requested = ver;
  }
  if (requested === undefined && policy.legacyHeader) {
    const legacy = headers[policy.legacyHeader.toLowerCase()];
    requested = Array.isArray(legacy) ? legacy[0] : legacy;
  }
  if (requested === undefined) return min;
  if (requested.trim().toLowerCase() === 'latest') return max;
  const v = APIVersion.parse(requested);
  if (v.compare(min) < 0 || v.compare(max) > 0) {
    throw new VersionNotAcceptable(v, min, max);
  }
  return v;
}

/** Install negotiation and the response headers on a service's (encapsulated) scope. */
export function useMicroversions(scope: FastifyInstance, policy: MicroversionPolicy): void {
  scope.decorateRequest('apiVersion', undefined as unknown as APIVersion);
  const unversioned = policy.unversioned;
  const vary = ['OpenStack-API-Version', ...(policy.legacyHeader ? [policy.legacyHeader] : [])].join(', ');
  const versionHeaders = (reply: FastifyReply, version: APIVersion): void => {
    reply.header('openstack-api-version', `${policy.serviceType} ${version}`);
    if (policy.legacyHeader) reply.header(policy.legacyHeader.toLowerCase(), String(version));
    reply.header('vary', vary);
  };
  scope.addHook('onRequest', async (req, reply) => {
    req.apiVersion = APIVersion.parse(policy.min);
    if (unversioned !== undefined && unversioned(req)) return;
    try {
      req.apiVersion = negotiate(req.headers, policy);
    } catch (err) {
      if (policy.echoRefused && err instanceof VersionNotAcceptable) versionHeaders(reply, err.requested);
      throw err;
    }
    versionHeaders(reply, req.apiVersion);
  });
}

/** Choose among handlers declared for version ranges (Nova's @wsgi.Controller.api_version). */
export function byVersion<T>(version: APIVersion, table: Array<{ min: string; max?: string; value: T }>): T | undefined {
  return table.find((row) => version.inRange(row.min, row.max))?.value;
}
