/**
 * The remote groups' ipsets in the kernel (neutron/agent/linux/ipset_manager.py IpsetManager),
 * in the firewall's network namespace. A new set is created with its members; a set whose
 * members changed is refilled atomically: a temporary `<name>-n` is filled and swapped with it
 * (one `ipset restore` for all sets of an apply), so a packet meets either the old members or
 * the new ones, and the iptables rules naming the set stay as they are. Sets no longer wanted
 * are destroyed once the rules naming them are gone (the firewall calls `sync` before its
 * iptables restore and `prune` after it).
 *
 * A restarted agent adopts the sets of the run before (listed by name, their members not
 * trusted: each is refilled by the first sync), and prunes those no longer wanted. Without the
 * `ipset` program (or where it cannot run) `probe` says so and the firewall falls back to one
 * rule per member.
 */
import type { Logger } from '../../../../common/log/logger.js';
import { run } from './commands.js';
import { type IpsetSpec, SWAP_SUFFIX, isOurSet } from './ipset-sets.js';

export class IpsetManager {
  /** Our sets in the kernel: members as last written, or undefined when not known (adopted). */
  private readonly sets = new Map<string, string | undefined>();
  /** Sets that could not be destroyed (said once each). */
  private readonly stuck = new Set<string>();

  constructor(private readonly netns: string | undefined, private readonly log?: Logger) {}

  /** Lists the sets there are (adopting ours); not ok, with the reason, when ipset cannot be used. */
  async probe(): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      const { stdout } = await this.ipset(['list', '-n']);
      for (const name of stdout.split('\n').map((l) => l.trim()).filter(isOurSet)) this.sets.set(name, undefined);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  /** Names of our sets in the kernel. */
  get names(): string[] {
    return [...this.sets.keys()];
  }

  /** Creates the wanted sets that are missing and refills those whose members differ. */
  async sync(wanted: ReadonlyMap<string, IpsetSpec>): Promise<void> {
    const lines: string[] = [];
    const done = new Map<string, string>();
    for (const spec of wanted.values()) {
      const key = spec.members.join(' ');
      const exists = this.sets.has(spec.name);
      if (exists && this.sets.get(spec.name) === key) continue;
      const family = spec.version === 4 ? 'inet' : 'inet6';
      // a temporary set left by an interrupted swap is emptied first (-exist: create keeps it)
      const target = exists ? spec.name + SWAP_SUFFIX : spec.name;
      lines.push(`create ${target} hash:net family ${family}`, `flush ${target}`, ...spec.members.map((m) => `add ${target} ${m}`));
      if (exists) lines.push(`swap ${target} ${spec.name}`, `destroy ${target}`);
      done.set(spec.name, key);
    }
    if (!lines.length) return;
    // until the restore succeeded, what the changed sets hold is not known
    for (const name of done.keys()) if (this.sets.has(name)) this.sets.set(name, undefined);
    await this.ipset(['-exist', 'restore'], `${lines.join('\n')}\n`);
    for (const [name, key] of done) {
      this.sets.set(name, key);
      this.sets.delete(name + SWAP_SUFFIX);
    }
  }

  /** Destroys our sets not in `wanted` (temporary ones left by a crash included); a set still in use is kept and logged. */
  async prune(wanted: ReadonlyMap<string, unknown>): Promise<void> {
    for (const name of [...this.sets.keys()].filter((n) => !wanted.has(n))) {
      try {
        await this.ipset(['destroy', name]);
        this.sets.delete(name);
      } catch (err) {
        if (this.stuck.has(name)) continue;
        this.stuck.add(name);
        this.log?.warn({ set: name, err: (err as Error).message }, 'firewall: could not destroy an ipset no longer used');
      }
    }
  }

  private ipset(args: string[], input?: string): Promise<{ stdout: string }> {
    return run('ipset', args, { netns: this.netns, ...(input !== undefined ? { input } : {}) });
  }
}
