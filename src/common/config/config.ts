/**
 * The loaded configuration: option groups filled from defaults, INI files, the environment and
 * command-line overrides, in that order of precedence, oslo.config style.
 *
 *   const config = Config.load({ groups: [defaultGroup, databaseGroup], files: ['/etc/nubo/nubo.conf'],
 *                                env: process.env, overrides: { 'DEFAULT.bind': '0.0.0.0:8880' } });
 *   config.get(defaultGroup).bind;   // '0.0.0.0:8880', typed string
 *
 * Environment: `NUBO_<GROUP>__<KEY>` (`NUBO_DEFAULT__TRANSPORT_URL`, `NUBO_DATABASE__CONNECTION`)
 * and an option's own alias (`NUBO_DATA_DIR`); the `NUBO_<GROUP>__<KEY>` form wins over the alias.
 * Every option is resolved and validated in `load`, so a bad value stops startup with a
 * ConfigError naming the option and where the value came from. Unknown sections and keys are
 * collected in `warnings`, as oslo ignores them.
 */
import { ConfigError, OptValueError } from './errors.js';
import { interpolate } from './interpolation.js';
import { readIniFile, type IniDocument } from './iniparser.js';
import type { GroupDef, OptDef, OptMap, Values } from './options.js';
import { renderShow, type ShownEntry, type ShownGroup } from './show.js';
import { describeSource, type ValueSource } from './source.js';

export interface LoadOptions {
  /** The option groups to fill. Several GroupDefs may share a name; their options are merged. */
  groups: readonly GroupDef<any>[];
  /** INI files, read in order (later files win). A missing file is an error. */
  files?: readonly string[];
  /** Environment variables; `process.env` when absent. Pass `{}` to ignore the environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Command-line values: `'group.key'` (or just `'key'` for DEFAULT) to a raw string. */
  overrides?: Readonly<Record<string, string>>;
}

/** One option's effective value and its provenance, as listed by `Config.entries()`. */
export interface ConfigEntry {
  readonly group: string;
  readonly key: string;
  readonly value: unknown;
  /** The value as text, after interpolation. */
  readonly text: string;
  readonly source: ValueSource;
  /** A secret option, or a value that references one. */
  readonly secret: boolean;
}

interface Registered {
  readonly group: string;
  readonly key: string;
  readonly opt: OptDef<unknown>;
}

interface Candidate {
  readonly text: string;
  readonly source: ValueSource;
}

interface Resolved {
  readonly text: string;
  readonly secret: boolean;
}

const DEFAULT = 'DEFAULT';

/** Section names as oslo normalises them (lower case), with any case of "default" as DEFAULT. */
function normalizeGroup(name: string): string {
  return name.toLowerCase() === 'default' ? DEFAULT : name.toLowerCase();
}

/** `NUBO_<GROUP>__<KEY>`, upper case. */
export function envVarName(group: string, key: string): string {
  return `NUBO_${group.toUpperCase()}__${key.toUpperCase()}`;
}

const id = (group: string, key: string): string => `${group}.${key}`;
const label = (group: string, key: string): string => `[${group}] ${key}`;

export class Config {
  /** Problems that do not stop startup: unknown sections and keys, deprecated names. */
  readonly warnings: readonly string[];
  /** The files read, in order. */
  readonly files: readonly string[];

  readonly #groups: Map<string, Map<string, Registered>>;
  readonly #values: Map<string, ConfigEntry>;
  readonly #cache = new Map<GroupDef<OptMap>, unknown>();

  private constructor(
    groups: Map<string, Map<string, Registered>>,
    values: Map<string, ConfigEntry>,
    files: readonly string[],
    warnings: readonly string[],
  ) {
    this.#groups = groups;
    this.#values = values;
    this.files = Object.freeze([...files]);
    this.warnings = Object.freeze([...warnings]);
  }

  /** Reads, merges, interpolates and validates everything. Throws ConfigError. */
  static load(options: LoadOptions): Config {
    const loader = new Loader(options.groups);
    for (const file of options.files ?? []) loader.addFile(readIniFile(file));
    loader.addEnv(options.env ?? process.env);
    loader.addOverrides(options.overrides ?? {});
    return new Config(loader.groups, loader.resolveAll(), options.files ?? [], loader.warnings);
  }

  /** The values of one group, typed and frozen. The group must have been passed to `load`. */
  get<S extends OptMap>(group: GroupDef<S>): Values<S> {
    const cached = this.#cache.get(group);
    if (cached) return cached as Values<S>;
    const registered = this.#groups.get(group.name);
    const values: Record<string, unknown> = {};
    for (const [key, o] of Object.entries(group.opts)) {
      if (registered?.get(key)?.opt !== o) {
        throw new ConfigError(`option ${label(group.name, key)} was not registered when the configuration was loaded`, {
          group: group.name,
          key,
        });
      }
      values[key] = this.#values.get(id(group.name, key))!.value;
    }
    const frozen = Object.freeze(values) as Values<S>;
    this.#cache.set(group, frozen);
    return frozen;
  }

  /** Every option's effective value and source, groups in load order (DEFAULT first). */
  entries(): ConfigEntry[] {
    return [...this.#values.values()];
  }

  /** The effective values as a plain object, `{ group: { key: value } }` (secrets unmasked). */
  raw(): Record<string, Record<string, unknown>> {
    const out: Record<string, Record<string, unknown>> = {};
    for (const e of this.#values.values()) (out[e.group] ??= {})[e.key] = e.value;
    return out;
  }

  /**
   * The effective configuration as INI, values in their normalised form (`yes` shows as `true`,
   * lists as `a,b`), secrets masked, each value's source in a trailing comment.
   */
  show(): string {
    const groups: ShownGroup[] = [];
    for (const e of this.#values.values()) {
      let group = groups.at(-1);
      if (group?.name !== e.group) groups.push((group = { name: e.group, entries: [] }));
      const text = Array.isArray(e.value) ? e.value.join(',') : String(e.value);
      (group.entries as ShownEntry[]).push({ key: e.key, text, source: e.source, secret: e.secret });
    }
    return renderShow(groups, this.files);
  }
}

/** The work of `Config.load`: collects candidate values layer by layer, then resolves them. */
class Loader {
  readonly groups = new Map<string, Map<string, Registered>>();
  readonly warnings: string[] = [];
  /** Deprecated `group.key` names to the option they now mean. */
  readonly #deprecated = new Map<string, Registered>();
  /** Each option's winning candidate so far. */
  readonly #chosen = new Map<string, Candidate>();
  readonly #resolved = new Map<string, Resolved>();

  constructor(defs: readonly GroupDef<any>[]) {
    const envNames = new Map<string, string>();
    this.groups.set(DEFAULT, new Map());
    for (const def of defs) {
      const group = this.groups.get(def.name) ?? new Map<string, Registered>();
      this.groups.set(def.name, group);
      for (const [key, o] of Object.entries(def.opts as OptMap)) {
        const existing = group.get(key);
        if (existing && existing.opt !== o) {
          throw new ConfigError(`option ${label(def.name, key)} is defined twice`, { group: def.name, key });
        }
        const reg: Registered = { group: def.name, key, opt: o };
        group.set(key, reg);
        this.#chosen.set(id(def.name, key), { text: o.defaultRaw, source: { kind: 'default' } });
        for (const old of o.deprecatedNames) {
          const [g, k] = old.includes('.') ? old.split('.', 2) : [def.name, old];
          this.#deprecated.set(id(normalizeGroup(g!), k!), reg);
        }
        if (o.env !== undefined) {
          const other = envNames.get(o.env);
          if (other !== undefined && other !== id(def.name, key)) {
            throw new ConfigError(`environment alias ${o.env} is declared by both ${other} and ${id(def.name, key)}`);
          }
          envNames.set(o.env, id(def.name, key));
        }
      }
    }
    if (this.groups.get(DEFAULT)!.size === 0) this.groups.delete(DEFAULT);
  }

  #find(group: string, key: string): Registered | undefined {
    return this.groups.get(group)?.get(key);
  }

  /** One file's values: within a file the last assignment wins, a current name beats a deprecated one. */
  addFile(doc: IniDocument): void {
    const current = new Map<string, Candidate>();
    const viaDeprecated = new Map<string, Candidate>();
    for (const section of doc.sections.values()) {
      const group = normalizeGroup(section.name);
      const known = this.groups.has(group) || [...this.#deprecated.keys()].some((k) => k.startsWith(`${group}.`));
      if (!known) {
        this.warnings.push(`${doc.file}:${section.line}: unknown section [${section.name}] (ignored)`);
        continue;
      }
      for (const [rawKey, values] of section.entries) {
        const key = rawKey.replaceAll('-', '_');
        const last = values.at(-1)!;
        const candidate: Candidate = { text: last.value, source: { kind: 'file', file: doc.file, line: last.line } };
        const reg = this.#find(group, key);
        if (reg) {
          current.set(id(reg.group, reg.key), candidate);
          continue;
        }
        const renamed = this.#deprecated.get(id(group, key));
        if (renamed) {
          this.warnings.push(
            `${doc.file}:${last.line}: ${label(group, key)} is deprecated, use ${label(renamed.group, renamed.key)}`,
          );
          viaDeprecated.set(id(renamed.group, renamed.key), candidate);
          continue;
        }
        this.warnings.push(`${doc.file}:${last.line}: unknown option ${label(group, rawKey)} (ignored)`);
      }
    }
    for (const [k, c] of viaDeprecated) if (!current.has(k)) current.set(k, c);
    for (const [k, c] of current) this.#chosen.set(k, c);
  }

  addEnv(env: Readonly<Record<string, string | undefined>>): void {
    const used = new Set<string>();
    for (const group of this.groups.values()) {
      for (const reg of group.values()) {
        const names = [envVarName(reg.group, reg.key), ...(reg.opt.env === undefined ? [] : [reg.opt.env])];
        for (const name of names) used.add(name);
        const name = names.find((n) => env[n] !== undefined);
        if (name !== undefined) this.#chosen.set(id(reg.group, reg.key), { text: env[name]!, source: { kind: 'env', name } });
      }
    }
    for (const name of Object.keys(env).sort()) {
      if (/^NUBO_.+__.+$/.test(name) && env[name] !== undefined && !used.has(name)) {
        this.warnings.push(`env ${name}: no such option (ignored)`);
      }
    }
  }

  addOverrides(overrides: Readonly<Record<string, string>>): void {
    for (const [name, text] of Object.entries(overrides)) {
      const dot = name.lastIndexOf('.');
      const group = dot < 0 ? DEFAULT : normalizeGroup(name.slice(0, dot));
      const key = name.slice(dot + 1).replaceAll('-', '_');
      if (!this.#find(group, key)) {
        throw new ConfigError(`unknown option ${label(group, key)} from cli`, { group, key, source: 'cli' });
      }
      this.#chosen.set(id(group, key), { text, source: { kind: 'cli' } });
    }
  }

  resolveAll(): Map<string, ConfigEntry> {
    const out = new Map<string, ConfigEntry>();
    for (const group of this.groups.values()) {
      for (const reg of group.values()) {
        const k = id(reg.group, reg.key);
        const { text, secret } = this.#resolve(reg, []);
        const source = this.#chosen.get(k)!.source;
        let value: unknown;
        try {
          value = reg.opt.parse(text);
        } catch (err) {
          throw this.#invalid(reg, text, err, secret);
        }
        out.set(k, Object.freeze({ group: reg.group, key: reg.key, value, text, source, secret }));
      }
    }
    return out;
  }

  /** The text of an option after interpolation; `stack` holds the options being resolved. */
  #resolve(reg: Registered, stack: readonly Registered[]): Resolved {
    const k = id(reg.group, reg.key);
    const done = this.#resolved.get(k);
    if (done) return done;
    const candidate = this.#chosen.get(k)!;
    if (stack.includes(reg)) {
      const chain = [...stack.slice(stack.indexOf(reg)), reg].map((r) => label(r.group, r.key)).join(' -> ');
      throw this.#error(reg, `interpolation cycle ${chain}`);
    }
    let secret = reg.opt.secret;
    let text: string;
    try {
      text = interpolate(candidate.text, {
        isGroup: (name) => this.groups.has(normalizeGroup(name)),
        lookup: (ref) => {
          const target = this.#lookup(reg.group, ref);
          if (!target) {
            const where = ref.includes('.') ? '' : reg.group === DEFAULT ? ' in [DEFAULT]' : ` in [${reg.group}] or [DEFAULT]`;
            throw new OptValueError(`references unknown option $${ref}${where}`);
          }
          const r = this.#resolve(target, [...stack, reg]);
          secret ||= r.secret;
          return r.text;
        },
      });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw this.#invalid(reg, candidate.text, err, reg.opt.secret);
    }
    const resolved = { text, secret };
    this.#resolved.set(k, resolved);
    return resolved;
  }

  #lookup(group: string, ref: string): Registered | undefined {
    const dot = ref.indexOf('.');
    if (dot >= 0) return this.#find(normalizeGroup(ref.slice(0, dot)), ref.slice(dot + 1));
    return this.#find(group, ref) ?? this.#find(DEFAULT, ref);
  }

  /**
   * `invalid value for [g] k from SOURCE: "text" REASON`, with the text as written when
   * interpolation changed it; the value is hidden when it is, or references, a secret.
   */
  #invalid(reg: Registered, text: string, err: unknown, hide: boolean): ConfigError {
    if (!(err instanceof OptValueError)) throw err;
    const written = this.#chosen.get(id(reg.group, reg.key))!.text;
    let shown = JSON.stringify(text);
    if (hide) shown = '(secret value)';
    else if (written !== text) shown += ` (from ${JSON.stringify(written)})`;
    return this.#error(reg, `${shown} ${err.reason}`, err);
  }

  #error(reg: Registered, detail: string, cause?: unknown): ConfigError {
    const source = describeSource(this.#chosen.get(id(reg.group, reg.key))!.source);
    return new ConfigError(`invalid value for ${label(reg.group, reg.key)} from ${source}: ${detail}`, {
      group: reg.group,
      key: reg.key,
      source,
      cause,
    });
  }
}
