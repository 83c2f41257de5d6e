/**
 * The table of every route mounted on the root server, recorded by an onRoute hook as services
 * register (prefix included), with its schema and config: what a route-wide check (the fuzz
 * test, a route listing) walks without knowing the services.
 */
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';

export interface RouteEntry {
  readonly method: string;
  /** Full path with the service prefix and `:param` placeholders ('/network/v2.0/networks/:id'). */
  readonly url: string;
  readonly schema: FastifySchema | undefined;
  /** Needs no token (config.public). */
  readonly public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered after createHttpApp, in registration order. */
    readonly routeTable: readonly RouteEntry[];
  }
}

/** Records every route registered on `app` or any plugin below it, from now on. */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      table.push({ method, url: route.url, schema: route.schema, public: route.config?.public === true });
    }
  });
}
