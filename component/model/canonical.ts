/**
 * Canonical JSON and a short stable hash, for values that must be compared or
 * used as index keys independently of key order (checkpoint metadata tags,
 * store filters, vector filter keys).
 */
import { invalidArgument } from "./errors.js";
import { checkJsonText, parseJsonObject } from "./jsonText.js";

/** JSON text with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** Deep equality of two JSON values (numbers by value, objects regardless of key order). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

/** FNV-1a (64 bits) of the UTF-16 code units of `text`, as 16 hex digits. Not cryptographic. */
export function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, "0");
}

/**
 * An index key for a JSON value: its canonical text when short, else a hash of
 * it. Lookups by this key are always followed by an exact comparison, so a
 * hash collision costs a read, never a wrong answer.
 */
export function valueKey(value: unknown, maxLength = 128): string {
  const text = canonicalJson(value);
  return text.length <= maxLength ? text : `#${fnv1a64(text)}:${text.length}`;
}

/** Deepest nesting a JSON value compared by these helpers may have (they recurse). */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses JSON text into values for comparison (metadata tags, filters). The
 * grammar is checked first by jsonText's scanner; nesting beyond MAX_JSON_DEPTH
 * is INVALID_ARGUMENT (the comparisons recurse). The stored text itself is
 * never rewritten from these values.
 */
export function parseJsonForComparison(text: string, field: string, object: boolean): unknown {
  if (object) parseJsonObject(text, field);
  else checkJsonText(text, field);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_JSON_DEPTH) invalidArgument(`${field} nests deeper than ${MAX_JSON_DEPTH} levels`, { field });
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return JSON.parse(text);
}
