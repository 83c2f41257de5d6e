/**
 * Who may read an image's data where it is stored (glance/location.py _set_acls): for stores
 * keeping data in the owner's account (multi-tenant Swift), everybody for a public or community
 * image, else the projects it is shared with. Called after the data is stored, when the
 * visibility changes and when members come and go. A store that refuses is logged: the image
 * record is already changed, and Glance itself still serves the data to its owner.
 */
import type { Image } from '../domain/image.js';
import type { StoreContext } from '../stores/store.js';
import type { GlanceDeps } from './deps.js';

export async function updateStoreAcls(d: GlanceDeps, image: Image, ctx: StoreContext): Promise<void> {
  const targets = image.locations.flatMap((loc) => {
    try {
      const store = d.stores.forLocation(loc.url, loc.metadata);
      return store.setAcls ? [{ url: loc.url, store }] : [];
    } catch {
      return [];
    }
  });
  if (targets.length === 0) return;
  const isPublic = image.visibility === 'public' || image.visibility === 'community';
  const readTenants = isPublic ? [] : (await d.members.list(image.id)).map((m) => m.member_id);
  for (const { url, store } of targets) {
    await store.setAcls!(url, { public: isPublic, readTenants }, ctx).catch((err: unknown) => {
      d.log.warn({ err, image: image.id }, 'could not set the read ACLs of the image data in its store');
    });
  }
}
