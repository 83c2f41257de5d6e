/**
 * Vendordata providers (nova/api/metadata/vendordata_json.py, vendordata_dynamic.py):
 * StaticJSON serves the JSON file [api] vendordata_jsonfile_path; DynamicJSON POSTs what it
 * knows of the instance to each [api] vendordata_dynamic_targets entry (`name@url`, with the
 * service user's token) and files each JSON answer under its name. A failing target is
 * logged and left out, unless [api] vendordata_dynamic_failure_fatal.
 */
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import type { Logger } from '../../../common/log/logger.js';
import type { Instance } from '../objects/index.js';

export type JsonObject = Record<string, unknown>;

export interface VendordataOptions {
  providers: readonly string[];
  jsonfilePath: string;
  dynamicTargets: readonly string[];
  connectTimeout: number;
  readTimeout: number;
  failureFatal: boolean;
}

export class VendordataFailed extends Error {}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** JsonFileVendorData: the file read once; unreadable or not JSON: logged, {}. */
export function loadStaticVendordata(path: string, log: Logger): JsonObject {
  if (!path) return {};
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return isObject(data) ? data : {};
  } catch (err) {
    log.warn({ err, path }, 'Bad JSON in vendor data file');
    return {};
  }
}

export class DynamicVendordata {
  constructor(private readonly o: VendordataOptions, private readonly token: () => Promise<string>, private readonly log: Logger) {}

  private async fetch(name: string, url: string, instance: Instance): Promise<JsonObject> {
    const i = instance.data;
    const body = {
      'project-id': i.project_id, 'instance-id': i.uuid, 'image-id': i.image_ref, 'user-data': i.user_data, hostname: i.hostname,
      metadata: i.metadata, 'boot-roles': i.system_metadata.boot_roles ?? '',
    };
    try {
      const res = await request(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json', accept: 'application/json', 'user-agent': 'openstack-nova-vendordata', 'x-auth-token': await this.token(),
        },
        body: JSON.stringify(body),
        headersTimeout: this.o.connectTimeout * 1000,
        bodyTimeout: this.o.readTimeout * 1000,
      });
      const text = await res.body.text();
      if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}`);
      if (!text) return {};
      const data: unknown = JSON.parse(text);
      if (!isObject(data)) throw new Error('the answer is not a JSON object');
      return data;
    } catch (err) {
      this.log.warn({ err, service: name, url, instance: i.uuid }, 'Error from dynamic vendordata service');
      if (this.o.failureFatal) throw new VendordataFailed(`dynamic vendordata ${name}: ${(err as Error).message}`);
      return {};
    }
  }

  /** get(): one entry per well-formed target, the first of each name. */
  async get(instance: Instance): Promise<JsonObject> {
    const out: JsonObject = {};
    for (const target of this.o.dynamicTargets) {
      const at = target.indexOf('@');
      if (at < 0) {
        this.log.warn({ target }, 'Vendordata target lacks a name. Skipping');
        continue;
      }
      const name = target.slice(0, at);
      if (name in out) {
        this.log.warn({ target }, 'Vendordata already contains an entry named this. Skipping');
        continue;
      }
      out[name] = await this.fetch(name, target.slice(at + 1), instance);
    }
    return out;
  }
}
