/**
 * The two Accept-header questions webob answers for placement: which of several offers to
 * render an error in (AcceptValidHeader.best_match, legacy semantics: highest q wins, a more
 * specific range wins a tie) and whether an offer is acceptable at all (acceptable_offers: the
 * most specific matching range decides, q=0 refuses). Written by hand to follow webob 1.8.
 */

interface Range {
  type: string;
  q: number;
}

function parse(header: string): Range[] {
  const out: Range[] = [];
  for (const part of header.split(',')) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const type = range.trim();
    if (type === '') continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    out.push({ type, q: Number.isFinite(q) ? q : 0 });
  }
  return out;
}

/** webob's _old_match: `*\/*`, `type/*` or the exact type. */
function matches(mask: string, offer: string): boolean {
  if (mask === '*' || mask === '*/*') return true;
  const [family] = offer.split('/');
  return mask === offer || mask === `${family}/*`;
}

const stars = (mask: string): number => mask.split('*').length - 1;

/** AcceptValidHeader.best_match(offers, default_match). */
export function bestMatch(header: string, offers: readonly string[], defaultMatch: string): string {
  let bestQuality = -1;
  let best = defaultMatch;
  let matchedBy = '*/*';
  const ranges = parse(header).filter((r) => r.q > 0);
  for (const offer of offers) {
    for (const { type, q } of ranges) {
      if (q < bestQuality) continue;
      if (q === bestQuality && stars(matchedBy) <= stars(type)) continue;
      if (matches(type, offer)) {
        bestQuality = q;
        best = offer;
        matchedBy = type;
      }
    }
  }
  return best;
}

/** Whether `offer` is among AcceptValidHeader.acceptable_offers([offer]). */
export function acceptable(header: string, offer: string): boolean {
  let specificity = -1;
  let quality = 0;
  for (const { type, q } of parse(header)) {
    if (!matches(type, offer)) continue;
    const s = type === offer ? 2 : type.endsWith('/*') && type !== '*/*' ? 1 : 0;
    if (s > specificity) {
      specificity = s;
      quality = q;
    }
  }
  return specificity >= 0 && quality > 0;
}
