/**
 * Policy enforcement the way Glance does it (glance/api/v2/policy.py ImageAPIPolicy): image
 * targets built like glance's ImageTarget, denials shown as "You are not authorized to
 * complete <rule> action.", and a denial on an image the caller cannot even see turned into
 * 404 so that its existence is not leaked.
 */
import type { RequestContext } from '../../../common/context.js';
import { Forbidden, NotFound } from '../../../common/errors.js';
import type { ServicePolicy } from '../../../common/policy/index.js';
import type { Viewer } from '../db/image-repo.js';
import type { Image } from '../domain/image.js';
import { PolicyForbidden } from '../errors.js';

/** A proposed image (create) or an existing one. */
export type PolicyTarget = Record<string, unknown>;

export class GlancePolicy {
  constructor(private readonly policy: ServicePolicy) {}

  /** glance's context.is_admin: the context_is_admin rule. */
  isAdmin(ctx: RequestContext): boolean {
    return this.policy.isAdmin(ctx);
  }

  viewer(ctx: RequestContext): Viewer {
    return { projectId: ctx.projectId ?? null, isAdmin: this.isAdmin(ctx) };
  }

  /**
   * glance's ImageTarget: every image attribute and custom property, project_id as the owner,
   * and member_id set to the caller's project when it sees a shared image it does not own.
   */
  imageTarget(ctx: RequestContext, image: Image): PolicyTarget {
    const member = image.visibility === 'shared' && ctx.projectId !== image.owner ? ctx.projectId ?? null : null;
    const { properties, locations: _l, ...core } = image;
    return { ...properties, ...core, image_id: image.id, project_id: image.owner, member, member_id: member };
  }

  /** The target of a proposed image (create): owner, project_id and visibility. */
  proposedTarget(ctx: RequestContext, owner: string | null | undefined, visibility: string | undefined): PolicyTarget {
    const o = owner === undefined ? ctx.projectId ?? null : owner;
    return { project_id: o, owner: o, visibility: visibility ?? 'private' };
  }

  check(ctx: RequestContext, rule: string, target: PolicyTarget): boolean {
    return this.policy.check(ctx, rule, target);
  }

  /** @throws PolicyForbidden */
  enforce(ctx: RequestContext, rule: string, target: PolicyTarget): void {
    this.policy.authorize(ctx, rule, target);
  }

  /**
   * Enforce a rule on an existing image: a denial is 404 when the caller may not even see the
   * image (or the rule is get_image), 403 otherwise.
   */
  enforceImage(ctx: RequestContext, rule: string, image: Image): void {
    const target = this.imageTarget(ctx, image);
    if (this.check(ctx, rule, target)) return;
    if (rule === 'get_image' || !this.check(ctx, 'get_image', target)) throw new NotFound();
    throw new PolicyForbidden(rule);
  }

  /** Publicizing or communitizing has its own rule (glance's _enforce_image_visibility). */
  enforceVisibility(ctx: RequestContext, visibility: unknown, target: PolicyTarget): void {
    if (visibility === 'public') this.enforce(ctx, 'publicize_image', target);
    else if (visibility === 'community') this.enforce(ctx, 'communitize_image', target);
  }
}
