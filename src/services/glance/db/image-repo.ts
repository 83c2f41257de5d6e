/**
 * Images in the database: rows with their properties, tags and locations, the visibility-aware
 * list query with keyset pagination (glance/db/sqlalchemy/api.py _image_get_all and
 * _paginate_query), status compare-and-swap, the atomic import lock property and the usage
 * counts quotas are computed from.
 */
import { randomUUID } from 'node:crypto';
import { type Expression, type ExpressionBuilder, type Kysely, type SqlBool, sql } from 'kysely';
import { compareAndSwap, insertIgnore, toBool, transaction, type Database } from '../../../common/db/index.js';
import { nowStored } from '../domain/time.js';
import { Conflict, NotFound } from '../../../common/errors.js';
import { setOwnValue } from '../../../common/own.js';
import type { Image, ImageLocation, ImageStatus, Visibility } from '../domain/image.js';
import type { Condition, ImageListQuery, SortKey } from '../domain/list-query.js';
import type { GlanceDB, ImagesTable } from './schema.js';
import { DuplicateImage, StatusConflict } from '../errors.js';

/** Who is looking: their project and whether they are an admin (glance's context.owner/is_admin). */
export interface Viewer {
  projectId: string | null;
  isAdmin: boolean;
}

type Eb = ExpressionBuilder<GlanceDB, 'images'>;

const NUMERIC_SORT: ReadonlySet<string> = new Set(['size', 'virtual_size', 'min_disk', 'min_ram']);

function rowToImage(row: ImagesTable, props: Record<string, string | null>, tags: string[], locations: ImageLocation[]): Image {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ImageStatus,
    visibility: row.visibility as Visibility,
    protected: toBool(row.protected),
    os_hidden: toBool(row.os_hidden),
    min_disk: Number(row.min_disk),
    min_ram: Number(row.min_ram),
    owner: row.owner,
    disk_format: row.disk_format,
    container_format: row.container_format,
    size: row.size === null ? null : Number(row.size),
    virtual_size: row.virtual_size === null ? null : Number(row.virtual_size),
    checksum: row.checksum,
    os_hash_algo: row.os_hash_algo,
    os_hash_value: row.os_hash_value,
    created_at: row.created_at,
    updated_at: row.updated_at,
    properties: props,
    tags,
    locations,
  };
}

function imageToRow(image: Image): Omit<ImagesTable, 'deleted' | 'deleted_at'> {
  return {
    id: image.id,
    name: image.name,
    disk_format: image.disk_format,
    container_format: image.container_format,
    size: image.size,
    virtual_size: image.virtual_size,
    status: image.status,
    visibility: image.visibility,
    checksum: image.checksum,
    os_hash_algo: image.os_hash_algo,
    os_hash_value: image.os_hash_value,
    min_disk: image.min_disk,
    min_ram: image.min_ram,
    protected: image.protected ? 1 : 0,
    os_hidden: image.os_hidden ? 1 : 0,
    owner: image.owner,
    created_at: image.created_at,
    updated_at: image.updated_at,
  };
}

/** The value NULLs sort as (glance's _get_default_column_value): '' for text, 0 for numbers. */
function sortExpr(key: SortKey): Expression<unknown> {
  return NUMERIC_SORT.has(key) ? sql`coalesce(${sql.ref(`images.${key}`)}, 0)` : sql`coalesce(${sql.ref(`images.${key}`)}, '')`;
}

export class ImageRepo {
  constructor(private readonly database: Database<GlanceDB>, private readonly atomicProperties: readonly string[] = ['os_glance_import_task']) {}

  private get db(): Kysely<GlanceDB> {
    return this.database.db;
  }

  /**
   * Insert a new image.
   * @throws DuplicateImage when the id exists (deleted images keep their id)
   */
  async add(image: Image): Promise<void> {
    await transaction(this.database, async (trx) => {
      const inserted = await insertIgnore(trx, 'images', { ...imageToRow(image), deleted: 0, deleted_at: null });
      if (!inserted) throw new DuplicateImage(image.id);
      await this.writeChildren(trx, image, true);
    });
  }

  /**
   * Save an image's current state.
   * @param fromStatus only save when the stored status is still this one (upstream's from_state)
   * @throws StatusConflict when fromStatus no longer holds; NotFound when the image is gone
   */
  async save(image: Image, fromStatus?: ImageStatus): Promise<void> {
    image.updated_at = nowStored();
    await transaction(this.database, async (trx) => {
      const { id, created_at: _c, ...values } = imageToRow(image);
      const ok = await compareAndSwap(trx, 'images', {
        where: { id },
        expect: fromStatus ? { deleted: 0, status: fromStatus } : { deleted: 0 },
        set: values,
      });
      if (!ok) {
        const current = await trx.selectFrom('images').select(['status', 'deleted']).where('id', '=', id).executeTakeFirst();
        if (!current || toBool(current.deleted)) throw new NotFound(`No image found with ID ${id}`);
        throw new StatusConflict(`cannot transition from ${current.status} to ${image.status} in update (wanted from_state=${fromStatus})`);
      }
      await this.writeChildren(trx, image, false);
    });
  }

  private async writeChildren(trx: Kysely<GlanceDB>, image: Image, fresh: boolean): Promise<void> {
    const atomic = this.atomicProperties;
    if (!fresh) {
      let del = trx.deleteFrom('image_properties').where('image_id', '=', image.id);
      if (atomic.length > 0) del = del.where('name', 'not in', [...atomic]);
      await del.execute();
      await trx.deleteFrom('image_tags').where('image_id', '=', image.id).execute();
      await trx.deleteFrom('image_locations').where('image_id', '=', image.id).execute();
    }
    const props = Object.entries(image.properties).filter(([name]) => !atomic.includes(name));
    if (props.length > 0) {
      await trx.insertInto('image_properties').values(props.map(([name, value]) => ({ image_id: image.id, name, value }))).execute();
    }
    if (image.tags.length > 0) {
      await trx.insertInto('image_tags').values([...new Set(image.tags)].map((value) => ({ image_id: image.id, value }))).execute();
    }
    if (image.locations.length > 0) {
      const now = nowStored();
      await trx.insertInto('image_locations').values(image.locations.map((loc, position) => ({
        id: loc.id, image_id: image.id, position, url: loc.url, metadata: JSON.stringify(loc.metadata), status: loc.status, created_at: now,
      }))).execute();
    }
  }

  /** An image that is not deleted, or undefined. Visibility is the caller's concern. */
  async get(id: string): Promise<Image | undefined> {
    if (id.length > 36) return undefined;
    const row = await this.db.selectFrom('images').selectAll().where('id', '=', id).where('deleted', '=', 0).executeTakeFirst();
    if (!row) return undefined;
    return (await this.hydrate([row]))[0];
  }

  private async hydrate(rows: ImagesTable[]): Promise<Image[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [props, tags, locs] = await Promise.all([
      this.db.selectFrom('image_properties').selectAll().where('image_id', 'in', ids).execute(),
      this.db.selectFrom('image_tags').selectAll().where('image_id', 'in', ids).execute(),
      this.db.selectFrom('image_locations').selectAll().where('image_id', 'in', ids).where('status', '=', 'active').orderBy('position').execute(),
    ]);
    return rows.map((row) => {
      const p: Record<string, string | null> = {};
      for (const prop of props) if (prop.image_id === row.id) setOwnValue(p, prop.name, prop.value);
      const t = tags.filter((x) => x.image_id === row.id).map((x) => x.value);
      const l = locs.filter((x) => x.image_id === row.id).map((x) => ({
        id: x.id, url: x.url, metadata: JSON.parse(x.metadata) as Record<string, unknown>, status: x.status as ImageLocation['status'],
      }));
      return rowToImage(row, p, t, l);
    });
  }

  /** Soft-delete the image with its children (glance's image_destroy). */
  async destroy(id: string, status: ImageStatus = 'deleted'): Promise<void> {
    const now = nowStored();
    await transaction(this.database, async (trx) => {
      await trx.updateTable('images').set({ status, deleted: 1, deleted_at: now, updated_at: now }).where('id', '=', id).execute();
      await trx.deleteFrom('image_properties').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_tags').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_locations').where('image_id', '=', id).execute();
      await trx.deleteFrom('image_members').where('image_id', '=', id).execute();
    });
  }

  /**
   * Create a property only if it does not exist (the import lock).
   * @throws Conflict when it exists
   */
  async setPropertyAtomic(imageId: string, name: string, value: string): Promise<void> {
    const inserted = await insertIgnore(this.db, 'image_properties', { image_id: imageId, name, value });
    if (!inserted) throw new Conflict(`New operation on image '${imageId}' is not permitted as prior operation is still in progress`);
  }

  /**
   * Delete a property only if it still has the given value.
   * @throws NotFound when it does not
   */
  async deletePropertyAtomic(imageId: string, name: string, value: string): Promise<void> {
    const r = await this.db.deleteFrom('image_properties').where('image_id', '=', imageId).where('name', '=', name).where('value', '=', value).executeTakeFirst();
    if (Number(r.numDeletedRows) !== 1) throw new NotFound();
  }

  /** A new location id. */
  static newLocationId(): string {
    return randomUUID();
  }

  /** The list query for a viewer (see ImageListQuery). Returns one page. */
  async list(viewer: Viewer, q: ImageListQuery, marker: Image | undefined): Promise<Image[]> {
    let query = this.db.selectFrom('images').selectAll('images')
      .where('images.deleted', '=', 0)
      .where('images.status', '!=', 'killed')
      .where('images.os_hidden', '=', q.osHidden ? 1 : 0);
    for (const c of q.conditions) query = query.where((eb) => condition(eb as Eb, c));
    for (const [name, value] of Object.entries(q.properties)) {
      query = query.where((eb) => eb.exists(eb.selectFrom('image_properties as p').select('p.name')
        .whereRef('p.image_id', '=', 'images.id').where('p.name', '=', name).where('p.value', '=', value)));
    }
    for (const tag of q.tags) {
      query = query.where((eb) => eb.exists(eb.selectFrom('image_tags as t').select('t.value')
        .whereRef('t.image_id', '=', 'images.id').where('t.value', '=', tag)));
    }
    query = query.where((eb) => visibilityScope(eb as Eb, viewer, q));

    const keys: SortKey[] = [...q.sortKeys];
    const dirs = [...q.sortDirs];
    const defaultDir = q.sortDirs.length === 1 ? q.sortDirs[0]! : 'desc';
    if (dirs.length === 1 && keys.length > 1) while (dirs.length < keys.length) dirs.push(defaultDir);
    for (const key of ['created_at', 'id'] as const) {
      if (!keys.includes(key)) {
        keys.push(key);
        dirs.push(defaultDir);
      }
    }
    for (let i = 0; i < keys.length; i++) query = query.orderBy(sortExpr(keys[i]!), dirs[i]!);
    if (marker) {
      const values = keys.map((k) => {
        const v = (marker as unknown as Record<string, unknown>)[k];
        return v ?? (NUMERIC_SORT.has(k) ? 0 : '');
      });
      query = query.where((eb) => eb.or(keys.map((key, i) => {
        const parts: Expression<SqlBool>[] = [];
        for (let j = 0; j < i; j++) parts.push(eb(sortExpr(keys[j]!) as never, '=', values[j] as never));
        parts.push(eb(sortExpr(key) as never, dirs[i] === 'desc' ? '<' : '>', values[i] as never));
        return eb.and(parts);
      })));
    }
    const rows = await query.limit(q.limit).execute();
    return this.hydrate(rows);
  }

  /** Bytes stored by a project's live images, counting each location (glance's storage usage). */
  async storageUsage(owner: string, excludeImageId?: string): Promise<number> {
    let q = this.db.selectFrom('images')
      .innerJoin('image_locations', 'image_locations.image_id', 'images.id')
      .select(sql<number>`coalesce(sum(images.size), 0)`.as('total'))
      .where('images.owner', '=', owner).where('images.deleted', '=', 0).where('images.size', '>', 0)
      .where('images.status', 'not in', ['killed', 'deleted', 'pending_delete'])
      .where('image_locations.status', '!=', 'deleted');
    if (excludeImageId) q = q.where('images.id', '!=', excludeImageId);
    return Number((await q.executeTakeFirst())?.total ?? 0);
  }

  /** Bytes a project holds in staging: uploading/importing images and copies in progress. */
  async stagingUsage(owner: string): Promise<number> {
    const r = await this.db.selectFrom('images').select(sql<number>`coalesce(sum(images.size), 0)`.as('total'))
      .where('images.owner', '=', owner).where('images.deleted', '=', 0).where('images.size', '>', 0)
      .where((eb) => eb.or([
        eb('images.status', 'in', ['uploading', 'importing']),
        eb.and([eb('images.status', 'not in', ['uploading', 'importing', 'killed', 'deleted', 'pending_delete']), copying(eb as Eb)]),
      ]))
      .executeTakeFirst();
    return Number(r?.total ?? 0);
  }

  /** Live images of a project. */
  async countImages(owner: string): Promise<number> {
    const r = await this.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('owner', '=', owner).where('deleted', '=', 0).where('status', 'not in', ['killed', 'pending_delete', 'deleted'])
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Images of a project being uploaded, imported or copied. */
  async countUploading(owner: string): Promise<number> {
    const r = await this.db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('images.owner', '=', owner).where('images.deleted', '=', 0)
      .where((eb) => eb.or([
        eb('images.status', 'in', ['saving', 'uploading', 'importing']),
        eb.and([eb('images.status', 'not in', ['saving', 'uploading', 'importing', 'killed', 'deleted', 'pending_delete']), copying(eb as Eb)]),
      ]))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}

/** A copy-image import is running: os_glance_importing_to_stores is not empty. */
function copying(eb: Eb): Expression<SqlBool> {
  return eb.exists(eb.selectFrom('image_properties as ip').select('ip.name')
    .whereRef('ip.image_id', '=', 'images.id').where('ip.name', '=', 'os_glance_importing_to_stores').where('ip.value', '!=', ''));
}

function condition(eb: Eb, c: Condition): Expression<SqlBool> {
  switch (c.kind) {
    case 'never':
      return sql<SqlBool>`1 = 0`;
    case 'all':
      return eb.and(c.conditions.map((x) => condition(eb, x)));
    case 'any':
      return c.conditions.length === 0 ? sql<SqlBool>`1 = 1` : eb.or(c.conditions.map((x) => condition(eb, x)));
    case 'in':
      return c.values.length === 0 ? sql<SqlBool>`1 = 0` : eb(`images.${c.column}` as never, 'in', c.values as never);
    case 'compare': {
      const op = { eq: '=', neq: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' }[c.op] as '=';
      return eb(`images.${c.column}` as never, op, c.value as never);
    }
  }
}

/**
 * Which images a viewer sees (glance's _select_images_query plus the visibility filter):
 * admins see everything; others see public and community images, their own, and shared
 * images they are a member of with the wanted member status. Without a visibility filter,
 * community images appear only to their owner.
 */
function visibilityScope(eb: Eb, viewer: Viewer, q: ImageListQuery): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = [];
  if (!viewer.isAdmin) {
    const any: Expression<SqlBool>[] = [eb('images.visibility', 'in', ['public', 'community'])];
    if (viewer.projectId !== null) {
      any.push(eb('images.owner', '=', viewer.projectId));
      let member = eb.selectFrom('image_members as m').select('m.id')
        .whereRef('m.image_id', '=', 'images.id').where('m.member', '=', viewer.projectId);
      if (q.memberStatus !== 'all') member = member.where('m.status', '=', q.memberStatus);
      any.push(eb.and([eb('images.visibility', '=', 'shared'), eb.exists(member)]));
    }
    parts.push(eb.or(any));
  }
  if (q.visibility !== undefined) {
    if (q.visibility !== 'all') parts.push(eb('images.visibility', '=', q.visibility));
  } else if (viewer.projectId === null) {
    parts.push(eb('images.visibility', '!=', 'community'));
  } else {
    parts.push(eb.or([eb('images.owner', '=', viewer.projectId), eb('images.visibility', '!=', 'community')]));
  }
  return parts.length === 0 ? sql<SqlBool>`1 = 1` : eb.and(parts);
}
