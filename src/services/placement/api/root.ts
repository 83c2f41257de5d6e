/**
 * GET / (placement/handlers/root.py): the version document, without a token. Its link is
 * the relative "this same URL", as upstream (no proxy or host bookkeeping).
 */
import { MAX_VERSION, MIN_VERSION } from './microversion.js';
import { cacheHeaders, type Call, sendJson } from './request.js';
import type { Router } from './router.js';

async function home(call: Call): Promise<void> {
  cacheHeaders(call);
  sendJson(call, {
    versions: [{ id: `v${MIN_VERSION}`, max_version: MAX_VERSION, min_version: MIN_VERSION, status: 'CURRENT', links: [{ rel: 'self', href: '' }] }],
  });
}

export function rootRoutes(router: Router): void {
  router.get('/', home, { public: true });
}
