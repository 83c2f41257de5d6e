/**
 * Revocation events held in memory, bucketed by the attribute they must match (audit id, user,
 * project, the rest), so checking a token looks at few of them.
 */
import { matches, type RevokeEvent, type TokenValues } from './model.js';

/** Events bucketed by the attribute they must match, so a check looks at few of them. */
export class EventIndex {
  private readonly byAudit = new Map<string, RevokeEvent[]>();
  private readonly byUser = new Map<string, RevokeEvent[]>();
  private readonly byProject = new Map<string, RevokeEvent[]>();
  private rest: RevokeEvent[] = [];
  private readonly ids = new Set<number>();

  add(e: RevokeEvent): void {
    if (e.id !== 0) {
      if (this.ids.has(e.id)) return;
      this.ids.add(e.id);
    }
    const push = (m: Map<string, RevokeEvent[]>, k: string): void => { m.get(k)?.push(e) ?? m.set(k, [e]); };
    if (e.auditId !== null) push(this.byAudit, e.auditId);
    else if (e.userId !== null) push(this.byUser, e.userId);
    else if (e.projectId !== null) push(this.byProject, e.projectId);
    else this.rest.push(e);
  }

  isRevoked(t: TokenValues): boolean {
    const lists = [
      this.byAudit.get(t.auditId), this.byUser.get(t.userId),
      t.trustorId ? this.byUser.get(t.trustorId) : undefined, t.trusteeId ? this.byUser.get(t.trusteeId) : undefined,
      t.projectId ? this.byProject.get(t.projectId) : undefined, this.rest,
    ];
    return lists.some((l) => l !== undefined && l.some((e) => matches(e, t)));
  }

  /** Drop events revoked before `cutoff` (seconds). */
  prune(cutoff: number): void {
    const keep = (e: RevokeEvent): boolean => {
      if (e.revokedAt >= cutoff) return true;
      this.ids.delete(e.id);
      return false;
    };
    for (const m of [this.byAudit, this.byUser, this.byProject]) {
      for (const [k, list] of m) {
        const kept = list.filter(keep);
        if (kept.length === 0) m.delete(k);
        else m.set(k, kept);
      }
    }
    this.rest = this.rest.filter(keep);
  }
}
