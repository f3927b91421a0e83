/**
 * Convex's per-transaction limits (docs: "Limits"), and the shares of them the
 * component allows one call to use. A call that would exceed a share is refused
 * with LIMIT_EXCEEDED and a message saying how to split it; server-side
 * cascades run in batches sized from these numbers.
 */
export const CONVEX_LIMITS = {
  bytesReadOrWritten: 16 * 1024 * 1024,
  argumentsBytes: 16 * 1024 * 1024,
  documentsScanned: 32_000,
  documentsWritten: 16_000,
  indexRanges: 4_096,
  documentBytes: 1024 * 1024,
  arrayLength: 8_192,
  functionsScheduled: 1_000,
} as const;

/** At most this many items in one batch write (saveMessages, upsert, createSpans, ...). */
export const MAX_BATCH_ITEMS = 1_000;
/** At most this many encoded bytes in one batch write; leaves room for reads and indexes. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** At most this many encoded bytes in one stored document (Convex's limit is 1 MiB). */
export const MAX_DOCUMENT_BYTES = 1_000_000;
/** Page sizes a caller may ask for. */
export const MAX_PAGE_SIZE = 1_000;
/** Rows a scheduled cascade (deleting a thread or an index) deletes per transaction. */
export const DELETE_BATCH_SIZE = 1_000;

/**
 * The size of a value as Convex counts it, closely enough to stay under limits:
 * UTF-8 bytes of its JSON form, with 8 bytes per number.
 */
export function approximateSize(value: unknown): number {
  if (value === null || value === undefined) return 1;
  switch (typeof value) {
    case "boolean":
      return 1;
    case "number":
      return 8;
    case "bigint":
      return 8;
    case "string":
      return utf8Length(value) + 2;
    case "object": {
      if (value instanceof ArrayBuffer) return value.byteLength;
      if (Array.isArray(value)) {
        let total = 2;
        for (const item of value) total += approximateSize(item) + 1;
        return total;
      }
      let total = 2;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item === undefined) continue;
        total += utf8Length(key) + 3 + approximateSize(item);
      }
      return total;
    }
    default:
      return 0;
  }
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
