/**
 * Option definitions, oslo.config style but typed: `opt.str(...)`, `opt.int(...)`, ... describe
 * one option (type, default, help, bounds, secrecy, aliases); `defineGroup` bundles them into a
 * named group whose values type is inferred from the options.
 *
 *   export const httpGroup = defineGroup('http', 'HTTP server', {
 *     body_limit: opt.int(1048576, 'Largest request body, in bytes.', { min: 1 }),
 *   });
 *   config.get(httpGroup).body_limit; // number
 */
import { OptValueError } from './errors.js';

export type OptKind = 'str' | 'int' | 'float' | 'bool' | 'list' | 'enum' | 'port' | 'hostPort' | 'url';

/** Settings every option kind accepts. */
export interface OptExtra {
  /** Mask the value as `***` in `Config.show()` and leave it out of error messages. */
  secret?: boolean;
  /** Older names still read from files: `old_key` (same group) or `old_group.old_key`. */
  deprecatedNames?: readonly string[];
  /** An extra environment variable (e.g. `NUBO_DATA_DIR`) besides `NUBO_<GROUP>__<KEY>`. */
  env?: string;
}

/** Settings of the numeric kinds (int, float, port): inclusive bounds. */
export interface NumericExtra extends OptExtra {
  min?: number;
  max?: number;
}

/** Settings of `opt.url`: the accepted schemes (lower case), any when absent. */
export interface UrlExtra extends OptExtra {
  schemes?: readonly string[];
}

/** One option. `T` is the type of its value once loaded. */
export interface OptDef<T> {
  readonly kind: OptKind;
  /** The default as a raw string, as it would be written in a file (may hold `$` references). */
  readonly defaultRaw: string;
  readonly help: string;
  readonly secret: boolean;
  readonly deprecatedNames: readonly string[];
  readonly env: string | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** For enum: the allowed values. */
  readonly choices: readonly string[] | undefined;
  /** For url: the allowed schemes. */
  readonly schemes: readonly string[] | undefined;
  /** Converts a raw string (after interpolation) to the value; throws OptValueError. */
  parse(raw: string): T;
}

/** A map of option names to options, as given to `defineGroup`. */
export type OptMap = Record<string, OptDef<unknown>>;

/** The values of a group: each option's value type, read-only. */
export type Values<S extends OptMap> = { readonly [K in keyof S]: S[K] extends OptDef<infer T> ? T : never };

/** A named option group, the unit `Config.get` works on. */
export interface GroupDef<S extends OptMap> {
  /** `DEFAULT` or a lower-case section name (`database`). */
  readonly name: string;
  readonly help: string;
  readonly opts: S;
}

/** A host and port from a `host:port` value (IPv6 hosts without their brackets). */
export interface HostPort {
  host: string;
  port: number;
}

const NAME = /^[a-z_][a-z0-9_]*$/;

function make<T>(
  kind: OptKind,
  defaultRaw: string,
  help: string,
  extra: OptExtra & NumericExtra & UrlExtra & { choices?: readonly string[] },
  parse: (raw: string) => T,
): OptDef<T> {
  return Object.freeze({
    kind,
    defaultRaw,
    help,
    secret: extra.secret ?? false,
    deprecatedNames: Object.freeze([...(extra.deprecatedNames ?? [])]),
    env: extra.env,
    min: extra.min,
    max: extra.max,
    choices: extra.choices,
    schemes: extra.schemes,
    parse,
  });
}

function checkBounds(n: number, extra: NumericExtra): number {
  if (extra.min !== undefined && n < extra.min) throw new OptValueError(`is below the minimum ${extra.min}`);
  if (extra.max !== undefined && n > extra.max) throw new OptValueError(`is above the maximum ${extra.max}`);
  return n;
}

function parseInteger(raw: string): number {
  const s = raw.trim();
  const n = Number(s);
  if (!/^[+-]?\d+$/.test(s) || !Number.isSafeInteger(n)) throw new OptValueError('is not an integer');
  return n;
}

function parsePortNumber(raw: string): number {
  const n = parseInteger(raw);
  if (n < 0 || n > 65535) throw new OptValueError('is not a port number (0-65535)');
  return n;
}

const TRUE = new Set(['true', '1', 'on', 'yes']);
const FALSE = new Set(['false', '0', 'off', 'no']);

/**
 * Splits `host:port` or `[v6addr]:port`. Throws OptValueError for anything else, including an
 * IPv6 address without brackets.
 */
export function parseHostPort(raw: string): HostPort {
  const s = raw.trim();
  const m = /^\[([^\][\s]+)\]:(\d+)$/.exec(s) ?? /^([^:\][\s]+):(\d+)$/.exec(s);
  if (!m) {
    const hint = /^[^[\]]*:[^[\]]*:/.test(s) ? ' (write IPv6 addresses in brackets: [::1]:80)' : '';
    throw new OptValueError(`is not host:port${hint}`);
  }
  let port: number;
  try {
    port = parsePortNumber(m[2]!);
  } catch {
    throw new OptValueError('is not host:port (port out of range 0-65535)');
  }
  return { host: m[1]!, port };
}

/** Builders of options, one per value type. */
export const opt = {
  /** A string, kept as written. */
  str(def: string, help: string, extra: OptExtra = {}): OptDef<string> {
    return make('str', def, help, extra, (raw) => raw);
  },

  /** A whole number. */
  int(def: number, help: string, extra: NumericExtra = {}): OptDef<number> {
    return make('int', String(def), help, extra, (raw) => checkBounds(parseInteger(raw), extra));
  },

  /** A decimal number. */
  float(def: number, help: string, extra: NumericExtra = {}): OptDef<number> {
    return make('float', String(def), help, extra, (raw) => {
      const s = raw.trim();
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) throw new OptValueError('is not a number');
      return checkBounds(Number(s), extra);
    });
  },

  /** true/false; also accepts 1/0, on/off, yes/no in any case, as oslo does. */
  bool(def: boolean, help: string, extra: OptExtra = {}): OptDef<boolean> {
    return make('bool', String(def), help, extra, (raw) => {
      const s = raw.trim().toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      throw new OptValueError('is not a boolean (true/false, yes/no, on/off, 1/0)');
    });
  },

  /** A comma-separated list; items are trimmed and empty items dropped. */
  list(def: readonly string[] | string, help: string, extra: OptExtra = {}): OptDef<readonly string[]> {
    const defaultRaw = typeof def === 'string' ? def : def.join(',');
    if (typeof def !== 'string' && def.some((item) => item.includes(','))) {
      throw new Error(`list default items may not contain ',': ${JSON.stringify(def)}`);
    }
    return make('list', defaultRaw, help, extra, (raw) =>
      Object.freeze(raw.split(',').map((item) => item.trim()).filter((item) => item !== '')),
    );
  },

  /** One of a fixed set of strings (case-sensitive). */
  enum<const C extends readonly [string, ...string[]]>(
    choices: C,
    def: C[number],
    help: string,
    extra: OptExtra = {},
  ): OptDef<C[number]> {
    const allowed = Object.freeze([...choices]);
    return make('enum', def, help, { ...extra, choices: allowed }, (raw) => {
      const s = raw.trim();
      if (!allowed.includes(s)) throw new OptValueError(`is not one of: ${allowed.join(', ')}`);
      return s as C[number];
    });
  },

  /** A TCP/UDP port number, 0-65535 (0: any free port). */
  port(def: number, help: string, extra: NumericExtra = {}): OptDef<number> {
    return make('port', String(def), help, extra, (raw) => checkBounds(parsePortNumber(raw), extra));
  },

  /** `host:port` or `[ipv6]:port`, kept as a string; split it with `parseHostPort`. */
  hostPort(def: string, help: string, extra: OptExtra = {}): OptDef<string> {
    return make('hostPort', def, help, extra, (raw) => {
      parseHostPort(raw);
      return raw.trim();
    });
  },

  /**
   * A URL `scheme://...`. Only the scheme is checked (and `extra.schemes` if given), so
   * oslo.messaging's multi-host form `rabbit://u:p@h1,u:p@h2/` is accepted. An empty value is
   * accepted only when the default is empty (meaning "not set").
   */
  url(def: string, help: string, extra: UrlExtra = {}): OptDef<string> {
    return make('url', def, help, extra, (raw) => {
      const s = raw.trim();
      if (s === '' && def === '') return s;
      const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/\S*$/.exec(s);
      if (!m) throw new OptValueError('is not a URL (scheme://...)');
      const scheme = m[1]!.toLowerCase();
      if (extra.schemes && !extra.schemes.includes(scheme)) {
        throw new OptValueError(`has scheme ${scheme}, expected one of: ${extra.schemes.join(', ')}`);
      }
      return s;
    });
  },
};

/**
 * Declares an option group. `name` is `DEFAULT` or lower-case letters, digits and `_`, as are
 * the option names. A default without `$` references is checked against its type here, so a
 * bad default fails at import time rather than at startup.
 */
export function defineGroup<const S extends OptMap>(name: string, help: string, opts: S): GroupDef<S> {
  if (name !== 'DEFAULT' && !NAME.test(name)) {
    throw new Error(`invalid option group name ${JSON.stringify(name)} (DEFAULT or [a-z_][a-z0-9_]*)`);
  }
  for (const [key, o] of Object.entries(opts)) {
    if (!NAME.test(key)) throw new Error(`invalid option name [${name}] ${JSON.stringify(key)} ([a-z_][a-z0-9_]*)`);
    if (o.defaultRaw.includes('$')) continue;
    try {
      o.parse(o.defaultRaw);
    } catch (err) {
      const reason = err instanceof OptValueError ? err.reason : String(err);
      throw new Error(`invalid default for [${name}] ${key}: ${JSON.stringify(o.defaultRaw)} ${reason}`);
    }
  }
  return Object.freeze({ name, help, opts: Object.freeze({ ...opts }) as S });
}
