/**
 * Arbitrary JSON (workflow snapshots, step results, score and span payloads)
 * travels and is stored as JSON text: Convex values cannot carry object keys
 * starting with `$` (not even as arguments on the wire), and stored field
 * names may not start with `$` or `_`, while agent payloads routinely do
 * (`$schema`, `$ref`, `__typename`, ...). Text keeps them byte-exact.
 */
import { invalidArgument } from "./errors.js";

/** Parses JSON text given as argument `field`; INVALID_ARGUMENT when it is not JSON. */
export function parseJsonText(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    return invalidArgument(`${field} must be JSON text: ${(error as Error).message}`, { field });
  }
}

/** Like {@link parseJsonText}, and the value must be a JSON object (not an array or a scalar). */
export function parseJsonObject(text: string, field: string): Record<string, unknown> {
  const value = parseJsonText(text, field);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalidArgument(`${field} must be the JSON text of an object`, { field });
  }
  return value as Record<string, unknown>;
}

/** Checks optional JSON text arguments (named by the keys of `fields`). */
export function checkJsonFields(fields: Record<string, string | undefined>): void {
  for (const [field, text] of Object.entries(fields)) {
    if (text !== undefined) parseJsonText(text, field);
  }
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each, never
 * between the two halves of a surrogate pair; joining the pieces gives `text`
 * back exactly. An empty text gives one empty piece.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let width: number;
    let units = 1;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      width = 4;
      units = 2;
    } else width = 3;
    if (bytes + width > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += width;
    i += units - 1;
  }
  if (start < text.length || pieces.length === 0) pieces.push(text.slice(start));
  return pieces;
}

/** A name-like argument: non-empty, at most `max` characters. */
export function checkName(value: string, field: string, max = 512): void {
  if (value.length === 0) invalidArgument(`${field} must not be empty`, { field });
  if (value.length > max) invalidArgument(`${field} is longer than ${max} characters`, { field });
}

/** Checks a time (ms since epoch) argument. */
export function checkTime(value: number | undefined, field: string): void {
  if (value !== undefined && !Number.isFinite(value)) {
    invalidArgument(`${field} must be a finite number of milliseconds`, { field });
  }
}
