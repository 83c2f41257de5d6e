/**
 * Small conversions between rows and API values shared by the SQL drivers:
 * JSON text columns, 0/1 booleans, ISO timestamps and Keystone's time format.
 */
import { randomUUID } from 'node:crypto';

/** A new Keystone id: a UUID4 without dashes, as uuid.uuid4().hex. */
export function newId(): string {
  return randomUUID().replaceAll('-', '');
}

/** The JSON object stored in a text column ({} when empty or unreadable). */
export function parseJsonObject(text: string | null | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Text for a JSON column (null for an empty object). */
export function jsonText(obj: Record<string, unknown>): string | null {
  return Object.keys(obj).length === 0 ? null : JSON.stringify(obj);
}

/** 0/1 (or pg's '0'/'1' strings) to boolean. */
export function bool(v: unknown): boolean {
  return v === 1 || v === true || v === '1' || v === 't';
}

/** A number column (pg returns bigint as string). */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Now as an ISO string in UTC with milliseconds. */
export function nowIso(now: Date = new Date()): string {
  return now.toISOString();
}

/** An ISO time plus some seconds. */
export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString();
}

/**
 * Keystone's API time format ("2016-11-06T15:32:17.000000": microseconds, no zone), as
 * oslo's utils.isotime(subsecond=True) without the Z that users.password_expires_at shows.
 */
export function keystoneTime(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000`;
}
