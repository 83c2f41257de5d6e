/**
 * What the firewall last put into the kernel, kept in a file of the agent's state directory so
 * that a restarted agent (kill -9 included) knows which rules, members and port groups the
 * rules in the kernel came from. Without it, a rule removed while the agent was down would be
 * gone from iptables after the restart, but the connections it allowed would keep their
 * conntrack entries (and flow on) for as long as they last: with the state of before, the
 * first apply after the restart cuts them as an apply of a running agent does. The file is
 * written after each apply that succeeded (a temporary file renamed over it); one missing or
 * unreadable is an empty past (a first start).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FirewallPort, FirewallRule, GroupMembers } from './types.js';

export interface AppliedState {
  /** Filtered ports by device. */
  ports: Map<string, FirewallPort>;
  /** Rules by security group. */
  rules: Map<string, FirewallRule[]>;
  /** Member IPs by security group. */
  members: Map<string, GroupMembers>;
}

interface StateFileJson {
  ports: Record<string, FirewallPort>;
  rules: Record<string, FirewallRule[]>;
  members: Record<string, GroupMembers>;
}

export const emptyState = (): AppliedState => ({ ports: new Map(), rules: new Map(), members: new Map() });

export class AppliedStateFile {
  constructor(readonly path: string) {}

  load(): AppliedState {
    let json: Partial<StateFileJson>;
    try {
      json = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<StateFileJson>;
    } catch {
      return emptyState();
    }
    return {
      ports: new Map(Object.entries(json.ports ?? {})),
      rules: new Map(Object.entries(json.rules ?? {})),
      members: new Map(Object.entries(json.members ?? {})),
    };
  }

  /** The state as JSON text, taken when an apply starts (what it puts into the kernel). */
  static snapshot(state: { ports: ReadonlyMap<string, FirewallPort>; rules: ReadonlyMap<string, FirewallRule[]>; members: ReadonlyMap<string, GroupMembers> }): string {
    const json: StateFileJson = { ports: Object.fromEntries(state.ports), rules: Object.fromEntries(state.rules), members: Object.fromEntries(state.members) };
    return JSON.stringify(json);
  }

  save(snapshot: string): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, snapshot);
    renameSync(tmp, this.path);
  }
}
