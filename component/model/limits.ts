/**
 * Every limit the component enforces, in one place: Convex's own per-document and
 * per-transaction limits, as the backend checks them, and the shares of them one call may
 * use. Every refusal is a `LIMIT_EXCEEDED` ConvexError whose data says which limit
 * (`{code, message, limit, max, actual, ...}`), or INVALID_ARGUMENT for a field name Convex
 * does not allow. Server-side cascades run in batches sized from these numbers.
 */
import type { Value } from "convex/values";
import { fail } from "./errors.js";

/** Convex's per-transaction limits (docs: "Limits"). */
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
/** At most this many encoded bytes (`approximateSize`) in one batch write; leaves room for reads and indexes. */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Page sizes a caller may ask for. */
export const MAX_PAGE_SIZE = 1_000;
/** Rows a scheduled cascade (deleting a thread or an index) deletes per transaction. */
export const DELETE_BATCH_SIZE = 1_000;

// --- stored documents, as the backend checks them ----------------------------------------

/** crates/common/src/document.rs `MAX_DOCUMENT_NESTING`: a document (itself level 1) nests at most 16 levels. */
export const MAX_DOCUMENT_NESTING = 16;
/** crates/value/src/object.rs `MAX_OBJECT_FIELDS`. */
export const MAX_OBJECT_FIELDS = 1_024;
/** crates/value/src/array.rs `MAX_ARRAY_LEN`. */
export const MAX_ARRAY_LENGTH = 8_192;
/** crates/convex/sync_types/src/identifier.rs `MAX_FIELD_NAME_LENGTH`. */
export const MAX_FIELD_NAME_LENGTH = 1_024;
/**
 * The largest `_id` and `_creationTime` fields a stored document carries, by the size rule of
 * `documentSize`: a 37-character id (crates/value/src/id_v6.rs: 23 bytes in base32) and a float64.
 */
const SYSTEM_FIELDS_BYTES = "_id".length + 1 + (2 + 37) + "_creationTime".length + 1 + 9;
/**
 * The most a document may hold besides its system fields: crates/common/src/document.rs
 * `MAX_USER_SIZE` (1 MiB, `check_user_size`, system fields included) less `SYSTEM_FIELDS_BYTES`.
 */
export const MAX_DOCUMENT_BYTES = CONVEX_LIMITS.documentBytes - SYSTEM_FIELDS_BYTES;

/** Which limit a LIMIT_EXCEEDED refusal is about (its data's `limit`). */
export type LimitName =
  | "batchItems"
  | "batchBytes"
  | "documentBytes"
  | "documentNesting"
  | "objectFields"
  | "arrayLength"
  | "fieldNameLength"
  | "storedBytes"
  | (string & {});

/** The data of every LIMIT_EXCEEDED error, besides `code` and `message`. */
export interface LimitData {
  /** Which limit. */
  limit: LimitName;
  /** The most it allows. */
  max: number;
  /** What the call asked for. */
  actual: number;
}

/** Throws LIMIT_EXCEEDED with `{limit, max, actual, ...details}` as data. */
export function limitExceeded(message: string, data: LimitData & Record<string, Value>): never {
  return fail("LIMIT_EXCEEDED", message, data);
}

// --- batches -----------------------------------------------------------------------------

/** Refuses a batch of more than `maxItems` items or more than MAX_BATCH_BYTES. */
export function checkBatch(what: string, items: unknown[], maxItems = MAX_BATCH_ITEMS): void {
  if (items.length > maxItems) {
    limitExceeded(
      `${items.length} ${what} in one call; at most ${maxItems} are allowed: split them into batches of ${maxItems} or fewer`,
      { limit: "batchItems", max: maxItems, actual: items.length },
    );
  }
  const bytes = approximateSize(items);
  if (bytes > MAX_BATCH_BYTES) {
    limitExceeded(
      `${what} of about ${bytes} bytes in one call; at most ${MAX_BATCH_BYTES} are allowed: split them into smaller batches`,
      { limit: "batchBytes", max: MAX_BATCH_BYTES, actual: bytes },
    );
  }
}

/**
 * The size of a value as one call's share is counted (batches): UTF-8 bytes of its JSON
 * form, with 8 bytes per number. Close to the JSON the SDK sends, so batches it cuts by their
 * bytes fit.
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

// --- one stored document -----------------------------------------------------------------

/**
 * A value's size as the backend counts it (crates/value/src/lib.rs `impl Size for ConvexValue`,
 * size.rs `array_size`/`object_size`, string.rs, bytes.rs): null and booleans 1, numbers and
 * int64 9, strings and bytes their length + 2, arrays 2 + their items, objects 2 + per field its
 * name + 1 + its value. Undefined fields are not stored.
 */
export function documentSize(value: unknown): number {
  if (value === null) return 1;
  switch (typeof value) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 9;
    case "string":
      return utf8Length(value) + 2;
    case "object": {
      if (value instanceof ArrayBuffer) return value.byteLength + 2;
      if (Array.isArray(value)) {
        let total = 2;
        for (const item of value) total += documentSize(item);
        return total;
      }
      let total = 2;
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (item !== undefined) total += utf8Length(key) + 1 + documentSize(item);
      }
      return total;
    }
    default:
      return 0;
  }
}

/**
 * Checks a document before it is written, as the backend checks it when the write arrives,
 * so a refused call writes nothing and says which limit:
 * - nesting: the document is level 1, each object or array one more, at most
 *   MAX_DOCUMENT_NESTING (crates/common/src/document.rs `validate`, `TooNested`);
 * - at most MAX_OBJECT_FIELDS fields per object (crates/value/src/object.rs `check_field_count`)
 *   and MAX_ARRAY_LENGTH items per array (crates/value/src/array.rs `check_array_len`);
 * - field names (crates/convex/sync_types/src/identifier.rs `check_valid_field_name`): not
 *   starting with `$`, printable ASCII only, at most MAX_FIELD_NAME_LENGTH characters
 *   (INVALID_ARGUMENT for the first two). Names starting with `_` are reserved only at the top
 *   level of a document (crates/value/src/field_name.rs), which the schema owns: nested ones
 *   are fine;
 * - its size at most MAX_DOCUMENT_BYTES (crates/common/src/document.rs `check_user_size`).
 *
 * `what` names the document in messages (`message "m-1"`).
 */
export function checkDocument(what: string, doc: Record<string, unknown>): void {
  walkValue(what, doc, "", 1);
  const size = documentSize(doc);
  if (size > MAX_DOCUMENT_BYTES) {
    limitExceeded(
      `${what} would be ${size} bytes; one document may hold at most ${MAX_DOCUMENT_BYTES} besides its system fields: store less in it (split the content or move large data elsewhere)`,
      { limit: "documentBytes", max: MAX_DOCUMENT_BYTES, actual: size },
    );
  }
}

function walkValue(what: string, value: unknown, path: string, level: number): void {
  if (typeof value !== "object" || value === null || value instanceof ArrayBuffer) return;
  if (level > MAX_DOCUMENT_NESTING) {
    limitExceeded(
      `${what} nests deeper than ${MAX_DOCUMENT_NESTING} levels (at ${path || "the top"}): Convex stores at most ${MAX_DOCUMENT_NESTING} levels of objects and arrays per document`,
      { limit: "documentNesting", max: MAX_DOCUMENT_NESTING, actual: level, path },
    );
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_LENGTH) {
      limitExceeded(
        `${what}: the array at ${path} has ${value.length} items; Convex stores at most ${MAX_ARRAY_LENGTH} per array`,
        { limit: "arrayLength", max: MAX_ARRAY_LENGTH, actual: value.length, path },
      );
    }
    value.forEach((item, i) => walkValue(what, item, `${path}[${i}]`, level + 1));
    return;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
  if (entries.length > MAX_OBJECT_FIELDS) {
    limitExceeded(
      `${what}: the object at ${path || "the top"} has ${entries.length} fields; Convex stores at most ${MAX_OBJECT_FIELDS} per object`,
      { limit: "objectFields", max: MAX_OBJECT_FIELDS, actual: entries.length, path },
    );
  }
  for (const [key, item] of entries) {
    const at = path === "" ? key : `${path}.${key}`;
    if (level > 1) checkFieldName(what, key, at);
    walkValue(what, item, at, level + 1);
  }
}

/** crates/convex/sync_types/src/identifier.rs `check_valid_field_name`. */
function checkFieldName(what: string, key: string, path: string): void {
  if (key.startsWith("$")) {
    fail("INVALID_ARGUMENT", `${what}: field name "${key}" (at ${path}) starts with "$", which Convex does not allow in stored objects`, {
      field: path,
      rule: "fieldNameDollar",
    });
  }
  if (!/^[\x20-\x7e]*$/.test(key)) {
    fail("INVALID_ARGUMENT", `${what}: field name ${JSON.stringify(key)} (at ${path}) may hold only printable ASCII characters in Convex`, {
      field: path,
      rule: "fieldNameAscii",
    });
  }
  if (key.length > MAX_FIELD_NAME_LENGTH) {
    limitExceeded(`${what}: a field name at ${path.slice(0, 80)}... is ${key.length} characters; Convex allows at most ${MAX_FIELD_NAME_LENGTH}`, {
      limit: "fieldNameLength",
      max: MAX_FIELD_NAME_LENGTH,
      actual: key.length,
    });
  }
}

// --- text --------------------------------------------------------------------------------

/** UTF-8 byte length of a string (a lone surrogate counts 3, as its replacement character). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
