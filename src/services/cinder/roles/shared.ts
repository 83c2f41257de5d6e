/** What Cinder's roles build the same way: the repositories over the project's database. */
import type { Kysely } from 'kysely';
import type { RoleContext } from '../../../common/service/project.js';
import { CinderRepos } from '../db/repos.js';
import type { CinderDB } from '../db/schema.js';

export async function repositories(ctx: RoleContext): Promise<CinderRepos> {
  return new CinderRepos((await ctx.database()).db as Kysely<CinderDB>);
}
