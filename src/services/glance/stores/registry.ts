/**
 * The configured stores ([glance_store] enabled_backends = id:type,...), looked up by id, plus
 * the reserved staging store used by interoperable import. Drivers are chosen by type: `file`
 * here, `swift` from the factory the service gives (it needs the service's REST session).
 */
import { join } from 'node:path';
import { OperatorError } from '../../../common/errors.js';
import { FileStore } from './file-store.js';
import { DataNotFound, type ImageStore } from './store.js';

export const STAGING_STORE_ID = 'os_glance_staging_store';

export interface BackendSpec {
  id: string;
  type: string;
}

export interface StoreRegistryOptions {
  backends: readonly BackendSpec[];
  defaultBackend: string;
  dataDir: string;
  /** Directory of the default file backend (default `<dataDir>/images`). */
  defaultFileDir?: string;
  /** Per-backend directories (`id` -> path) overriding `<dataDir>/images-<id>`. */
  fileDirs?: Readonly<Record<string, string>>;
  /** Staging directory (default `<dataDir>/image-staging`). */
  stagingDir?: string;
  descriptions?: Readonly<Record<string, string>>;
  /** Makes a `swift` store (absent: the swift driver is not available). */
  swift?: (spec: BackendSpec, description: string) => ImageStore;
}

/** Parses `fast:file,cheap:file` (glance's DictOpt) into backend specs. */
export function parseBackends(items: readonly string[]): BackendSpec[] {
  return items.map((item) => {
    const [id, type, ...rest] = item.split(':').map((s) => s.trim());
    if (!id || !type || rest.length > 0) throw new OperatorError(`[glance_store] enabled_backends: "${item}" is not id:type`);
    if (id.startsWith('os_glance_')) throw new OperatorError(`[glance_store] enabled_backends: "${id}" uses the reserved os_glance_ prefix`);
    return { id, type };
  });
}

/**
 * glance_store's single-store options (`stores = file, swift`, `default_store = swift`) as
 * backends, each with its type as id. `http` (a read-only store for the locations API, which
 * Nubo does not have) is left out; `warn` says so.
 */
export function singleStoreBackends(types: readonly string[], warn: (msg: string) => void): BackendSpec[] {
  const out: BackendSpec[] = [];
  for (const raw of types) {
    const type = raw.trim().toLowerCase();
    if (type === 'http') {
      warn('[glance_store] stores: the read-only http store is not available (no locations API); left out');
      continue;
    }
    if (!out.some((b) => b.type === type)) out.push({ id: type, type });
  }
  return out;
}

const DRIVERS: Record<string, (spec: BackendSpec, dir: string, description: string) => ImageStore> = {
  file: (spec, dir, description) => new FileStore({ id: spec.id, dir, description, multiStore: true }),
};

/**
 * The file store that owns filesystem_store_datadir (`<data_dir>/images`): the default backend,
 * or when that is no file store (swift), the one with id `file`, so images stored before the
 * default moved to Swift stay readable.
 */
function mainFileStore(opts: StoreRegistryOptions): string {
  const def = opts.backends.find((b) => b.id === opts.defaultBackend);
  return def?.type === 'file' ? def.id : 'file';
}

export class StoreRegistry {
  private readonly stores = new Map<string, ImageStore>();
  readonly defaultId: string;
  readonly staging: FileStore;

  constructor(opts: StoreRegistryOptions) {
    if (opts.backends.length === 0) throw new OperatorError('[glance_store] enabled_backends is empty');
    const drivers: Record<string, (spec: BackendSpec, dir: string, description: string) => ImageStore> = { ...DRIVERS };
    const swift = opts.swift;
    if (swift) drivers['swift'] = (spec, _dir, description) => swift(spec, description);
    for (const spec of opts.backends) {
      const driver = drivers[spec.type];
      if (!driver) throw new OperatorError(`[glance_store] enabled_backends: store type "${spec.type}" of "${spec.id}" is not available (available: ${Object.keys(drivers).join(', ')})`);
      if (this.stores.has(spec.id)) throw new OperatorError(`[glance_store] enabled_backends: "${spec.id}" is listed twice`);
      const dir = opts.fileDirs?.[spec.id]
        ?? (spec.id === mainFileStore(opts) ? opts.defaultFileDir ?? join(opts.dataDir, 'images') : join(opts.dataDir, `images-${spec.id}`));
      this.stores.set(spec.id, driver(spec, dir, opts.descriptions?.[spec.id] ?? ''));
    }
    if (!this.stores.has(opts.defaultBackend)) {
      throw new OperatorError(`[glance_store] default_backend "${opts.defaultBackend}" is not in enabled_backends (${[...this.stores.keys()].join(', ')})`);
    }
    this.defaultId = opts.defaultBackend;
    this.staging = new FileStore({ id: STAGING_STORE_ID, dir: opts.stagingDir ?? join(opts.dataDir, 'image-staging') });
  }

  /** Create directories, clean up leftovers of interrupted writes. */
  async init(): Promise<void> {
    for (const store of this.stores.values()) if (store instanceof FileStore) await store.init();
    await this.staging.init();
  }

  /** The enabled stores in configuration order. */
  list(): ImageStore[] {
    return [...this.stores.values()];
  }

  has(id: string): boolean {
    return this.stores.has(id);
  }

  get(id: string): ImageStore | undefined {
    return this.stores.get(id);
  }

  /** The store holding a location (by its metadata's store id, else by the location itself). */
  forLocation(url: string, metadata: Record<string, unknown>): ImageStore {
    const byId = typeof metadata['store'] === 'string' ? this.stores.get(metadata['store']) : undefined;
    if (byId) return byId;
    for (const store of this.stores.values()) if (store.owns(url)) return store;
    throw new DataNotFound(`no enabled store holds ${url}`);
  }
}
