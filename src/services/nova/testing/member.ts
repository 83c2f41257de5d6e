/**
 * For tests of admin-only resources: a project with a user holding the member role, and a
 * Compute API request made as that user (a non-admin, to check the policies say 403).
 */
import { request } from 'undici';
import type { Answer, BootCloud } from './boot-cloud.js';

export class Member {
  private constructor(private readonly b: BootCloud, readonly projectId: string, private readonly token: string) {}

  /** Creates project `name` and its user `name` (password `secret`) with the member role, and logs in. */
  static async create(b: BootCloud, name = 'demo'): Promise<Member> {
    const project = await b.call('POST', '/identity/v3/projects', { project: { name, domain_id: 'default' } });
    if (project.status !== 201) throw new Error(`project create: ${project.status} ${JSON.stringify(project.body)}`);
    const user = await b.call('POST', '/identity/v3/users', { user: { name, password: 'secret', domain_id: 'default' } });
    if (user.status !== 201) throw new Error(`user create: ${user.status} ${JSON.stringify(user.body)}`);
    const role = (await b.call('GET', '/identity/v3/roles?name=member')).body.roles[0];
    const grant = await b.call('PUT', `/identity/v3/projects/${project.body.project.id}/users/${user.body.user.id}/roles/${role.id}`);
    if (grant.status !== 204) throw new Error(`role grant: ${grant.status}`);
    const res = await request(`${b.cloud.url}/identity/v3/auth/tokens`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth: {
        identity: { methods: ['password'], password: { user: { name, domain: { id: 'default' }, password: 'secret' } } },
        scope: { project: { id: project.body.project.id } },
      } }),
    });
    await res.body.dump();
    if (res.statusCode !== 201) throw new Error(`member login: ${res.statusCode}`);
    return new Member(b, project.body.project.id, String(res.headers['x-subject-token']));
  }

  /** A Compute API request as the member, at a microversion. */
  compute(method: string, path: string, body?: unknown, version = '2.1'): Promise<Answer> {
    return this.b.call(method, `/compute/v2.1${path}`, body, { 'x-auth-token': this.token, 'openstack-api-version': `compute ${version}` });
  }
}

/** Bring a server just created to ACTIVE (or ERROR): the test plays Neutron's agent and reports its ports up. */
export async function untilBuilt(b: BootCloud, id: string): Promise<any> {
  const deadline = Date.now() + 10_000;
  while ((await b.ports(id)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await b.plugVifs(id);
  return b.waitFor(id, ['ACTIVE', 'ERROR']);
}
