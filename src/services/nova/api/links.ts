/**
 * Links in Compute API bodies (nova/api/openstack/common.py's ViewBuilder): a resource's
 * `self` link under the versioned endpoint and its `bookmark` under the unversioned one,
 * with [api] compute_link_prefix replacing the base when set.
 */
export interface Link {
  rel: string;
  href: string;
  type?: string;
}

export class LinkBuilder {
  private readonly base: string;

  /** `baseUrl`: the project's public base URL ('http://host/compute'). */
  constructor(baseUrl: string, computeLinkPrefix = '') {
    this.base = (computeLinkPrefix || baseUrl).replace(/\/$/, '');
  }

  /** self and bookmark links of `/<collection>/<id>`. */
  resource(collection: string, id: string | number): Link[] {
    return [
      { rel: 'self', href: `${this.base}/v2.1/${collection}/${id}` },
      { rel: 'bookmark', href: `${this.base}/${collection}/${id}` },
    ];
  }

  /** A bookmark link only (flavor and image references inside a server, before 2.47). */
  bookmark(collection: string, id: string | number): Link[] {
    return [{ rel: 'bookmark', href: `${this.base}/${collection}/${id}` }];
  }

  /** The `next` link of a paged list: the same query with `marker` set to the last item. */
  next(collection: string, query: Record<string, unknown>, marker: string): Link {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (k === 'marker' || v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) q.append(k, String(item));
    }
    q.set('marker', marker);
    return { rel: 'next', href: `${this.base}/v2.1/${collection}?${q.toString()}` };
  }
}
