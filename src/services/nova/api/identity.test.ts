// verify_project_id: only Keystone's 404 refuses a project; 403 and an unreachable Keystone let it through.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IdentityClient } from '../../../common/clients/index.js';
import { ServiceClientError } from '../../../common/clients/session.js';
import { ServiceUnavailable } from '../../../common/errors.js';
import { RequestContext } from '../../../common/context.js';
import { ProjectVerifier } from './identity.js';

function verifier(answer: (id: string) => unknown, seen: string[]): ProjectVerifier {
  const client = {
    forUser: (token: string) => ({
      getProject: async (id: string) => { seen.push(`${token}:${id}`); return answer(id); },
    }),
  } as unknown as IdentityClient;
  return new ProjectVerifier(client);
}

test('a project Keystone does not know is a 400; 403 or no Keystone is not', async () => {
  const seen: string[] = [];
  const v = verifier((id) => {
    if (id === 'gone') throw new ServiceClientError(404, 'identity', '{}');
    if (id === 'hidden') throw new ServiceClientError(403, 'identity', '{}');
    if (id === 'down') throw new ServiceUnavailable('cannot reach identity');
    return { id };
  }, seen);
  const ctx = new RequestContext({ requestId: 'req-1', token: 'tok' });
  await v.verify(ctx, 'p2');
  await v.verify(ctx, 'hidden');
  await v.verify(ctx, 'down');
  await assert.rejects(v.verify(ctx, 'gone'), (err: Error) => err.message === 'Project ID gone is not a valid project.' && (err as any).status === 400);
  assert.deepEqual(seen, ['tok:p2', 'tok:hidden', 'tok:down', 'tok:gone']);
});
