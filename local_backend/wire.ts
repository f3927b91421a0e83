/**
 * Convex's HTTP wire format: value formats and JSON text as the real backend
 * writes it (`crates/value/src/export.rs`, `crates/local_backend/src/public_api.rs`).
 *
 * - `convex_encoded_json` (what the official clients ask for): the invertible
 *   encoding, `{"$integer": base64}` for int64, `{"$bytes": base64}`,
 *   `{"$float": base64}` for NaN, ±Infinity and -0.
 * - `json` (the default, "clean JSON"): int64 as a decimal string, bytes as a
 *   base64 string, NaN / Infinity / -Infinity as those strings.
 * - `export_json` (lossless clean JSON): int64 as a JSON integer, bytes and
 *   non-finite floats in their `$` encoding.
 *
 * Either way float64 numbers are written as the backend (Rust, serde_json)
 * writes them: an integral float64 keeps its ".0" (`1.0`, `1795384212830.0`),
 * so clients that tell int from float by the JSON text (the official Python
 * client does) read a float.
 */
import { convexToJson, type JSONValue, type Value } from "convex/values";
import { badRequest } from "./calls.js";
import { quoteInput, setField } from "./values.js";

export type ValueFormat = "json" | "convex_encoded_json" | "export_json";

/**
 * The `format` field as the backend reads it (`ValueFormat::from_str`, with
 * its legacy aliases); absent: clean JSON, what `default_format` picks for
 * every current client. Throws the backend's 400 on an unknown one.
 */
export function parseFormat(format: string | null | undefined): ValueFormat {
  if (format === undefined || format === null) return "json";
  switch (format) {
    case "convex_encoded_json":
    case "convex_json":
      return "convex_encoded_json";
    case "json":
    case "convex_clean_json":
      return "json";
    case "export_json":
      return "export_json";
    default:
      throw badRequest("BadFormat", `format param must be one of [\`json\`]. Got ${quoteInput(format)}`);
  }
}

function cleanExport(value: Value | undefined): JSONValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
    case "string":
      return value;
    case "number":
      if (Number.isNaN(value)) return "NaN";
      if (value === Number.POSITIVE_INFINITY) return "Infinity";
      if (value === Number.NEGATIVE_INFINITY) return "-Infinity";
      return value;
    case "bigint":
      return value.toString();
    default:
      break;
  }
  if (value instanceof ArrayBuffer) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map((item) => cleanExport(item));
  const out: Record<string, JSONValue> = {};
  for (const [key, item] of Object.entries(value as Record<string, Value | undefined>)) {
    if (item !== undefined) setField(out, key, cleanExport(item));
  }
  return out;
}

/** `export_clean_lossless`: int64 as a JSON integer (a bigint here, which `stringifyWire` writes bare). */
function losslessExport(value: Value | undefined): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "boolean":
    case "string":
    case "bigint":
      return value;
    case "number":
      return Number.isFinite(value) ? value : convexToJson(value);
    default:
      break;
  }
  if (value instanceof ArrayBuffer) return convexToJson(value);
  if (Array.isArray(value)) return value.map((item) => losslessExport(item));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, Value | undefined>)) {
    if (item !== undefined) setField(out, key, losslessExport(item));
  }
  return out;
}

/** A Convex value as JSON in the given format. */
export function exportValue(value: Value | undefined, format: ValueFormat): JSONValue {
  if (format === "convex_encoded_json") return value === undefined ? null : convexToJson(value);
  if (format === "export_json") return losslessExport(value) as JSONValue;
  return cleanExport(value);
}

function formatFloat(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError(`${n} has no JSON form; export it first`);
  if (Object.is(n, -0)) return "-0.0";
  const text = String(n);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

/**
 * JSON text of an exported value (or of a reply envelope holding one). Every
 * number is a float64, written with ".0" when integral; the rest is
 * `JSON.stringify`'s.
 */
export function stringifyWire(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "number":
      return formatFloat(value);
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      throw new TypeError(`cannot write ${typeof value} as JSON`);
  }
  if (Array.isArray(value)) return `[${value.map((item) => stringifyWire(item)).join(",")}]`;
  const fields: string[] = [];
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    fields.push(`${JSON.stringify(key)}:${stringifyWire(item)}`);
  }
  return `{${fields.join(",")}}`;
}
