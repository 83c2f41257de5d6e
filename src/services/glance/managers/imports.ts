/**
 * Interoperable image import (POST /v2/images/{id}/import, glance/api/v2/images.py
 * import_image and glance/async_/flows/api_image_import.py): glance-direct (from the staging
 * area), web-download (fetched from a URL) and copy-image (an active image copied to more
 * stores). Each import is an api_image_import task that holds the image's
 * os_glance_import_task lock and reports progress in os_glance_importing_to_stores and
 * os_glance_failed_import; it runs in the background of this process.
 */
import type { Readable } from 'node:stream';
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, Conflict, NotFound } from '../../../common/errors.js';
import type { Task } from '../db/task-repo.js';
import type { Image } from '../domain/image.js';
import { transition } from '../domain/status.js';
import { storeContext, type GlanceDeps } from './deps.js';
import type { StoreContext } from '../stores/store.js';
import type { DataManager } from './data.js';
import type { ImageManager } from './images.js';
import { setImageData } from './set-data.js';
import { updateStoreAcls } from './store-acls.js';
import { fetchImportUri, isImportUriAllowed } from './web-download.js';

const LOCK = 'os_glance_import_task';
const IMPORTING = 'os_glance_importing_to_stores';
const FAILED = 'os_glance_failed_import';
const STAGE_HOST = 'os_glance_stage_host';
const MiB = 1024 * 1024;
const LOCK_EXPIRY_MS = 60 * 60 * 1000;

export interface ImportRequest {
  method: { name: string; uri?: string; [k: string]: unknown };
  stores?: string[];
  all_stores?: boolean;
  all_stores_must_succeed?: boolean;
}

/** The import lost its lock or the image went away: stop without touching the image further. */
class TaskAborted extends Error {}

/** Merge a comma-separated store list property (glance's merge_store_list). */
function mergeStores(image: Image, key: string, stores: readonly string[], subtract: boolean): void {
  const existing = new Set((image.properties[key] ?? '').split(',').filter((s) => s !== ''));
  for (const s of stores) {
    if (!s) continue;
    if (subtract) existing.delete(s);
    else existing.add(s);
  }
  image.properties[key] = [...existing].sort().join(',');
}

export class ImportManager {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly d: GlanceDeps, private readonly images: ImageManager, private readonly data: DataManager) {}

  /** Validate an import request body (glance's _validate_import_body). */
  parseBody(body: unknown): ImportRequest {
    if (body === undefined || body === null) throw new BadRequest('Body expected in request.');
    if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequest("Import request requires a 'method' field.");
    const b = body as Record<string, unknown>;
    const method = b['method'];
    if (method === undefined) throw new BadRequest("Import request requires a 'method' field.");
    if (typeof method !== 'object' || method === null || !('name' in method)) throw new BadRequest("Import request requires a 'name' field.");
    const name = (method as Record<string, unknown>)['name'];
    if (typeof name !== 'string' || !this.d.settings.importMethods.includes(name)) throw new BadRequest(`Unknown import method name '${String(name)}'.`);
    if ('all_stores_must_succeed' in b && typeof b['all_stores_must_succeed'] !== 'boolean') throw new BadRequest("'all_stores_must_succeed' must be boolean value only");
    if ('all_stores' in b && typeof b['all_stores'] !== 'boolean') throw new BadRequest("'all_stores' must be boolean value only");
    if ('stores' in b && (!Array.isArray(b['stores']) || b['stores'].some((s) => typeof s !== 'string'))) throw new BadRequest("'stores' must be a list of store identifiers");
    return b as unknown as ImportRequest;
  }

  /** Stores an import targets (glance.common.utils.get_stores_from_request). */
  private targetStores(req: ImportRequest, header: string | undefined): string[] {
    let stores: string[];
    if (req.all_stores) {
      if (req.stores !== undefined || header !== undefined) throw new BadRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
      stores = this.d.stores.list().filter((s) => s.capabilities.writable).map((s) => s.id);
    } else if (req.stores !== undefined) {
      if (header !== undefined) throw new BadRequest("Stores parameter and x-image-meta-store header can't be both specified");
      stores = [...req.stores];
    } else {
      stores = [header ?? this.d.stores.defaultId];
    }
    for (const s of stores) if (!this.d.stores.has(s)) throw new Conflict(`Unknown scheme '${s}' found in URI`);
    return stores;
  }

  /**
   * Start an import; resolves once the task is recorded (the API answers 202).
   */
  async start(ctx: RequestContext, id: string, req: ImportRequest, storeHeader: string | undefined): Promise<void> {
    const method = req.method.name;
    await this.d.quota.enforce(ctx.projectId, { image_size_total: 0 });
    const image = await this.images.load(ctx, id);
    if (image.status === 'active' && method !== 'copy-image') throw new Conflict('Image with status active cannot be target for import');
    if (image.status !== 'active' && method === 'copy-image') throw new Conflict('Only images with status active can be targeted for copying');
    if (image.status !== 'queued' && method === 'web-download') throw new Conflict(`Image needs to be in 'queued' state to use '${method}' method`);
    if (image.status !== 'uploading' && method === 'glance-direct') throw new Conflict("Image needs to be staged before 'glance-direct' method can be used");
    if (!image.container_format) throw new Conflict("'container_format' needs to be set before import");
    if (!image.disk_format) throw new Conflict("'disk_format' needs to be set before import");
    this.d.policy.enforceImage(ctx, method === 'copy-image' ? 'copy_image' : 'modify_image', image);
    if (image.properties[LOCK]) await this.enforceLock(image);

    let stores = this.targetStores(req, storeHeader);
    const present = new Set(image.locations.map((l) => String(l.metadata['store'])));
    if (method === 'copy-image') {
      if (req.all_stores) {
        stores = stores.filter((s) => !present.has(s));
        if (stores.length === 0) {
          // Already everywhere: nothing to run. Record empty progress so that clients polling
          // os_glance_importing_to_stores see the copy as finished.
          if (image.properties[IMPORTING] === undefined || image.properties[FAILED] === undefined) {
            image.properties[IMPORTING] ??= '';
            image.properties[FAILED] ??= '';
            await this.d.images.save(image);
          }
          return;
        }
      } else {
        for (const s of stores) if (present.has(s)) throw new BadRequest(`Image is already present at store '${s}'`);
      }
    }
    if (method === 'web-download' && !isImportUriAllowed(req.method.uri, this.d.settings.importFilter)) {
      throw new BadRequest(`URI for web-download does not pass filtering: ${req.method.uri ?? ''}`);
    }

    const task = await this.d.tasks.create({
      type: 'api_image_import', owner: ctx.projectId ?? null, imageId: id, userId: ctx.userId ?? null,
      requestId: ctx.requestId, input: { image_id: id, import_req: req, backend: stores },
    });
    try {
      await this.d.images.setPropertyAtomic(id, LOCK, task.id);
    } catch (err) {
      await this.d.tasks.transition(task, 'failure', { message: (err as Error).message }).catch(() => undefined);
      throw err;
    }
    this.d.notifier.task('task.create', task);
    const run = this.run(task, method, stores, req, storeContext(ctx))
      .catch((err) => this.d.log.error({ err, task: task.id }, 'import task crashed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  /** Wait for running imports (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** An existing lock is honoured unless its task is gone or has been idle too long. */
  private async enforceLock(image: Image): Promise<void> {
    const holder = image.properties[LOCK]!;
    const task = await this.d.tasks.get(holder);
    let expired = true;
    if (task) {
      const age = Date.now() - Date.parse(task.updated_at);
      const expiry = task.status === 'pending' ? 2 * LOCK_EXPIRY_MS : LOCK_EXPIRY_MS;
      expired = age >= expiry;
      if (expired && (task.status === 'pending' || task.status === 'processing')) {
        await this.d.tasks.transition(task, 'failure', { message: 'Expired lock preempted' }).catch(() => undefined);
      }
    }
    if (!expired) throw new Conflict('Image has active task');
    try {
      await this.d.images.deletePropertyAtomic(image.id, LOCK, holder);
    } catch {
      throw new Conflict('Image has active task');
    }
    delete image.properties[LOCK];
    this.d.log.warn({ image: image.id, task: holder }, 'removed expired import lock');
  }

  /** The image, if this task still holds its lock. */
  private async locked(taskId: string, imageId: string): Promise<Image> {
    const image = await this.d.images.get(imageId);
    if (!image || image.properties[LOCK] !== taskId) throw new TaskAborted(`Image ${imageId} import task ${taskId} lost its lock`);
    return image;
  }

  private async update(taskId: string, imageId: string, fn: (image: Image) => void): Promise<Image> {
    const image = await this.locked(taskId, imageId);
    const from = image.status;
    fn(image);
    await this.d.images.save(image, from);
    return image;
  }

  private async run(task: Task, method: string, stores: string[], req: ImportRequest, sc: StoreContext): Promise<void> {
    const imageId = task.image_id!;
    const projectId = sc.projectId ?? null;
    const allMust = req.all_stores_must_succeed ?? true;
    const done: string[] = [];
    let current = task;
    let staged: string | undefined;
    try {
      current = await this.d.tasks.transition(current, 'processing');
      this.d.notifier.task('task.processing', current);
      const image = await this.update(task.id, imageId, (img) => {
        if (method !== 'copy-image') transition(img, 'importing');
        mergeStores(img, IMPORTING, stores, false);
        mergeStores(img, FAILED, stores, true);
        delete img.properties[STAGE_HOST];
      });
      const sizeMiB = Math.floor((image.size ?? 0) / MiB);
      if (method === 'glance-direct') await this.d.quota.enforce(projectId, { image_size_total: sizeMiB });
      else await this.d.quota.enforce(projectId, { image_stage_total: sizeMiB, image_count_uploading: 0 });

      if (method === 'web-download') staged = await this.download(image, req.method.uri ?? '');
      else if (method === 'glance-direct') staged = this.data.stagingLocation(imageId);

      for (const [i, storeId] of stores.entries()) {
        const setActive = method !== 'copy-image' && (!allMust || i === stores.length - 1);
        try {
          await this.importToStore(task.id, imageId, storeId, method, staged, setActive, sc);
          done.push(storeId);
        } catch (err) {
          if (allMust || err instanceof TaskAborted) throw err;
          this.d.log.warn({ err, task: task.id, store: storeId }, 'import to store failed; all_stores_must_succeed is false, continuing');
          await this.update(task.id, imageId, (img) => {
            mergeStores(img, FAILED, [storeId], false);
            mergeStores(img, IMPORTING, [storeId], true);
          });
        }
        current = await this.d.tasks.setMessage(current, `Copied ${Math.floor((image.size ?? 0) / MiB)} MiB`).catch(() => current);
      }
      if (staged) await this.d.stores.staging.delete(staged).catch(() => undefined);
      staged = undefined;
      const final = await this.locked(task.id, imageId);
      if (final.status !== 'active') throw new Error('None of the uploads finished!');
      current = await this.d.tasks.transition(current, 'success', { result: { image_id: imageId } });
      this.d.notifier.task('task.success', current);
      await this.d.images.deletePropertyAtomic(imageId, LOCK, task.id).catch(() => undefined);
    } catch (err) {
      this.d.log.warn({ err, task: task.id, image: imageId }, 'image import failed');
      if (staged) await this.d.stores.staging.delete(staged).catch(() => undefined);
      if (!(err instanceof TaskAborted)) await this.revert(task.id, imageId, method, stores, done, sc);
      const message = err instanceof Error && err.message ? err.message : 'Task failed due to Internal Error';
      current = await this.d.tasks.transition(current, 'failure', { message }).catch(() => current);
      this.d.notifier.task('task.failure', current);
      await this.d.images.deletePropertyAtomic(imageId, LOCK, task.id).catch(() => undefined);
    }
  }

  /** Put the image back as it was before the import (the flow's revert steps). */
  private async revert(taskId: string, imageId: string, method: string, stores: string[], done: string[], sc: StoreContext): Promise<void> {
    try {
      const image = await this.locked(taskId, imageId);
      if (method !== 'copy-image') {
        // remove what this import stored, then back to queued (retry possible)
        for (const loc of image.locations) {
          if (done.includes(String(loc.metadata['store']))) {
            await this.d.stores.forLocation(loc.url, loc.metadata).delete(loc.url, sc).catch(() => undefined);
          }
        }
        image.locations = image.locations.filter((l) => !done.includes(String(l.metadata['store'])));
        if (image.locations.length === 0) {
          image.checksum = null;
          image.os_hash_algo = null;
          image.os_hash_value = null;
        }
        if (image.status !== 'queued') transition(image, 'queued');
      }
      mergeStores(image, IMPORTING, stores, true);
      mergeStores(image, FAILED, stores.filter((s) => !done.includes(s) || method !== 'copy-image'), false);
      await this.d.images.save(image);
    } catch (err) {
      this.d.log.warn({ err, image: imageId }, 'could not revert image after failed import');
    }
  }

  /** web-download: fetch the URL into the staging area. */
  private async download(image: Image, uri: string): Promise<string> {
    const fetched = await fetchImportUri(uri, this.d.settings.importFilter);
    const stored = await this.d.stores.staging.add(image.id, fetched.stream, {
      hashAlgo: this.d.settings.hashingAlgorithm,
      maxSize: this.d.settings.imageSizeCap,
      ...(fetched.size !== undefined && fetched.size > 0 ? { expectedSize: fetched.size } : {}),
    });
    return stored.location;
  }

  /** Open the import source: the staged file, or the image's data for copy-image. */
  private async source(image: Image, staged: string | undefined, sc: StoreContext): Promise<Readable> {
    if (staged) return this.d.stores.staging.get(staged);
    for (const loc of image.locations) {
      try {
        return await this.d.stores.forLocation(loc.url, loc.metadata).get(loc.url, undefined, sc);
      } catch (err) {
        this.d.log.warn({ err, image: image.id }, 'copy-image source location unreadable');
      }
    }
    throw new NotFound(`Image ${image.id} has no readable data to copy`);
  }

  private async importToStore(taskId: string, imageId: string, storeId: string, method: string, staged: string | undefined, setActive: boolean, sc: StoreContext): Promise<void> {
    const store = this.d.stores.get(storeId);
    if (!store) throw new Conflict(`Unknown scheme '${storeId}' found in URI`);
    const image = await this.locked(taskId, imageId);
    if (image.status === 'deleted') throw new TaskAborted('Image has been deleted, aborting import.');
    const expect = { size: image.size, checksum: image.checksum, hash: image.os_hash_value };
    const data = await this.source(image, staged, sc);
    const stored = await setImageData(image, data, store, this.d.settings, {
      ...(image.size !== null ? { expectedSize: image.size } : {}),
      maxSize: this.d.settings.imageSizeCap,
      warn: (msg) => this.d.log.warn({ image: imageId }, msg),
      context: sc,
    });
    const mismatch = method === 'copy-image' && ((expect.checksum && expect.checksum !== stored.checksum) || (expect.hash && expect.hash !== stored.hashValue));
    try {
      if (mismatch) throw new Error('checksum of uploaded data is different from current value set on the image.');
      const fresh = await this.locked(taskId, imageId);
      const from = fresh.status;
      fresh.locations = image.locations;
      fresh.checksum = image.checksum;
      fresh.os_hash_algo = image.os_hash_algo;
      fresh.os_hash_value = image.os_hash_value;
      fresh.size = image.size;
      if (image.virtual_size) fresh.virtual_size = image.virtual_size;
      mergeStores(fresh, IMPORTING, [storeId], true);
      const activating = setActive && fresh.status !== 'active';
      if (activating) transition(fresh, 'active');
      this.d.notifier.imagePrepare(fresh, storeId);
      await this.d.images.save(fresh, from);
      await updateStoreAcls(this.d, fresh, sc);
      this.d.notifier.imageUploaded(fresh);
      if (activating) this.d.notifier.imageActivated(fresh);
    } catch (err) {
      await store.delete(stored.location, sc).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Start a legacy `import` task (POST /v2/tasks): create an image from `image_properties`
   * and fill it from `import_from` into the default store.
   */
  startLegacy(ctx: RequestContext, task: Task): void {
    const run = this.runLegacy(ctx, task).catch((err) => this.d.log.error({ err, task: task.id }, 'import task crashed'));
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
  }

  private async runLegacy(ctx: RequestContext, task: Task): Promise<void> {
    let current = task;
    try {
      current = await this.d.tasks.transition(current, 'processing');
      this.d.notifier.task('task.processing', current);
      const input = current.input ?? {};
      for (const key of ['import_from', 'import_from_format', 'image_properties']) {
        if (!(key in input)) throw new Error(`Input does not contain '${key}' field`);
      }
      const image = await this.images.create(ctx, input['image_properties']);
      const fetched = await fetchImportUri(String(input['import_from']), this.d.settings.importFilter);
      const store = this.d.stores.get(this.d.stores.defaultId)!;
      await setImageData(image, fetched.stream, store, this.d.settings, {
        ...(fetched.size !== undefined && fetched.size > 0 ? { expectedSize: fetched.size } : {}),
        maxSize: this.d.settings.imageSizeCap,
        warn: (msg) => this.d.log.warn({ image: image.id }, msg),
        context: storeContext(ctx),
      });
      transition(image, 'active');
      try {
        await this.d.images.save(image, 'queued');
      } catch (err) {
        for (const loc of image.locations) await store.delete(loc.url, storeContext(ctx)).catch(() => undefined);
        throw err;
      }
      this.d.notifier.imageUploaded(image);
      this.d.notifier.imageActivated(image);
      current = await this.d.tasks.transition(current, 'success', { result: { image_id: image.id } });
      this.d.notifier.task('task.success', current);
    } catch (err) {
      const message = err instanceof Error && err.message ? err.message : 'Task failed due to Internal Error';
      current = await this.d.tasks.transition(current, 'failure', { message }).catch(() => current);
      this.d.notifier.task('task.failure', current);
    }
  }

  /** GET /v2/images/{id}/tasks */
  async tasksOf(ctx: RequestContext, id: string): Promise<Task[]> {
    let image: Image;
    try {
      image = await this.images.load(ctx, id);
    } catch {
      throw new NotFound();
    }
    const viewer = this.d.policy.viewer(ctx);
    const tasks = await this.d.tasks.forImage(image.id);
    return tasks.filter((t) => viewer.isAdmin || t.owner === null || t.owner === viewer.projectId);
  }
}

