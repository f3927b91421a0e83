/**
 * Convex values as a deployment checks them, where convex-test does not.
 *
 * The reference is the open-source backend (`get-convex/convex-backend`):
 * - `crates/value/src/json/mod.rs`: JSON -> value (`$integer`, `$bytes`,
 *   `$float`, field names), the errors it raises;
 * - `crates/value/src/{object,array,size,string}.rs`: at most 1,024 fields per
 *   object, 8,192 items per array, 64 levels of nesting and 32 MiB per value;
 * - `crates/convex/sync_types/src/identifier.rs`: field names;
 * - `crates/common/src/document.rs`: stored documents nest at most 16 levels,
 *   weigh at most 1 MiB, and only `_id` / `_creationTime` may start with `_`
 *   at the top level;
 * - `crates/value/src/lib.rs`, `utils.rs`, `bytes.rs`: how a value is printed
 *   in an error message (`{a: 1.0, b: "x"}`).
 *
 * Objects are always built with own data properties, so a key such as
 * `__proto__` stays a plain key and never becomes a prototype.
 */
import type { Value } from "convex/values";

/** `crates/value/src/object.rs` MAX_OBJECT_FIELDS. */
export const MAX_OBJECT_FIELDS = 1024;
/** `crates/value/src/array.rs` MAX_ARRAY_LEN. */
export const MAX_ARRAY_LEN = 8192;
/** `crates/value/src/size.rs` MAX_NESTING: any value (arguments, return values). */
export const MAX_VALUE_NESTING = 64;
/** `crates/value/src/size.rs` MAX_SIZE: any value. */
export const MAX_VALUE_SIZE = 1 << 25;
/** `crates/common/src/document.rs` MAX_DOCUMENT_NESTING: stored documents. */
export const MAX_DOCUMENT_NESTING = 16;
/** `crates/common/src/document.rs` MAX_USER_SIZE: stored documents. */
export const MAX_DOCUMENT_SIZE = 1 << 20;
/** `crates/convex/sync_types/src/identifier.rs` MAX_FIELD_NAME_LENGTH. */
export const MAX_FIELD_NAME_LENGTH = 1024;

/** How many characters of an input an error message quotes before cutting it (the backend quotes it whole). */
export const MAX_QUOTED_CHARS = 1000;

/** A value refused; `message` is the backend's. */
export class ValueError extends Error {
  constructor(
    message: string,
    /** The backend's short code (`TooManyFieldsError`, ...) when it has one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = "ValueError";
  }
}

/** Sets `key` as an own data property (never the `__proto__` setter). */
export function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Own enumerable property, looked up without touching the prototype chain. */
export function ownField(object: object, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, Value> {
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof ArrayBuffer) return false;
  return true;
}

/** Cuts a long input for an error message. */
export function quoteInput(text: string, limit = MAX_QUOTED_CHARS): string {
  if (text.length <= limit) return text;
  return `${text.slice(0, limit)}... (${text.length - limit} more characters)`;
}

// --- field names: crates/convex/sync_types/src/identifier.rs -----------------------------

/** `check_valid_field_name`. */
export function checkFieldName(name: string): void {
  if (name.startsWith("$")) throw new ValueError(`Field name ${quoteInput(name)} starts with '$', which is reserved.`);
  for (const char of name) {
    const code = char.codePointAt(0) as number;
    if (code > 0x7f || code < 0x20 || code === 0x7f) {
      throw new ValueError(
        `Field name ${quoteInput(name)} has invalid character ${rustDebugChar(char)}: Field names can only contain non-control ASCII characters`,
      );
    }
  }
  if (name.length > MAX_FIELD_NAME_LENGTH) {
    throw new ValueError(`Field name is too long (${name.length} > maximum ${MAX_FIELD_NAME_LENGTH})`);
  }
}

// --- limits: crates/value/src/{object,array,size}.rs -------------------------------------

function checkFieldCount(count: number): void {
  if (count > MAX_OBJECT_FIELDS) {
    throw new ValueError(`Object has too many fields (${count} > maximum number ${MAX_OBJECT_FIELDS})`, "TooManyFieldsError");
  }
}

function checkArrayLength(length: number): void {
  if (length > MAX_ARRAY_LEN) {
    throw new ValueError(`Array length is too long (${length} > maximum length ${MAX_ARRAY_LEN})`, "ArrayTooLong");
  }
}

function checkNesting(nesting: number): void {
  if (nesting > MAX_VALUE_NESTING) {
    throw new ValueError(
      `Value is too nested (nested ${nesting} levels deep > maximum nesting ${MAX_VALUE_NESTING})`,
      "TooNestedError",
    );
  }
}

function checkSystemSize(size: number): void {
  if (size > MAX_VALUE_SIZE) {
    throw new ValueError(`Value is too large (${formatSize(size)} > maximum size ${formatSize(MAX_VALUE_SIZE)})`, "ValueTooLargeError");
  }
}

/** humansize's `format_size(n, BINARY)` as the backend prints sizes: "1 MiB", "16.5 KiB", "12 B". */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${bytes} B`;
  const text = value.toFixed(2).replace(/\.?0+$/, "");
  return `${text} ${units[unit]}`;
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** A value's size as the backend counts it (`Size::size`; the same rule as `getConvexSize` in `convex/values`). */
export function valueSize(value: Value | undefined): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "number" || typeof value === "bigint") return 9;
  if (typeof value === "string") return 2 + utf8Length(value);
  if (value instanceof ArrayBuffer) return 2 + value.byteLength;
  if (Array.isArray(value)) {
    let size = 2;
    for (const item of value) size += valueSize(item);
    return size;
  }
  let size = 2;
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) size += utf8Length(key) + 1 + valueSize(item);
  }
  return size;
}

/** Levels of nesting: 0 for a scalar, 1 for `[]` or `{}`, 2 for `[[]]`, ... (`Size::nesting`). */
export function valueNesting(value: Value | undefined): number {
  if (Array.isArray(value)) {
    let deepest = 0;
    for (const item of value) deepest = Math.max(deepest, valueNesting(item));
    return 1 + deepest;
  }
  if (isPlainObject(value)) {
    let deepest = 0;
    for (const item of Object.values(value)) deepest = Math.max(deepest, valueNesting(item));
    return 1 + deepest;
  }
  return 0;
}

// --- JSON -> value: crates/value/src/json/mod.rs ------------------------------------------

/**
 * A base64 decoder with the errors of the `base64` 0.13 crate the backend
 * uses (`crates/value/src/json/{integer,bytes,float}.rs`).
 */
export function decodeBase64(text: string): Uint8Array {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let end = text.length;
  let padding = 0;
  while (end > 0 && text[end - 1] === "=" && padding < 2) {
    end--;
    padding++;
  }
  const sextets: number[] = [];
  for (let i = 0; i < end; i++) {
    const index = alphabet.indexOf(text[i]);
    if (index === -1) throw new ValueError(`Invalid byte ${text.charCodeAt(i)}, offset ${i}.`);
    sextets.push(index);
  }
  if (padding > 0 && (end + padding) % 4 !== 0) {
    throw new ValueError(`Invalid byte ${"=".charCodeAt(0)}, offset ${end}.`);
  }
  if (sextets.length % 4 === 1) throw new ValueError("Encoded text cannot have a 6-bit remainder.");
  const out = new Uint8Array(Math.floor((sextets.length * 6) / 8));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < sextets.length; i++) {
    buffer = (buffer << 6) | sextets[i];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0 && buffer !== 0) {
    const last = sextets.length - 1;
    throw new ValueError(`Invalid last symbol ${text.charCodeAt(last)}, offset ${last}.`);
  }
  return out;
}

function expectString(value: unknown): string {
  if (typeof value === "string") return value;
  throw new ValueError(`invalid type: ${serdeUnexpected(value)}, expected a string`);
}

/** serde's `Unexpected` for a JSON value ("integer `5`", "map", ...). */
export function serdeUnexpected(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return `boolean \`${value}\``;
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 64) return `integer \`${value}\``;
    return `floating point \`${rustDisplayFloat(value, true)}\``;
  }
  if (typeof value === "string") return `string ${JSON.stringify(quoteInput(value))}`;
  if (Array.isArray(value)) return "sequence";
  return "map";
}

function isSpecialFloat(n: number): boolean {
  return Number.isNaN(n) || !Number.isFinite(n) || Object.is(n, -0);
}

/** Lone UTF-16 surrogates: only `\u` escapes can make them, and serde_json refuses them. */
export function hasLoneSurrogate(text: string): boolean {
  return !(text as string & { isWellFormed(): boolean }).isWellFormed();
}

/** Thrown for JSON the backend's serde_json parser refuses ("Invalid arguments provided"). */
export class UnparsableJsonError extends Error {}

/**
 * `ConvexValue::try_from(JsonValue)`: a parsed JSON value to a Convex value,
 * with every check and message of the backend. Lone surrogates (which
 * serde_json refuses while parsing) throw {@link UnparsableJsonError}.
 */
export function jsonToValue(json: unknown): Value {
  return decode(json).value;
}

type Decoded = { value: Value; size: number; nesting: number };

function decode(json: unknown): Decoded {
  if (json === null) return { value: null, size: 1, nesting: 0 };
  switch (typeof json) {
    case "boolean":
      return { value: json, size: 1, nesting: 0 };
    case "number":
      // JSON.parse turns a literal too large for a float64 into Infinity; serde_json refuses it.
      if (!Number.isFinite(json)) throw new UnparsableJsonError("number out of range");
      return { value: json, size: 9, nesting: 0 };
    case "string": {
      if (hasLoneSurrogate(json)) throw new UnparsableJsonError("lone leading surrogate in hex escape");
      const size = 2 + utf8Length(json);
      checkSystemSize(size);
      return { value: json, size, nesting: 0 };
    }
    default:
      break;
  }
  if (Array.isArray(json)) {
    const items: Value[] = [];
    let size = 2;
    let deepest = 0;
    for (const item of json) {
      const decoded = decode(item);
      items.push(decoded.value);
      size += decoded.size;
      deepest = Math.max(deepest, decoded.nesting);
    }
    checkArrayLength(items.length);
    checkSystemSize(size);
    checkNesting(deepest + 1);
    return { value: items, size, nesting: deepest + 1 };
  }
  if (typeof json !== "object") throw new ValueError(`Unexpected JSON value ${String(json)}`);
  const keys = Object.keys(json);
  for (const key of keys) {
    if (hasLoneSurrogate(key)) throw new UnparsableJsonError("lone leading surrogate in hex escape");
  }
  if (keys.length === 1) {
    const key = keys[0];
    const inner = ownField(json, key);
    if (key === "$bytes") {
      const bytes = decodeBase64(expectString(inner));
      const size = 2 + bytes.length;
      checkSystemSize(size);
      return { value: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, size, nesting: 0 };
    }
    if (key === "$integer") {
      const bytes = decodeBase64(expectString(inner));
      if (bytes.length !== 8) throw new ValueError("Int64 must be exactly eight bytes");
      return { value: Buffer.from(bytes).readBigInt64LE(0), size: 9, nesting: 0 };
    }
    if (key === "$float") {
      const bytes = decodeBase64(expectString(inner));
      if (bytes.length !== 8) throw new ValueError("Float64 must be exactly eight bytes");
      const n = Buffer.from(bytes).readDoubleLE(0);
      if (!isSpecialFloat(n) && n !== 0) throw new ValueError(`Float64 ${rustDisplayFloat(n, false)} should be encoded as a number`);
      return { value: n, size: 9, nesting: 0 };
    }
  }
  const out: Record<string, Value> = {};
  let size = 2;
  let deepest = 0;
  for (const key of keys) {
    checkFieldName(key);
    const decoded = decode(ownField(json, key));
    setField(out, key, decoded.value);
    size += utf8Length(key) + 1 + decoded.size;
    deepest = Math.max(deepest, decoded.nesting);
  }
  checkFieldCount(keys.length);
  checkSystemSize(size);
  checkNesting(deepest + 1);
  return { value: out, size, nesting: deepest + 1 };
}

// --- stored documents: crates/common/src/document.rs, crates/database/src/transaction.rs -----

/**
 * A value's nesting and size, and the first limit it breaks, checked the way
 * the backend builds values (innermost first): at most 1,024 fields per
 * object, 8,192 items per array, 64 levels. Objects' `undefined` fields do
 * not count (they are not sent).
 */
export function measureValue(value: Value | undefined): { nesting: number; size: number; problem: string | null } {
  let problem: string | null = null;
  const walk = (v: Value | undefined): { nesting: number; size: number } => {
    if (Array.isArray(v)) {
      let deepest = 0;
      let size = 2;
      for (const item of v) {
        const inner = walk(item);
        deepest = Math.max(deepest, inner.nesting);
        size += inner.size;
      }
      if (problem === null && v.length > MAX_ARRAY_LEN) problem = `Array length is too long (${v.length} > maximum length ${MAX_ARRAY_LEN})`;
      if (problem === null && deepest + 1 > MAX_VALUE_NESTING) {
        problem = `Value is too nested (nested ${deepest + 1} levels deep > maximum nesting ${MAX_VALUE_NESTING})`;
      }
      return { nesting: deepest + 1, size };
    }
    if (isPlainObject(v)) {
      let deepest = 0;
      let size = 2;
      let count = 0;
      for (const key of Object.keys(v)) {
        const item = ownField(v, key) as Value | undefined;
        if (item === undefined) continue;
        count++;
        const inner = walk(item);
        deepest = Math.max(deepest, inner.nesting);
        size += utf8Length(key) + 1 + inner.size;
      }
      if (problem === null && count > MAX_OBJECT_FIELDS) problem = `Object has too many fields (${count} > maximum number ${MAX_OBJECT_FIELDS})`;
      if (problem === null && deepest + 1 > MAX_VALUE_NESTING) {
        problem = `Value is too nested (nested ${deepest + 1} levels deep > maximum nesting ${MAX_VALUE_NESTING})`;
      }
      return { nesting: deepest + 1, size };
    }
    return { nesting: 0, size: valueSize(v) };
  };
  const { nesting, size } = walk(value);
  return { nesting, size, problem };
}

/** What `_id` (a 32-character id) and `_creationTime` add to a document's size. */
export const SYSTEM_FIELDS_SIZE = "_id".length + 1 + 2 + 32 + "_creationTime".length + 1 + 9;

/**
 * The checks a deployment makes on a document it is asked to write (the
 * user's fields, without `_id` / `_creationTime`), in the backend's order:
 * the value itself (fields, array items, 64 levels: the write's argument
 * error), then the document (16 levels, reserved top-level fields:
 * `InvalidDocumentError`, `crates/common/src/document.rs`), then its size
 * with the system fields (1 MiB, `check_user_size` in
 * `crates/database/src/transaction.rs`).
 */
export function documentViolation(fields: Record<string, Value | undefined>): { message: string; kind: "value" | "document" | "size" } | null {
  const { nesting, size, problem } = measureValue(fields);
  if (problem !== null) return { message: problem, kind: "value" };
  const violations: string[] = [];
  if (nesting > MAX_DOCUMENT_NESTING) {
    violations.push(`Document is too nested (nested ${nesting} levels deep > maximum nesting ${MAX_DOCUMENT_NESTING})`);
  }
  for (const key of Object.keys(fields)) {
    if (ownField(fields, key) !== undefined && key.startsWith("_") && key !== "_id" && key !== "_creationTime") {
      violations.push(`Field '${key}' starts with an underscore, which is only allowed for system fields like '_id'`);
    }
  }
  if (violations.length > 0) return { message: violations.join("\n "), kind: "document" };
  const total = size + SYSTEM_FIELDS_SIZE;
  if (total > MAX_DOCUMENT_SIZE) {
    return { message: `Value is too large (${formatSize(total)} > maximum size ${formatSize(MAX_DOCUMENT_SIZE)})`, kind: "size" };
  }
  return null;
}

// --- printing values: crates/value/src/lib.rs (Display for ConvexValue) -------------------

/** Rust's `{:?}` of a char ('\u{1f}'). */
function rustDebugChar(char: string): string {
  const code = char.codePointAt(0) as number;
  if (code === 0x27) return "'\\''";
  if (code < 0x20 || code === 0x7f) return `'\\u{${code.toString(16)}}'`;
  return `'${char}'`;
}

/** Rust's `{:?}` of a str: quotes, `\"`, `\\`, `\n`, `\t`, `\r`, `\0`, `\u{..}` for other controls. */
export function rustDebugString(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (code === 0) out += "\\0";
    else if (code < 0x20 || code === 0x7f || (code >= 0xd800 && code <= 0xdfff)) out += `\\u{${code.toString(16)}}`;
    else out += char;
  }
  return `${out}"`;
}

/**
 * Rust's Display (`debug` false: `1`, `1.5`) or Debug (`debug` true: `1.0`,
 * `1e16`) of an f64, as the backend prints numbers in messages.
 */
export function rustDisplayFloat(n: number, debug: boolean): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "inf";
  if (n === Number.NEGATIVE_INFINITY) return "-inf";
  if (n === 0) return Object.is(n, -0) ? (debug ? "-0.0" : "-0") : debug ? "0.0" : "0";
  const abs = Math.abs(n);
  if (debug && (abs >= 1e16 || abs < 1e-4)) {
    // Rust's Debug switches to exponential notation: 1e16, 1.5e-7.
    const [mantissa, exponent] = n.toExponential().split("e");
    return `${mantissa}e${exponent.replace("+", "")}`;
  }
  let text: string;
  if (abs >= 1e21 || abs < 1e-6) {
    // JavaScript would use an exponent; Rust's Display never does.
    text = n.toLocaleString("en-US", { useGrouping: false, maximumSignificantDigits: 17, maximumFractionDigits: 340 });
    const exact = Number(text);
    if (exact !== n) text = String(n);
  } else {
    text = String(n);
  }
  if (debug && !/[.e]/.test(text)) text += ".0";
  return text;
}

/**
 * A value as the backend prints it in an error message (`{a: 1.0, b: "x"}`,
 * `b"AAEC"`, `[1, 2]`, keys sorted), cut after {@link MAX_QUOTED_CHARS}
 * characters so an oversized input is never echoed whole.
 */
export function displayValue(value: Value | undefined, limit = MAX_QUOTED_CHARS): string {
  const out: string[] = [];
  let length = 0;
  let cut = false;
  const push = (text: string) => {
    if (cut) return;
    if (length + text.length > limit) {
      out.push(text.slice(0, Math.max(0, limit - length)));
      cut = true;
      return;
    }
    out.push(text);
    length += text.length;
  };
  const walk = (v: Value | undefined) => {
    if (cut) return;
    if (v === null || v === undefined) return push("null");
    switch (typeof v) {
      case "bigint":
        return push(v.toString());
      case "number":
        return push(rustDisplayFloat(v, true));
      case "boolean":
        return push(String(v));
      case "string":
        return push(rustDebugString(v));
      default:
        break;
    }
    if (v instanceof ArrayBuffer) return push(`b"${Buffer.from(v).toString("base64")}"`);
    if (Array.isArray(v)) {
      push("[");
      v.forEach((item, i) => {
        if (i > 0) push(", ");
        walk(item);
      });
      return push("]");
    }
    push("{");
    const keys = Object.keys(v)
      .filter((k) => (v as Record<string, Value | undefined>)[k] !== undefined)
      .sort(compareFieldNames);
    keys.forEach((key, i) => {
      if (i > 0) push(", ");
      push(`${key}: `);
      walk(ownField(v, key) as Value);
    });
    return push("}");
  };
  walk(value);
  return cut ? `${out.join("")}...` : out.join("");
}

/** Field names in the backend's order (BTreeMap of bytes; field names are ASCII). */
export function compareFieldNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
