/**
 * The one policy wrapper every project uses: its rule defaults, the operator's overrides from
 * `[oslo_policy] policy_file` (re-read when the file changes, as oslo.policy does), the
 * `enforce_scope` / `enforce_new_defaults` switches, and check/authorize on a RequestContext.
 * What is particular to a project stays in its own policies module: how it builds targets
 * (Glance's ImageTarget, Neutron's attribute rules, Keystone's flattened targets), how it turns
 * a context into credentials (Keystone adds the token) and which error a denial is.
 */
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Config } from '../config/index.js';
import { defineGroup, opt } from '../config/options.js';
import type { RequestContext } from '../context.js';
import type { PeriodicTasks } from '../service/periodic.js';
import { Enforcer } from './enforcer.js';
import type { CheckFactory } from './parser.js';
import type { Credentials, RuleDefault } from './types.js';

/** What a project declares about its policy (ProjectDef.policy). */
export interface ServicePolicySpec {
  defaults: readonly RuleDefault[];
  /** Extra check kinds, e.g. Neutron's `field:`. */
  checks?: ReadonlyMap<string, CheckFactory>;
  /** The project's default of enforce_scope (as its Zed release ships it). */
  enforceScope: boolean;
  /** The project's default of enforce_new_defaults. */
  enforceNewDefaults: boolean;
  /** oslo's suppress_default_change_warnings, as the project sets it (placement does). */
  suppressDefaultChangeWarnings?: boolean;
}

const tristate = (help: string) => opt.enum(['', 'true', 'false'], '', `${help} Empty: each project's own default.`);

export const osloPolicyGroup = defineGroup('oslo_policy', 'Policy (oslo.policy), for every project', {
  policy_file: opt.str(
    '{project}-policy.yaml',
    'Rule overrides (YAML or JSON). {project} is replaced by the project name (keystone, glance, neutron, ...); ' +
      'a relative path is below data_dir. A missing file means no overrides. Changes are picked up without a restart.',
  ),
  enforce_scope: tristate('Deny tokens whose scope (system, domain, project) is not among the scope types of a rule.'),
  enforce_new_defaults: tristate('Use only the secure-RBAC defaults, without the deprecated rules as fallbacks.'),
});

export interface ServicePolicyOptions {
  /** Policy credentials of a request (default: oslo.context's to_policy_values()). */
  credentials?: (ctx: RequestContext) => Credentials;
  /** The error a denial raises (each project has its own message). */
  denied: (rule: string) => Error;
  onWarning?: (message: string) => void;
}

export class ServicePolicy {
  constructor(
    readonly enforcer: Enforcer,
    private readonly opts: ServicePolicyOptions,
  ) {}

  credentials(ctx: RequestContext): Credentials {
    return this.opts.credentials ? this.opts.credentials(ctx) : ctx.toPolicyCredentials();
  }

  /** Whether the caller may do `rule` on `target` (false on a scope mismatch too). */
  check(ctx: RequestContext, rule: string, target: Record<string, unknown>): boolean {
    return this.enforcer.enforce(rule, target, this.credentials(ctx));
  }

  /** @throws the project's denial error */
  authorize(ctx: RequestContext, rule: string, target: Record<string, unknown>): void {
    if (!this.check(ctx, rule, target)) throw this.opts.denied(rule);
  }

  /** oslo.context's is_admin: the `context_is_admin` rule when the project registers one. */
  isAdmin(ctx: RequestContext): boolean {
    return this.enforcer.defaults.some((d) => d.name === 'context_is_admin') && this.check(ctx, 'context_is_admin', {});
  }
}

/** The policy file of `project` from [oslo_policy] policy_file. */
export function policyFilePath(config: Config, dataDir: string, project: string): string {
  const file = config.get(osloPolicyGroup).policy_file.replaceAll('{project}', project);
  return isAbsolute(file) ? file : join(dataDir, file);
}

function flag(value: '' | 'true' | 'false', projectDefault: boolean): boolean {
  return value === '' ? projectDefault : value === 'true';
}

/** How often a policy file is checked for changes. */
const WATCH_INTERVAL_MS = 2000;

/** What identifies one version of a file: its inode, size and modification time ('' when absent). */
function stamp(st: { ino: number; size: number; mtimeMs: number } | undefined): string {
  return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
}

/**
 * The project's enforcer from its spec and [oslo_policy]. A periodic task of the role checks the
 * file every two seconds against the version last loaded (a stat, so that files replaced by
 * editors and config management are seen); a broken edit keeps the rules in force and is
 * reported through onWarning.
 */
export function loadServicePolicy(
  spec: ServicePolicySpec,
  where: { config: Config; dataDir: string; project: string; periodic: PeriodicTasks },
  opts: ServicePolicyOptions,
): ServicePolicy {
  const conf = where.config.get(osloPolicyGroup);
  const policyFile = policyFilePath(where.config, where.dataDir, where.project);
  // Taken before the file is read, so that a write during the load is seen as a change.
  let loaded = stamp(statSync(policyFile, { throwIfNoEntry: false }));
  const enforcer = new Enforcer({
    defaults: spec.defaults,
    policyFile,
    enforceScope: flag(conf.enforce_scope, spec.enforceScope),
    enforceNewDefaults: flag(conf.enforce_new_defaults, spec.enforceNewDefaults),
    ...(spec.checks ? { checks: spec.checks } : {}),
    ...(spec.suppressDefaultChangeWarnings ? { suppressDefaultChangeWarnings: true } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  });
  const check = async (): Promise<void> => {
    const current = stamp(await stat(policyFile).catch(() => undefined));
    if (current === loaded) return;
    loaded = current;
    try {
      enforcer.reload();
    } catch (err) {
      opts.onWarning?.(`policy file ${policyFile} not reloaded, the rules in force are kept: ${(err as Error).message}`);
    }
  };
  where.periodic.add({ name: `policy-file ${policyFile}`, interval: WATCH_INTERVAL_MS / 1000, run: check });
  return new ServicePolicy(enforcer, opts);
}
