/**
 * A request body read as the backend reads it: serde (derive) deserializing
 * the endpoint's request struct from serde_json, with axum's rejection texts
 * (`Json` in `crates/common/src/http/extract.rs`):
 *
 *   400 BadJsonBody "Failed to parse the request body as JSON: expected value at line 1 column 10"
 *   400 BadJsonBody "Failed to deserialize the JSON body into the target type: missing field `args` at line 1 column 14"
 *   400 BadJsonBody "Failed to deserialize the JSON body into the target type: path: invalid type: integer `5`, expected a string at line 1 column 9"
 *
 * The body is parsed with `JSON.parse` (fast, and a `__proto__` key stays a
 * plain key); only when something is wrong does a scanner walk the text the
 * way serde_json does to find the first error and where it is (line, and
 * column in bytes, as serde_json counts them). Unknown fields are ignored, as
 * serde does by default; `args` is taken raw (`UdfArgsJson` is a
 * `Box<RawValue>`), and its strings are checked later, when the arguments are
 * decoded (calls.ts).
 */
import { RequestError } from "./calls.js";
import { hasLoneSurrogate, quoteInput, serdeUnexpected } from "./values.js";

export type FieldKind = "string" | "optionalString" | "raw";

/** A request struct: its name (in "expected struct X") and its fields in declaration order. */
export interface BodyShape {
  struct: string;
  fields: Array<{ name: string; kind: FieldKind }>;
}

const SYNTAX = "Failed to parse the request body as JSON";
const DATA = "Failed to deserialize the JSON body into the target type";

class ScanError extends Error {
  constructor(
    readonly category: "syntax" | "data",
    readonly description: string,
    /** Index (in the string) whose position the error reports (serde's `position`/`peek_position`). */
    readonly at: number,
  ) {
    super(description);
  }
}

/** Line and byte column of a string index, as serde_json's `position_of_index`. */
function position(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(index, text.length));
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = 1 + (before.slice(0, lineStart).match(/\n/g)?.length ?? 0);
  return { line, column: Buffer.byteLength(before.slice(lineStart)) };
}

function refusal(text: string, error: ScanError, field?: string): RequestError {
  const { line, column } = position(text, error.at);
  const prefix = error.category === "syntax" ? SYNTAX : DATA;
  const path = field === undefined || error.category === "syntax" ? "" : `${field}: `;
  return new RequestError(400, "BadJsonBody", `${prefix}: ${path}${error.description} at line ${line} column ${column}`);
}

const WHITESPACE = new Set([" ", "\n", "\t", "\r"]);

/**
 * serde_json's parser over `text`, for error reporting: `scanValue` consumes
 * one value starting at `i` and returns the index after it, or throws the
 * first error serde_json would raise with the index it reports.
 */
class Scanner {
  constructor(private readonly text: string) {}

  skipWhitespace(i: number): number {
    while (i < this.text.length && WHITESPACE.has(this.text[i])) i++;
    return i;
  }

  /** serde's `peek_error`: the peeked character's position (1-based column), or the end. */
  peekError(description: string, i: number): ScanError {
    return new ScanError("syntax", description, Math.min(this.text.length, i + 1));
  }

  /** serde's `error`: the position after the last character consumed. */
  error(description: string, i: number): ScanError {
    return new ScanError("syntax", description, i);
  }

  /** A string starting at `i` (the quote); `validate` as serde's parse_str (lone surrogates refused) or not (ignore_str). */
  scanString(i: number, validate: boolean): { end: number; value: string } {
    const text = this.text;
    let j = i + 1;
    let value = "";
    for (;;) {
      if (j >= text.length) throw this.error("EOF while parsing a string", text.length);
      const c = text[j];
      if (c === '"') return { end: j + 1, value };
      if (c === "\\") {
        j++;
        if (j >= text.length) throw this.error("EOF while parsing a string", text.length);
        const e = text[j];
        if (e === "u") {
          const hex = text.slice(j + 1, j + 5);
          for (let k = 0; k < 4; k++) {
            if (j + 1 + k >= text.length) throw this.error("EOF while parsing a string", text.length);
            if (!/[0-9a-fA-F]/.test(text[j + 1 + k])) throw this.error("invalid escape", j + 2 + k);
          }
          const n = Number.parseInt(hex, 16);
          j += 5;
          if (validate && n >= 0xdc00 && n <= 0xdfff) throw this.error("lone leading surrogate in hex escape", j);
          if (n >= 0xd800 && n <= 0xdbff) {
            if (j >= text.length) throw this.error("EOF while parsing a string", text.length);
            if (text[j] !== "\\" || text[j + 1] !== "u") {
              // serde_json discards the peeked byte(s) before reporting: one, or the "\\" and the next.
              if (validate) throw this.error("unexpected end of hex escape", Math.min(text.length, text[j] === "\\" ? j + 2 : j + 1));
              value += String.fromCharCode(n);
              continue;
            }
            const hex2 = text.slice(j + 2, j + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex2)) {
              if (hex2.length < 4) throw this.error("EOF while parsing a string", text.length);
              throw this.error("invalid escape", j + 2 + [...hex2].findIndex((ch) => !/[0-9a-fA-F]/.test(ch)) + 1);
            }
            const n2 = Number.parseInt(hex2, 16);
            if (n2 < 0xdc00 || n2 > 0xdfff) {
              if (validate) throw this.error("lone leading surrogate in hex escape", j + 6);
              value += String.fromCharCode(n);
              continue;
            }
            value += String.fromCharCode(n, n2);
            j += 6;
            continue;
          }
          value += String.fromCharCode(n);
          continue;
        }
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (!(e in simple)) throw this.error("invalid escape", j + 1);
        value += simple[e];
        j++;
        continue;
      }
      if (c.charCodeAt(0) < 0x20) throw this.error("control character (\\u0000-\\u001F) found while parsing a string", j + 1);
      value += c;
      j++;
    }
  }

  scanNumber(i: number): { end: number; value: number } {
    const text = this.text;
    let j = i;
    if (text[j] === "-") j++;
    if (j >= text.length) throw this.error("EOF while parsing a value", text.length);
    if (text[j] === "0") {
      j++;
      if (j < text.length && /[0-9]/.test(text[j])) throw this.peekError("invalid number", j);
    } else if (/[1-9]/.test(text[j])) {
      while (j < text.length && /[0-9]/.test(text[j])) j++;
    } else {
      throw this.error("invalid number", j + 1);
    }
    if (text[j] === ".") {
      j++;
      if (j >= text.length) throw this.error("EOF while parsing a value", text.length);
      if (!/[0-9]/.test(text[j])) throw this.error("invalid number", j + 1);
      while (j < text.length && /[0-9]/.test(text[j])) j++;
    }
    if (text[j] === "e" || text[j] === "E") {
      j++;
      if (text[j] === "+" || text[j] === "-") j++;
      if (j >= text.length) throw this.error("EOF while parsing a value", text.length);
      if (!/[0-9]/.test(text[j])) throw this.error("invalid number", j + 1);
      while (j < text.length && /[0-9]/.test(text[j])) j++;
    }
    return { end: j, value: Number(text.slice(i, j)) };
  }

  scanIdent(i: number, word: string): number {
    for (let k = 1; k < word.length; k++) {
      if (i + k >= this.text.length) throw this.error("EOF while parsing a value", this.text.length);
      if (this.text[i + k] !== word[k]) throw this.error("expected ident", i + k + 1);
    }
    return i + word.length;
  }

  /** One value of any kind (serde's `ignore_value`; strings are not checked for lone surrogates). */
  scanValue(start: number): number {
    const text = this.text;
    // Containers as an explicit stack: serde_json runs here with `unbounded_depth`.
    const stack: Array<"list" | "object"> = [];
    let i = this.skipWhitespace(start);
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        i = this.skipWhitespace(i);
        if (i >= text.length) throw this.peekError("EOF while parsing a value", i);
        const c = text[i];
        if (c === "[") {
          i = this.skipWhitespace(i + 1);
          if (text[i] === "]") {
            i++;
          } else {
            stack.push("list");
            continue;
          }
        } else if (c === "{") {
          i = this.skipWhitespace(i + 1);
          if (i >= text.length) throw this.peekError("EOF while parsing an object", i);
          if (text[i] === "}") {
            i++;
          } else {
            if (text[i] !== '"') throw this.peekError("key must be a string", i);
            i = this.scanString(i, false).end;
            i = this.skipWhitespace(i);
            if (i >= text.length) throw this.peekError("EOF while parsing an object", i);
            if (text[i] !== ":") throw this.peekError("expected `:`", i);
            i++;
            stack.push("object");
            continue;
          }
        } else if (c === '"') {
          i = this.scanString(i, false).end;
        } else if (c === "-" || /[0-9]/.test(c)) {
          i = this.scanNumber(i).end;
        } else if (c === "n" || c === "t" || c === "f") {
          i = this.scanIdent(i, c === "n" ? "null" : c === "t" ? "true" : "false");
        } else {
          throw this.peekError("expected value", i);
        }
        expectValue = false;
      }
      const top = stack[stack.length - 1];
      if (top === undefined) return i;
      i = this.skipWhitespace(i);
      if (top === "list") {
        if (i >= text.length) throw this.peekError("EOF while parsing a list", i);
        if (text[i] === ",") {
          i = this.skipWhitespace(i + 1);
          if (text[i] === "]") throw this.peekError("trailing comma", i);
          expectValue = true;
        } else if (text[i] === "]") {
          i++;
          stack.pop();
        } else {
          throw this.peekError("expected `,` or `]`", i);
        }
      } else {
        if (i >= text.length) throw this.peekError("EOF while parsing an object", i);
        if (text[i] === ",") {
          i = this.skipWhitespace(i + 1);
          if (i >= text.length) throw this.peekError("EOF while parsing a value", i);
          if (text[i] === "}") throw this.peekError("trailing comma", i);
          if (text[i] !== '"') throw this.peekError("key must be a string", i);
          i = this.scanString(i, false).end;
          i = this.skipWhitespace(i);
          if (i >= text.length) throw this.peekError("EOF while parsing an object", i);
          if (text[i] !== ":") throw this.peekError("expected `:`", i);
          i++;
          expectValue = true;
        } else if (text[i] === "}") {
          i++;
          stack.pop();
        } else {
          throw this.peekError("expected `,` or `}`", i);
        }
      }
    }
  }

  /** A value where a string is expected (serde_json's `deserialize_string`, `peek_invalid_type`). */
  scanStringField(i: number, optional: boolean): number {
    const text = this.text;
    i = this.skipWhitespace(i);
    if (i >= text.length) throw this.peekError("EOF while parsing a value", i);
    const c = text[i];
    if (c === '"') return this.scanString(i, true).end;
    if (optional && c === "n") return this.scanIdent(i, "null");
    let end: number;
    let unexpected: string;
    if (c === "n" || c === "t" || c === "f") {
      const word = c === "n" ? "null" : c === "t" ? "true" : "false";
      end = this.scanIdent(i, word);
      unexpected = serdeUnexpected(word === "null" ? null : word === "true");
    } else if (c === "-" || /[0-9]/.test(c)) {
      const number = this.scanNumber(i);
      end = number.end;
      unexpected = serdeUnexpected(number.value);
    } else if (c === "[" || c === "{") {
      end = i;
      unexpected = c === "[" ? "sequence" : "map";
    } else {
      throw this.peekError("expected value", i);
    }
    throw new ScanError("data", `invalid type: ${unexpected}, expected a string`, end);
  }
}

/**
 * Scans the body as serde would deserialize `shape` from it and throws the
 * first refusal; returns normally only if serde would accept it.
 */
function scanBody(text: string, shape: BodyShape): void {
  const scanner = new Scanner(text);
  let i = scanner.skipWhitespace(0);
  const fail = (error: unknown, field?: string): never => {
    throw error instanceof ScanError ? refusal(text, error, field) : error;
  };
  if (i >= text.length) fail(scanner.peekError("EOF while parsing a value", i));
  const c = text[i];
  if (c === "{") {
    const seen = new Set<string>();
    i = scanner.skipWhitespace(i + 1);
    let first = true;
    for (;;) {
      if (i >= text.length) fail(scanner.peekError("EOF while parsing an object", i));
      if (text[i] === "}") break;
      if (!first) {
        if (text[i] !== ",") fail(scanner.peekError("expected `,` or `}`", i));
        i = scanner.skipWhitespace(i + 1);
        if (i >= text.length) fail(scanner.peekError("EOF while parsing a value", i));
        if (text[i] === "}") fail(scanner.peekError("trailing comma", i));
      }
      first = false;
      if (text[i] !== '"') fail(scanner.peekError("key must be a string", i));
      let key: { end: number; value: string };
      try {
        key = scanner.scanString(i, true);
      } catch (error) {
        return fail(error);
      }
      i = key.end;
      const field = shape.fields.find((f) => f.name === key.value);
      if (field !== undefined && seen.has(field.name)) {
        fail(new ScanError("data", `duplicate field \`${field.name}\``, i));
      }
      i = scanner.skipWhitespace(i);
      if (i >= text.length) fail(scanner.peekError("EOF while parsing an object", i));
      if (text[i] !== ":") fail(scanner.peekError("expected `:`", i));
      i++;
      try {
        if (field === undefined || field.kind === "raw") i = scanner.scanValue(i);
        else i = scanner.scanStringField(i, field.kind === "optionalString");
      } catch (error) {
        return fail(error, field?.name);
      }
      if (field !== undefined) seen.add(field.name);
      i = scanner.skipWhitespace(i);
    }
    const missing = shape.fields.find((f) => f.kind !== "optionalString" && !seen.has(f.name));
    if (missing !== undefined) fail(new ScanError("data", `missing field \`${missing.name}\``, i));
    i++;
  } else if (c === "[") {
    // serde derive also takes a struct as a sequence of its fields, in order.
    i = scanner.skipWhitespace(i + 1);
    let index = 0;
    while (text[i] !== "]") {
      if (i >= text.length) fail(scanner.peekError("EOF while parsing a list", i));
      if (index > 0) {
        if (text[i] !== ",") fail(scanner.peekError("expected `,` or `]`", i));
        i = scanner.skipWhitespace(i + 1);
      }
      const field = shape.fields[index];
      if (field === undefined) fail(scanner.peekError("trailing characters", i));
      try {
        i = field.kind === "raw" ? scanner.scanValue(i) : scanner.scanStringField(i, field.kind === "optionalString");
      } catch (error) {
        return fail(error, `[${index}]`);
      }
      index++;
      i = scanner.skipWhitespace(i);
    }
    if (index < shape.fields.length) {
      fail(new ScanError("data", `invalid length ${index}, expected struct ${shape.struct} with ${shape.fields.length} elements`, i));
    }
    i++;
  } else {
    let end: number;
    let unexpected: string;
    try {
      if (c === '"') {
        const s = scanner.scanString(i, true);
        end = s.end;
        unexpected = `string ${JSON.stringify(quoteInput(s.value, 100))}`;
      } else if (c === "-" || /[0-9]/.test(c)) {
        const n = scanner.scanNumber(i);
        end = n.end;
        unexpected = serdeUnexpected(n.value);
      } else if (c === "n" || c === "t" || c === "f") {
        const word = c === "n" ? "null" : c === "t" ? "true" : "false";
        end = scanner.scanIdent(i, word);
        unexpected = serdeUnexpected(word === "null" ? null : word === "true");
      } else {
        throw scanner.peekError("expected value", i);
      }
    } catch (error) {
      return fail(error);
    }
    fail(new ScanError("data", `invalid type: ${unexpected}, expected struct ${shape.struct}`, end));
  }
  i = scanner.skipWhitespace(i);
  if (i < text.length) fail(scanner.peekError("trailing characters", i));
}

/** Index of the first byte of `bytes` that starts an invalid UTF-8 sequence, or -1. */
function firstInvalidUtf8(bytes: Buffer): number {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return -1;
  } catch {
    // Walk the sequences to find where (only on this failure path).
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i];
      const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      if (length === 0 || i + length > bytes.length) return i;
      try {
        new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + length));
      } catch {
        return i;
      }
      i += length;
    }
    return bytes.length;
  }
}

/**
 * The request struct read from `body`, fields by name (`args` as parsed
 * JSON), or the backend's 400 refusal.
 */
export function parseRequestBody(body: Buffer, shape: BodyShape): Record<string, unknown> {
  const invalid = firstInvalidUtf8(body);
  if (invalid !== -1) {
    const text = body.subarray(0, invalid).toString("utf8");
    const { line, column } = position(text, text.length);
    throw new RequestError(400, "BadJsonBody", `${SYNTAX}: invalid unicode code point at line ${line} column ${column + 1}`);
  }
  const text = body.toString("utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    scanBody(text, shape);
    throw new RequestError(400, "BadJsonBody", `${SYNTAX}: invalid JSON`);
  }
  const fields = asStruct(parsed, shape);
  if (fields === null) {
    scanBody(text, shape);
    throw new RequestError(400, "BadJsonBody", `${DATA}: not a ${shape.struct}`);
  }
  return fields;
}

/** The struct's fields when JSON.parse's value is surely what serde accepts, else null (the scanner says why). */
function asStruct(parsed: unknown, shape: BodyShape): Record<string, unknown> | null {
  let source: Record<string, unknown>;
  if (Array.isArray(parsed)) {
    if (parsed.length !== shape.fields.length) return null;
    source = {};
    shape.fields.forEach((f, k) => Object.defineProperty(source, f.name, { value: parsed[k], enumerable: true }));
  } else if (typeof parsed === "object" && parsed !== null) {
    source = parsed as Record<string, unknown>;
  } else {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const field of shape.fields) {
    const present = Object.prototype.hasOwnProperty.call(source, field.name);
    const value = present ? source[field.name] : undefined;
    if (field.kind === "raw") {
      if (!present) return null;
    } else if (field.kind === "string") {
      if (typeof value !== "string" || hasLoneSurrogate(value)) return null;
    } else if (value !== undefined && value !== null && (typeof value !== "string" || hasLoneSurrogate(value))) {
      return null;
    }
    Object.defineProperty(out, field.name, { value, enumerable: true });
  }
  // Keys serde reads as strings: lone surrogates in them are refused too.
  if (!Array.isArray(parsed) && Object.keys(source).some(hasLoneSurrogate)) return null;
  return out;
}
