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

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * 'YYYY-MM-DDTHH:MM:SS' of whole seconds since the epoch (years 1970-9999), by arithmetic:
 * days to a civil date as in H. Hinnant's civil_from_days. Date#toISOString was most of the time
 * of a 10,000-object JSON listing.
 */
function isoSeconds(sec: number): string {
  const days = Math.floor(sec / 86400);
  let rest = sec - days * 86400;
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const second = rest - minute * 60;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}`;
}

/** Seconds isoSeconds answers for: 1970-01-01 up to the end of 9999. */
const MAX_ISO_SECONDS = 253402300799;

/** The whole seconds of the last timestamp formatted, and their text: rows written in the same second follow one another in listings. */
let lastWhole = '';
let lastIso = '';

/** '2016-01-01T00:00:00.000000' as listings show last_modified. */
export function isoFromTimestamp(ts: string): string {
  const dot = ts.indexOf('.');
  const w = dot < 0 ? ts : ts.slice(0, dot);
  const f = dot < 0 ? '00000' : ts.slice(dot + 1);
  if (w !== lastWhole) {
    const sec = Number(w);
    lastIso = Number.isInteger(sec) && sec >= 0 && sec <= MAX_ISO_SECONDS ? isoSeconds(sec) : new Date(sec * 1000).toISOString().slice(0, 19);
    lastWhole = w;
  }
  return `${lastIso}.${(f + '0').slice(0, 6)}`;
}

/** The HTTP date of Last-Modified (rounded up to the next second, as Swift does). */
export function httpDateFromTimestamp(ts: string): string {
  return new Date(Math.ceil(Number(ts)) * 1000).toUTCString();
}
