/**
 * Arbitrary JSON (workflow snapshots, step results, score and span payloads)
 * travels and is stored as JSON text: Convex values cannot carry object keys
 * starting with `$` (not even as arguments on the wire), and stored field
 * names may not start with `$` or `_`, while agent payloads routinely do
 * (`$schema`, `$ref`, `__typename`, ...). Text keeps them byte-exact.
 *
 * Nothing here parses a payload into JavaScript values: `JSON.parse` would round
 * integers beyond 2^53, rewrite `1.0` as `1`, turn a `__proto__` key into a
 * prototype on assignment, and overflow the stack on deep nesting. Instead a
 * scanner checks the grammar without recursion, and merges splice the text of
 * the members they change, so every byte they do not change stays as written.
 */
import { conflict, invalidArgument } from "./errors.js";

// ---------------------------------------------------------------- scanning

const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

function notJson(field: string, what: string, at: number): never {
  return invalidArgument(`${field} must be JSON text: ${what} at character ${at}`, { field });
}

function skipSpace(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== SPACE && c !== TAB && c !== LF && c !== CR) return i;
    i++;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** The end (exclusive) of the string token starting at `i`. */
function scanString(text: string, i: number, field: string): number {
  if (text.charCodeAt(i) !== QUOTE) notJson(field, "expected a string", i);
  i++;
  for (;;) {
    if (i >= text.length) notJson(field, "unterminated string", i);
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) notJson(field, "control character in a string", i);
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75 /* u */) {
        for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) notJson(field, "bad \\u escape", i);
        i += 6;
        continue;
      }
      // " \ / b f n r t
      if (![QUOTE, BACKSLASH, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74].includes(e)) notJson(field, "bad escape", i);
      i += 2;
      continue;
    }
    i++;
  }
}

/** The end of the number, `true`, `false` or `null` starting at `i`. */
function scanScalar(text: string, i: number, field: string): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return scanString(text, i, field);
  for (const word of ["true", "false", "null"]) {
    if (text.startsWith(word, i)) return i + word.length;
  }
  const start = i;
  if (text.charCodeAt(i) === 0x2d /* - */) i++;
  if (text.charCodeAt(i) === 0x30) {
    i++;
  } else if (isDigit(text.charCodeAt(i))) {
    while (isDigit(text.charCodeAt(i))) i++;
  } else {
    notJson(field, i >= text.length ? "unexpected end" : "unexpected character", start);
  }
  if (text.charCodeAt(i) === 0x2e /* . */) {
    i++;
    if (!isDigit(text.charCodeAt(i))) notJson(field, "digit expected", i);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 0x65 || e === 0x45 /* e E */) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 0x2b || sign === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) notJson(field, "digit expected", i);
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}

/** Skips `"key" :` from `i` (no space before it) and the space after the colon. */
function scanKey(text: string, i: number, field: string): number {
  i = skipSpace(text, scanString(text, i, field));
  if (text.charCodeAt(i) !== COLON) notJson(field, "expected ':'", i);
  return skipSpace(text, i + 1);
}

/**
 * The end (exclusive) of the JSON value that starts at `start` (after optional
 * space). Any depth: containers are tracked on an explicit stack, not by recursion.
 */
function scanValue(text: string, start: number, field: string): number {
  const open: number[] = []; // CLOSE_OBJECT or CLOSE_ARRAY per open container
  let i = skipSpace(text, start);
  for (;;) {
    // A value starts at i.
    const c = text.charCodeAt(i);
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const close = c === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      i = skipSpace(text, i + 1);
      if (text.charCodeAt(i) !== close) {
        open.push(close);
        if (close === CLOSE_OBJECT) i = scanKey(text, i, field);
        continue;
      }
      i++;
    } else {
      i = scanScalar(text, i, field);
    }
    // A value ended at i: close what it completes, or move on to the next one.
    for (;;) {
      if (open.length === 0) return i;
      i = skipSpace(text, i);
      const d = text.charCodeAt(i);
      const close = open[open.length - 1];
      if (d === close) {
        open.pop();
        i++;
        continue;
      }
      if (d !== COMMA) notJson(field, i >= text.length ? "unexpected end" : `expected ',' or '${String.fromCharCode(close)}'`, i);
      i = skipSpace(text, i + 1);
      if (close === CLOSE_OBJECT) i = scanKey(text, i, field);
      break;
    }
  }
}

/** Checks that `text` (argument `field`) is one JSON value; INVALID_ARGUMENT naming the argument otherwise. */
export function checkJsonText(text: string, field: string): void {
  if (skipSpace(text, 0) >= text.length) notJson(field, "empty text", 0);
  const end = skipSpace(text, scanValue(text, 0, field));
  if (end !== text.length) notJson(field, "text after the value", end);
}

/** Checks optional JSON text arguments (named by the keys of `fields`). */
export function checkJsonFields(fields: Record<string, string | undefined>): void {
  for (const [field, text] of Object.entries(fields)) {
    if (text !== undefined) checkJsonText(text, field);
  }
}

// ---------------------------------------------------------------- objects as text

/** One member of a JSON object, by position in the object's text. */
interface Member {
  /** The key, decoded. */
  key: string;
  /** The key token exactly as written (quotes included). */
  keyText: string;
  /** Where the member's value starts and ends (exclusive) in the object's text. */
  valueStart: number;
  valueEnd: number;
}

/** A JSON object's text and its members, in order. */
export interface JsonObject {
  text: string;
  members: Member[];
  /** Index of the closing `}` in `text`. */
  close: number;
}

/** The top-level members of `text`, which must be a JSON object; INVALID_ARGUMENT otherwise (one pass). */
export function parseJsonObject(text: string, field: string): JsonObject {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_OBJECT) {
    checkJsonText(text, field); // says what is wrong when it is not JSON at all
    invalidArgument(`${field} must be the JSON text of an object`, { field });
  }
  const members: Member[] = [];
  const done = (close: number): JsonObject => {
    if (skipSpace(text, close + 1) !== text.length) notJson(field, "text after the value", skipSpace(text, close + 1));
    return { text, members, close };
  };
  i = skipSpace(text, i + 1);
  if (text.charCodeAt(i) === CLOSE_OBJECT) return done(i);
  for (;;) {
    const keyEnd = scanString(text, i, field);
    const keyText = text.slice(i, keyEnd);
    const valueStart = scanKey(text, i, field);
    const valueEnd = scanValue(text, valueStart, field);
    members.push({ key: JSON.parse(keyText) as string, keyText, valueStart, valueEnd });
    i = skipSpace(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === CLOSE_OBJECT) return done(i);
    if (c !== COMMA) notJson(field, i >= text.length ? "unexpected end" : "expected ',' or '}'", i);
    i = skipSpace(text, i + 1);
  }
}

/** Whether the JSON value text `value` is an object. */
export function isJsonObjectText(value: string): boolean {
  return value.charCodeAt(skipSpace(value, 0)) === OPEN_OBJECT;
}

/** The value text of member `key`, or undefined when the object has none. */
export function memberText(object: JsonObject, key: string): string | undefined {
  const member = object.members.find((m) => m.key === key);
  return member === undefined ? undefined : object.text.slice(member.valueStart, member.valueEnd);
}

/**
 * Refuses an object in which some key appears twice: which of the two a merge
 * should replace is not defined, so no merge of it can be exact. `what` says
 * which object; `stored` makes it a CONFLICT (existing data) rather than an
 * INVALID_ARGUMENT (the caller's argument).
 */
export function checkUniqueKeys(object: JsonObject, what: string, stored: boolean): void {
  const seen = new Set<string>();
  for (const { key } of object.members) {
    if (seen.has(key)) {
      const message = `${what} has the key ${JSON.stringify(key.slice(0, 64))} more than once, so a merge into it cannot be exact`;
      if (stored) conflict(`${message}: persist a snapshot without duplicate keys first`, { field: what });
      invalidArgument(message, { field: what });
    }
    seen.add(key);
  }
}

/** A member to set: its key token as JSON text and its value as JSON text. */
export interface MemberUpdate {
  keyText: string;
  valueText: string;
}

/** The member update for `key` (a plain string) set to JSON text `valueText`. */
export function memberUpdate(key: string, valueText: string): MemberUpdate {
  return { keyText: JSON.stringify(key), valueText: valueText.trim() };
}

/** The members of a JSON object, as updates (to merge one object into another). */
export function membersOf(object: JsonObject): MemberUpdate[] {
  return object.members.map((m) => ({ keyText: m.keyText, valueText: object.text.slice(m.valueStart, m.valueEnd) }));
}

/**
 * `object`'s text with each update applied: the value of an existing key is
 * replaced in place, a new key is appended at the end; every other byte stays.
 * The object must have unique keys ({@link checkUniqueKeys}).
 */
export function setMembers(object: JsonObject, updates: MemberUpdate[]): string {
  const byKey = new Map(object.members.map((m) => [m.key, m]));
  const replaced = new Map<Member, string>();
  const appended = new Map<string, MemberUpdate>();
  for (const update of updates) {
    const key = JSON.parse(update.keyText) as string;
    const existing = byKey.get(key);
    if (existing !== undefined) replaced.set(existing, update.valueText);
    else appended.set(key, update);
  }
  let out = "";
  let at = 0;
  for (const member of object.members) {
    const value = replaced.get(member);
    if (value === undefined) continue;
    out += object.text.slice(at, member.valueStart) + value;
    at = member.valueEnd;
  }
  let tail = "";
  let first = object.members.length === 0;
  for (const { keyText, valueText } of appended.values()) {
    tail += `${first ? "" : ","}${keyText}:${valueText}`;
    first = false;
  }
  return out + object.text.slice(at, object.close) + tail + object.text.slice(object.close);
}

/** The JSON text of a string value (what a string member's value text decodes to), or undefined for another kind. */
export function stringValue(valueText: string): string | undefined {
  const trimmed = valueText.trim();
  return trimmed.charCodeAt(0) === QUOTE ? (JSON.parse(trimmed) as string) : undefined;
}

// ---------------------------------------------------------------- UTF-8 (utf8Length: limits.ts)

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
