/**
 * Paths rewritten before routing, so that an API serves the paths OpenStack keeps for older
 * clients without registering its routes twice: a project id after the version segment (Nova's
 * `/v2.1/{project_id}/servers`, as routes' ProjectMapper connects every route also with
 * `{project_id}`) and an older version served by the routes of a newer one (Nova's legacy
 * `/v2/...` by its `/v2.1` routes). A project declares its rewrites from its routes plugin
 * (usePathRewrites); the root server's `rewriteUrl` (http/app.ts) applies them and marks each
 * rewritten request with what its path said (RewrittenPath), for the hooks, views and body
 * validation that depend on it (rewrittenPath, currentRewrittenPath).
 *
 * The cost on the request path: a prefix comparison for a path outside every declared prefix,
 * and for one of a declared version without a project id a table look-up of the first
 * character(s) of the next segment. Nothing is set on a request that is not rewritten.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { currentScope } from '../log/request-scope.js';

/** A version segment of an API's paths. */
export interface VersionSegment {
  /** The segment as clients send it ('v2.1', 'v2'). */
  readonly version: string;
  /**
   * The segment the routes are registered under, when it is another one ('v2.1' for Nova's
   * legacy 'v2'): every path below this version is routed there, with a project id or without.
   * The version alone (`/v2`, `/v2/`, `/v2/{project_id}`) keeps its own segment: the version
   * document.
   */
  readonly routedAs?: string;
}

export interface PathRewriteOptions {
  /** The version segments whose paths may carry a project id. */
  readonly versions: readonly VersionSegment[];
  /**
   * The characters of a project id (ASCII): a whole segment of them after the version is one
   * (Nova's `[0-9a-f-]+`: '0123456789abcdef-'). No resource name that follows the version
   * directly may be made of them only.
   */
  readonly projectIdChars: string;
}

/** What a rewritten request's path said. */
export interface RewrittenPath {
  /** The version segment as the client sent it ('v2' for Nova's legacy API). */
  readonly version: string;
  /** The project id that followed the version, when there was one. */
  readonly projectId: string | undefined;
}

const REWRITTEN = Symbol('nubo.rewrittenPath');

interface MarkedRequest extends IncomingMessage {
  [REWRITTEN]?: RewrittenPath;
}

/** The rewrites of one prefix (one mounted project). */
class PrefixRewrite {
  /** 1 for the character codes of a project id. */
  private readonly idChar = new Uint8Array(128);

  constructor(private readonly prefix: string, private readonly versions: readonly VersionSegment[], projectIdChars: string) {
    for (const c of projectIdChars) {
      const code = c.charCodeAt(0);
      if (code > 127 || c === '/' || c === '?') throw new Error(`path rewrites: ${JSON.stringify(c)} cannot be a project id character`);
      this.idChar[code] = 1;
    }
  }

  /** The end of the project id that starts at `start`, or -1 when the segment there is not one. */
  private projectIdEnd(url: string, start: number): number {
    let i = start;
    for (; i < url.length; i++) {
      const c = url.charCodeAt(i);
      if (c === 47 /* / */ || c === 63 /* ? */) break;
      if (c > 127 || this.idChar[c] !== 1) return -1;
    }
    return i > start ? i : -1;
  }

  /** The new URL of a path this prefix concerns and marks `raw`, or undefined. */
  rewrite(raw: MarkedRequest, url: string): string | undefined {
    const p = this.prefix.length;
    if (url.charCodeAt(p) !== 47 /* / */ || !url.startsWith(this.prefix)) return undefined;
    for (const v of this.versions) {
      const end = p + 1 + v.version.length;
      // `/<version>/` exactly: '/v2' is not a prefix of '/v2.1/'.
      if (url.charCodeAt(end) !== 47 || !url.startsWith(v.version, p + 1)) continue;
      const idEnd = this.projectIdEnd(url, end + 1);
      if (idEnd > 0) {
        const rest = url.slice(idEnd);
        raw[REWRITTEN] = { version: v.version, projectId: url.slice(end + 1, idEnd) };
        return `${this.prefix}/${versionOnly(rest) ? v.version : v.routedAs ?? v.version}${rest}`;
      }
      if (v.routedAs === undefined) return undefined;
      const rest = url.slice(end);
      if (versionOnly(rest)) return undefined;
      raw[REWRITTEN] = { version: v.version, projectId: undefined };
      return `${this.prefix}/${v.routedAs}${rest}`;
    }
    return undefined;
  }
}

/** Whether what follows the version (or the project id) names no resource: '', '/', a query. */
function versionOnly(rest: string): boolean {
  return rest === '' || rest === '/' || rest.charCodeAt(0) === 63 /* ? */ || rest.startsWith('/?');
}

/** The rewrites of a server made by createHttpApp: its `rewriteUrl`. */
export class PathRewrites {
  private readonly prefixes: PrefixRewrite[] = [];

  /** Fastify's rewriteUrl option: the URL to route `raw` by. */
  readonly rewriteUrl = (raw: IncomingMessage): string => {
    const url = raw.url!;
    for (const p of this.prefixes) {
      const rewritten = p.rewrite(raw, url);
      if (rewritten !== undefined) return rewritten;
    }
    return url;
  };

  add(prefix: string, opts: PathRewriteOptions): void {
    this.prefixes.push(new PrefixRewrite(prefix, opts.versions, opts.projectIdChars));
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The path rewrites of the root server (usePathRewrites adds to them). */
    readonly pathRewrites: PathRewrites | undefined;
  }
}

/**
 * Declares the rewrites of the paths below `app`'s prefix (call it from a project's routes
 * plugin). @throws when the server was not made by createHttpApp
 */
export function usePathRewrites(app: FastifyInstance, opts: PathRewriteOptions): void {
  const rewrites = app.pathRewrites;
  if (!rewrites) throw new Error('path rewrites: the server was not made by createHttpApp');
  rewrites.add(app.prefix, opts);
}

/** What the path of `raw` said, when it was rewritten. */
export function rewrittenPath(raw: IncomingMessage): RewrittenPath | undefined {
  return (raw as MarkedRequest)[REWRITTEN];
}

/**
 * What the path of the request being served said, when it was rewritten (from the request
 * scope, for code that is not handed the request: link building, body validation).
 */
export function currentRewrittenPath(): RewrittenPath | undefined {
  // The scope's client is the FastifyRequest (http/app.ts).
  const client = currentScope()?.client as Partial<Pick<FastifyRequest, 'raw'>> | undefined;
  const raw = client?.raw as MarkedRequest | undefined;
  return raw?.[REWRITTEN];
}
