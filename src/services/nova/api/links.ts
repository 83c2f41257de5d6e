/**
 * Links in Compute API bodies (nova/api/openstack/common.py's ViewBuilder): a resource's
 * `self` link under the versioned endpoint and its `bookmark` under the unversioned one,
 * with [api] compute_link_prefix replacing the base when set. The request being served
 * decides the versioned endpoint and the project id (ViewBuilder's request.application_url and
 * _get_project_id): a request whose URL holds the caller's project id (its path or its query)
 * gets links with it, and one of the legacy v2 API links under /v2 (legacy-v2.ts).
 */
import { currentRewrittenPath } from '../../../common/http/path-rewrite.js';
import { currentScope } from '../../../common/log/request-scope.js';

export interface Link {
  rel: string;
  href: string;
  type?: string;
}

/** The bases of the links of one request: the versioned one (self, next) and the bookmark one. */
interface LinkBases {
  versioned: string;
  bookmark: string;
}

export class LinkBuilder {
  private readonly base: string;
  /** The bases of a request whose path was not rewritten (/v2.1, no project id). */
  private readonly plain: LinkBases;

  /** `baseUrl`: the project's public base URL ('http://host/compute'). */
  constructor(baseUrl: string, computeLinkPrefix = '') {
    this.base = (computeLinkPrefix || baseUrl).replace(/\/$/, '');
    this.plain = { versioned: `${this.base}/v2.1`, bookmark: this.base };
  }

  /** self and bookmark links of `/<collection>/<id>`. */
  resource(collection: string, id: string | number): Link[] {
    const b = this.bases();
    return [
      { rel: 'self', href: `${b.versioned}/${collection}/${id}` },
      { rel: 'bookmark', href: `${b.bookmark}/${collection}/${id}` },
    ];
  }

  /** A bookmark link only (flavor and image references inside a server, before 2.47). */
  bookmark(collection: string, id: string | number): Link[] {
    return [{ rel: 'bookmark', href: `${this.bases().bookmark}/${collection}/${id}` }];
  }

  /** The `next` link of a paged list: the same query with `marker` set to the last item. */
  next(collection: string, query: Record<string, unknown>, marker: string): Link {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k === 'marker' || v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    }
    q.set('marker', marker);
    return { rel: 'next', href: `${this.bases().versioned}/${collection}?${q.toString()}` };
  }

  /** The bases for the request being served (the plain ones outside a request). */
  private bases(): LinkBases {
    const path = currentRewrittenPath();
    const projectId = path?.projectId ?? projectIdInUrl();
    if (path === undefined && projectId === undefined) return this.plain;
    const project = projectId === undefined ? '' : `/${projectId}`;
    return { versioned: `${this.base}/${path?.version ?? 'v2.1'}${project}`, bookmark: `${this.base}${project}` };
  }
}

/**
 * ViewBuilder._get_project_id: the caller's project id when the request's URL holds it anywhere
 * (`/v2.1/servers?project_id=...` as well as a path that names it).
 */
function projectIdInUrl(): string | undefined {
  const scope = currentScope();
  const projectId = (scope?.context as { projectId?: string } | undefined)?.projectId;
  const url = (scope?.client as { originalUrl?: string } | undefined)?.originalUrl;
  return projectId && url?.includes(projectId) ? projectId : undefined;
}
