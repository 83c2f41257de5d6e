/**
 * The GET/HEAD of an account or container through the proxy: the listing query checked
 * (limit at most the listing limit, format from ?format= or Accept) and passed to the first
 * node that answers.
 */
import { NotAcceptable, PreconditionFailed } from '../../../common/errors.js';
import { BadListingFormat, listingFormat, type ListingFormat } from '../utils/listing.js';
import { headerOf, type SwiftRequest } from './request.js';

export function listingQuery(req: SwiftRequest, maxLimit: number): { qs: string; format: ListingFormat } {
  const q = new URLSearchParams(req.query);
  const limit = q.get('limit');
  if (limit !== null && /^\d+$/.test(limit) && Number(limit) > maxLimit) throw new PreconditionFailed(`Maximum limit is ${maxLimit}`);
  let format: ListingFormat;
  try {
    format = listingFormat(Object.fromEntries(q), headerOf(req.headers, 'accept'));
  } catch (e) {
    if (e instanceof BadListingFormat) throw new NotAcceptable();
    throw e;
  }
  q.set('format', format);
  return { qs: `?${q.toString()}`, format };
}

/** The header that lets a storage server list the reserved namespace, for a middleware's request into it. */
export const reservedHeader = (req: SwiftRequest): Record<string, string> => (req.allowReserved ? { 'X-Backend-Allow-Reserved-Names': 'true' } : {});
