/**
 * Times of the image service: stored as ISO 8601 UTC with milliseconds so that rows created in
 * the same second still sort in creation order; shown as Glance shows them, in whole seconds
 * (timeutils.isotime: "2024-05-01T12:00:00Z").
 */

let last = 0;

/**
 * The current time as stored; strictly increasing within this process, so that records
 * created in the same millisecond keep their creation order.
 */
export function nowStored(): string {
  last = Math.max(Date.now(), last + 1);
  return new Date(last).toISOString();
}

/** A stored time (or Date) as Glance shows it. */
export function isotime(value: string | Date): string {
  const s = typeof value === 'string' ? value : value.toISOString();
  return s.replace(/\.\d+Z$/, 'Z');
}
