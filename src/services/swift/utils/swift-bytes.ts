/**
 * The `swift_bytes` parameter of a stored content type (swift/common/utils extract_swift_bytes,
 * clean_content_type): a static large object's manifest is stored with
 * `;swift_bytes=<total size>` on its content type, so that container listings report the whole
 * object's size as its bytes, and nobody else ever sees the parameter.
 */
const PARAM = /;\s*swift_bytes=([^;]*)/;

/** The content type without swift_bytes, and its value (undefined when absent). */
export function extractSwiftBytes(contentType: string): { contentType: string; swiftBytes?: string } {
  // most content types have no parameter at all (a listing asks this of every row)
  if (!contentType.includes('swift_bytes=')) return { contentType };
  const m = PARAM.exec(contentType);
  if (!m) return { contentType };
  return { contentType: contentType.slice(0, m.index) + contentType.slice(m.index + m[0].length), swiftBytes: m[1]!.trim() };
}

export const withoutSwiftBytes = (contentType: string): string => extractSwiftBytes(contentType).contentType;

/** A listing row's bytes and content type (override_bytes_from_content_type): swift_bytes, when an integer, is the bytes. */
export function listedSize(size: number, contentType: string): { bytes: number; contentType: string } {
  const { contentType: clean, swiftBytes } = extractSwiftBytes(contentType);
  if (swiftBytes === undefined) return { bytes: size, contentType };
  return { bytes: /^\d+$/.test(swiftBytes) ? Number(swiftBytes) : size, contentType: clean };
}
