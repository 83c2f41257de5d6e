/**
 * The flavor views (nova/api/openstack/compute/views/flavors.py): the brief one of GET
 * /flavors and the full one of show, detail, create and update, per microversion: swap is ""
 * for none before 2.75 and 0 from it, rxtx_factor "" when unset, description from 2.55,
 * extra_specs from 2.61 when the caller may list them.
 */
import type { APIVersion } from '../../../../common/http/microversion.js';
import type { Flavor } from '../../objects/index.js';
import type { Link, LinkBuilder } from '../links.js';

type Body = Record<string, unknown>;

export interface FlavorViewOptions {
  version: APIVersion;
  links: LinkBuilder;
  /** 2.61 and the caller passes os-flavor-extra-specs:index. */
  includeExtraSpecs: boolean;
}

export function flavorBasicView(flavor: Flavor, o: FlavorViewOptions): Body {
  const f = flavor.data;
  const body: Body = { id: f.flavorid, name: f.name, links: o.links.resource('flavors', f.flavorid) };
  if (o.version.atLeast('2.55')) body['description'] = f.description;
  return body;
}

export function flavorView(flavor: Flavor, o: FlavorViewOptions): Body {
  const f = flavor.data;
  const body: Body = {
    id: f.flavorid,
    name: f.name,
    ram: f.memory_mb,
    disk: f.root_gb,
    swap: o.version.atLeast('2.75') ? f.swap || 0 : f.swap || '',
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': f.disabled,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor || '',
    links: o.links.resource('flavors', f.flavorid),
  };
  if (o.version.atLeast('2.55')) body['description'] = f.description;
  if (o.includeExtraSpecs) body['extra_specs'] = f.extra_specs;
  return body;
}

/** A list with its `next` link when the page is full (_get_collection_links). */
export function flavorListView(flavors: readonly Flavor[], view: (f: Flavor) => Body, next: Link | undefined): Body {
  const body: Body = { flavors: flavors.map(view) };
  if (next) body['flavors_links'] = [next];
  return body;
}
