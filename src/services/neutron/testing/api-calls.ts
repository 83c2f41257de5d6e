/**
 * API calls of tests that expect an answer: `ok` (a status, 200 unless told, and the body)
 * and `fails` (a status and, when given, the NeutronError type; the NeutronError). For tests only.
 */
import assert from 'node:assert/strict';
import type { Harness } from './harness.js';

export type Body = Record<string, any>;

export interface ApiCalls {
  ok(method: string, url: string, token: string, body?: unknown, status?: number): Promise<Body>;
  fails(method: string, url: string, token: string, body: unknown, status: number, type?: string): Promise<Body>;
}

/** The calls on the harness `harness()` answers (a test file's harness is made in its before hook). */
export function apiCalls(harness: () => Harness): ApiCalls {
  return {
    async ok(method, url, token, body, status = 200) {
      const r = await harness().request(method, url, token, body);
      assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
      return r.body as Body;
    },
    async fails(method, url, token, body, status, type) {
      const r = await harness().request(method, url, token, body);
      assert.equal(r.status, status, `${method} ${url}: ${JSON.stringify(r.body)}`);
      if (type) assert.equal(r.body.NeutronError.type, type, JSON.stringify(r.body));
      return r.body.NeutronError as Body;
    },
  };
}
