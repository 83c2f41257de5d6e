/**
 * Swift's Timestamp (swift/common/utils/timestamp.py) in its normal form: seconds since the
 * epoch with five decimals, zero-padded to 16 characters ('1700000000.12345'), so that string
 * order is time order. Offsets ('_0000000000000001') are not used here.
 */
const NORMAL = /^\d{10}\.\d{5}$/;

export class BadTimestamp extends Error {}

/** Normalises an X-Timestamp / X-Put-Timestamp value; throws BadTimestamp. */
export function normalizeTimestamp(raw: string | number): string {
  const s = typeof raw === 'number' ? String(raw) : raw.trim();
  if (typeof raw === 'string' && NORMAL.test(s)) return s;
  const main = s.split('_')[0]!;
  if (!/^\d+(\.\d+)?$/.test(main)) throw new BadTimestamp(`invalid timestamp ${JSON.stringify(s)}`);
  const [whole, frac = ''] = main.split('.');
  if (whole!.length > 10) throw new BadTimestamp(`timestamp out of range ${s}`);
  // Round to five decimals as '%016.05f' does.
  const micro = BigInt(whole!) * 100000n + BigInt((frac + '00000').slice(0, 5)) + (Number(frac[5] ?? '0') >= 5 ? 1n : 0n);
  const w = (micro / 100000n).toString().padStart(10, '0');
  const f = (micro % 100000n).toString().padStart(5, '0');
  if (w.length > 10) throw new BadTimestamp(`timestamp out of range ${s}`);
  return `${w}.${f}`;
}

export function nowTimestamp(now = Date.now()): string {
  return normalizeTimestamp((now / 1000).toFixed(5));
}

/** '2016-01-01T00:00:00.000000' as listings show last_modified. */
export function isoFromTimestamp(ts: string): string {
  const [w, f = '00000'] = ts.split('.');
  const d = new Date(Number(w) * 1000);
  return `${d.toISOString().slice(0, 19)}.${(f + '0').slice(0, 6)}`;
}

/** The HTTP date of Last-Modified (rounded up to the next second, as Swift does). */
export function httpDateFromTimestamp(ts: string): string {
  return new Date(Math.ceil(Number(ts)) * 1000).toUTCString();
}
