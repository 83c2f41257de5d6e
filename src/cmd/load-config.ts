/**
 * Loading the configuration for the launcher: every group of the plumbing, the launcher and
 * every registered project, plus the generated secrets (admin password, service users).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Config, coreGroups, defaultGroup, type GroupDef } from '../common/config/index.js';
import { osloMessagingNotificationsGroup } from '../common/messaging/index.js';
import { osloPolicyGroup } from '../common/policy/index.js';
import { tracingGroup } from '../common/tracing/options.js';
import { bootstrapGroup, launcherGroups } from './options.js';
import { projects } from './projects.js';
import { ensureSecrets, secretsPath } from './secrets.js';

export interface ConfigSources {
  configFiles?: string[];
  env?: Record<string, string | undefined>;
  overrides?: Record<string, string>;
}

/** Every option group Nubo knows, each once, in reference order. */
export function allGroups(): GroupDef<any>[] {
  const groups = [...coreGroups, ...launcherGroups, osloPolicyGroup, osloMessagingNotificationsGroup, tracingGroup, ...projects.flatMap((p) => p.configGroups)];
  return [...new Set(groups)];
}

/**
 * Load the configuration. `ensure` (what a running cloud does) creates the data dir and
 * generates missing secrets; `if-present` only reads secrets.conf when it exists.
 */
export function loadConfig(opts: ConfigSources, secrets: 'ensure' | 'if-present' = 'ensure'): Config {
  const base = { groups: allGroups(), env: opts.env ?? process.env, overrides: opts.overrides ?? {} };
  const first = Config.load({ ...base, files: opts.configFiles ?? [] });
  const dataDir = resolve(first.get(defaultGroup).data_dir);
  if (secrets === 'ensure') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    ensureSecrets(dataDir, { bootstrap: first.get(bootstrapGroup).admin_password ? [] : ['admin_password'], service_users: projects.map((p) => p.service) });
  } else if (!existsSync(secretsPath(dataDir))) {
    return first;
  }
  // secrets.conf comes first so that the operator's own files win over generated values.
  return Config.load({ ...base, files: [secretsPath(dataDir), ...(opts.configFiles ?? [])] });
}
