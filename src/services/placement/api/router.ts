/**
 * Placement's routing (placement/handler.py): each path answers the methods it declares, any
 * other method with 405 and an Allow header, and any unknown path with 404 -- all inside the
 * placement scope, so that authentication, microversion negotiation and the error format
 * apply to those answers too. HEAD is not an alias of GET (upstream answers it 405).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { HTTPMethodNotAllowed, HTTPNotFound } from '../errors.js';
import { Query } from './query-params.js';
import type { Call } from './request.js';

export type Handler = (call: Call) => Promise<unknown>;

interface Route {
  handler: Handler;
  public: boolean;
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];

export class Router {
  private readonly paths = new Map<string, Map<HTTPMethods, Route>>();

  constructor(private readonly prefix: string) {}

  private add(method: HTTPMethods, url: string, handler: Handler, isPublic: boolean): this {
    const methods = this.paths.get(url) ?? new Map<HTTPMethods, Route>();
    this.paths.set(url, methods);
    methods.set(method, { handler, public: isPublic });
    return this;
  }

  get(url: string, handler: Handler, opts: { public?: boolean } = {}): this {
    return this.add('GET', url, handler, opts.public ?? false);
  }

  post(url: string, handler: Handler): this {
    return this.add('POST', url, handler, false);
  }

  put(url: string, handler: Handler): this {
    return this.add('PUT', url, handler, false);
  }

  delete(url: string, handler: Handler): this {
    return this.add('DELETE', url, handler, false);
  }

  private call(req: FastifyRequest, reply: FastifyReply): Call {
    return {
      req, reply, version: req.placementVersion!, ctx: req.ctx, params: (req.params ?? {}) as Record<string, string>,
      query: Query.parse(req.raw.url ?? ''), prefix: this.prefix,
    };
  }

  install(scope: FastifyInstance): void {
    for (const [url, methods] of this.paths) {
      const isPublic = [...methods.values()].some((r) => r.public);
      for (const [method, route] of methods) {
        scope.route({
          method, url, exposeHeadRoute: false, config: { public: route.public },
          handler: async (req, reply) => {
            await route.handler(this.call(req, reply));
            return reply;
          },
        });
      }
      const allow = [...methods.keys()];
      const others = ALL_METHODS.filter((m) => !methods.has(m));
      scope.route({
        method: others, url, exposeHeadRoute: false, config: { public: isPublic },
        handler: async () => {
          throw new HTTPMethodNotAllowed(allow);
        },
      });
    }
    scope.route({
      method: ALL_METHODS, url: '/*', exposeHeadRoute: false,
      handler: async () => {
        throw new HTTPNotFound();
      },
    });
  }
}
