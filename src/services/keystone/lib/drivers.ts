/**
 * Driver registries: each subsystem names its backend drivers (upstream's stevedore entry
 * points in the `keystone.<subsystem>` namespaces) in one small map from name to factory, and
 * its Manager is given the driver the `[<group>] driver` option names. An unknown name stops
 * the start with an OperatorError naming the known drivers. Written by hand: a map and a check.
 */
import type { Kysely } from 'kysely';
import { OperatorError } from '../../../common/errors.js';
import { opt } from '../../../common/config/index.js';
import type { Logger } from '../../../common/log/logger.js';
import type { ResourceConfig } from '../config.js';

/** A subsystem's `[<group>] driver` option, as keystone.conf has it (default `sql`). */
export function driverOption(what: string) {
  return opt.str('sql', `The ${what} backend driver (sql is the only one shipped).`);
}

/** What a driver factory is built from. */
export interface DriverContext {
  /** Keystone's database (the SQL drivers cast it to the tables they use). */
  db: Kysely<any>;
  config: ResourceConfig;
  /** The data directory, when there is one (the identity sql driver's password-check cache). */
  dataDir?: string;
  log: Logger;
}

export type DriverFactory<D> = (ctx: DriverContext) => D;

export class DriverRegistry<D> {
  /** `group` is the config group whose `driver` option chooses among `factories`. */
  constructor(readonly group: string, private readonly factories: Readonly<Record<string, DriverFactory<D>>>) {}

  /** The names of the known drivers. */
  get names(): string[] {
    return Object.keys(this.factories);
  }

  /** A registry that also knows `name` (out-of-tree drivers, tests). */
  with(name: string, factory: DriverFactory<D>): DriverRegistry<D> {
    return new DriverRegistry(this.group, { ...this.factories, [name]: factory });
  }

  /** The driver called `name`, built for `ctx`. */
  create(name: string, ctx: DriverContext): D {
    const factory = Object.hasOwn(this.factories, name) ? this.factories[name] : undefined;
    if (!factory) {
      throw new OperatorError(`unknown ${this.group} driver "${name}" in [${this.group}] driver (known: ${this.names.join(', ')})`);
    }
    return factory(ctx);
  }
}
