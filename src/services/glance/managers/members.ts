/**
 * Image sharing (glance/api/v2/image_members.py): the owner offers a shared image to other
 * projects, each member accepts or rejects it (only accepted images appear in the member's
 * default list). Only `shared` images have members; a member sees only its own membership.
 */
import type { RequestContext } from '../../../common/context.js';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../../common/errors.js';
import type { ImageMember, MemberStatus } from '../db/member-repo.js';
import type { Image } from '../domain/image.js';
import { storeContext, type GlanceDeps } from './deps.js';
import { updateStoreAcls } from './store-acls.js';
import { type ImageManager } from './images.js';
import { ImageLimitExceeded } from '../errors.js';

const STATUSES: readonly MemberStatus[] = ['pending', 'accepted', 'rejected'];

export class MemberManager {
  constructor(private readonly d: GlanceDeps, private readonly images: ImageManager) {}

  private async image(ctx: RequestContext, id: string): Promise<Image> {
    try {
      return await this.images.load(ctx, id);
    } catch (err) {
      if (err instanceof NotFound) throw new NotFound(`Image ${id} not found.`);
      throw err;
    }
  }

  /** Members the caller may see: all for the owner and admins, else only its own membership. */
  private canSeeAll(ctx: RequestContext, image: Image): boolean {
    return this.d.policy.isAdmin(ctx) || (ctx.projectId !== undefined && ctx.projectId === image.owner);
  }

  private async findMember(ctx: RequestContext, image: Image, memberId: string): Promise<ImageMember> {
    if (!this.d.policy.check(ctx, 'get_member', this.d.policy.imageTarget(ctx, image))) {
      throw new Forbidden(`You are not authorized to lookup the members of the image ${image.id}.`);
    }
    const member = this.canSeeAll(ctx, image) || memberId === ctx.projectId ? await this.d.members.get(image.id, memberId) : undefined;
    if (!member) throw new NotFound(`${memberId} not found in the member list of the image ${image.id}.`);
    return member;
  }

  async create(ctx: RequestContext, imageId: string, body: unknown): Promise<ImageMember> {
    if (body === undefined) throw new BadRequest('Body expected in request.');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('Expected a member in the form: {"member": "image_id"}');
    if (!('member' in body)) throw new BadRequest('Member to be added not specified');
    const memberId = (body as Record<string, unknown>)['member'];
    if (!memberId) throw new BadRequest("Member can't be empty");
    if (typeof memberId !== 'string') throw new BadRequest('Expected a member in the form: {"member": "image_id"}');
    const image = await this.image(ctx, imageId);
    const denied = new Forbidden(`Not allowed to create members for image ${imageId}.`);
    if (image.visibility !== 'shared') throw denied;
    this.d.policy.enforceImage(ctx, 'add_member', image);
    const max = this.d.settings.memberQuota;
    const count = await this.d.members.count(imageId);
    if (max >= 0 && count + 1 > max) {
      throw new ImageLimitExceeded(`Image member limit exceeded for image ${imageId}: The limit has been exceeded on the number of allowed image members for this image. Attempted: ${count + 1}, Maximum: ${max}:`);
    }
    const member = await this.d.members.add(imageId, memberId);
    if (!member) throw new Conflict(`Member ${memberId} is duplicated for image ${imageId}`);
    await updateStoreAcls(this.d, image, storeContext(ctx));
    this.d.notifier.memberCreated(member);
    return member;
  }

  async update(ctx: RequestContext, imageId: string, memberId: string, body: unknown): Promise<ImageMember> {
    if (body === undefined) throw new BadRequest('Body expected in request.');
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequest('Expected a status in the form: {"status": "status"}');
    if (!('status' in body)) throw new BadRequest('Status not specified');
    const status = (body as Record<string, unknown>)['status'];
    const image = await this.image(ctx, imageId);
    if (image.visibility !== 'shared') throw new Forbidden(`Not allowed to update members for image ${imageId}.`);
    const member = await this.findMember(ctx, image, memberId);
    if (!this.d.policy.check(ctx, 'modify_member', this.d.policy.imageTarget(ctx, image))) {
      throw new Forbidden(`Not allowed to update members for image ${imageId}.`);
    }
    if (!STATUSES.includes(status as MemberStatus)) throw new BadRequest('Incorrect request: Status must be "pending", "accepted" or "rejected".');
    const updated = await this.d.members.setStatus(member, status as MemberStatus);
    this.d.notifier.memberUpdated(updated);
    return updated;
  }

  async list(ctx: RequestContext, imageId: string): Promise<ImageMember[]> {
    const image = await this.image(ctx, imageId);
    if (image.visibility !== 'shared') throw new Forbidden(`Not allowed to list members for image ${imageId}: Only shared images have members.`);
    const target = this.d.policy.imageTarget(ctx, image);
    if (!this.d.policy.check(ctx, 'get_members', target)) throw new Forbidden(`Not allowed to list members for image ${imageId}: You are not authorized to complete get_members action.`);
    const all = await this.d.members.list(imageId);
    const visible = this.canSeeAll(ctx, image) ? all : all.filter((m) => m.member_id === ctx.projectId);
    return this.d.policy.check(ctx, 'get_member', target) ? visible : [];
  }

  async show(ctx: RequestContext, imageId: string, memberId: string): Promise<ImageMember> {
    const image = await this.image(ctx, imageId);
    if (image.visibility !== 'shared') throw new NotFound('Only shared images have members.');
    try {
      return await this.findMember(ctx, image, memberId);
    } catch (err) {
      if (err instanceof Forbidden) throw new NotFound(err.message);
      throw err;
    }
  }

  async remove(ctx: RequestContext, imageId: string, memberId: string): Promise<void> {
    const image = await this.image(ctx, imageId);
    const denied = new Forbidden(`Not allowed to delete members for image ${imageId}.`);
    if (image.visibility !== 'shared') throw denied;
    const member = await this.findMember(ctx, image, memberId);
    if (!this.d.policy.check(ctx, 'delete_member', this.d.policy.imageTarget(ctx, image))) throw denied;
    await this.d.members.remove(member);
    await updateStoreAcls(this.d, image, storeContext(ctx));
    this.d.notifier.memberDeleted(member);
  }
}
