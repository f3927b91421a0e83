/**
 * Convex's HTTP wire format: value formats and JSON text as the real backend
 * writes it.
 *
 * - `convex_encoded_json` (what the official clients ask for): the invertible
 *   encoding, `{"$integer": base64}` for int64, `{"$bytes": base64}`,
 *   `{"$float": base64}` for NaN, ±Infinity and -0.
 * - `json` (the default, "clean JSON"): int64 as a decimal string, bytes as a
 *   base64 string, NaN / Infinity / -Infinity as those strings.
 *
 * Either way float64 numbers are written as the backend (Rust, serde_json)
 * writes them: an integral float64 keeps its ".0" (`1.0`, `1795384212830.0`),
 * so clients that tell int from float by the JSON text (the official Python
 * client does) read a float.
 */
import { convexToJson, type JSONValue, type Value } from "convex/values";

export type ValueFormat = "json" | "convex_encoded_json";

/** Parses the `format` field like the backend (with its legacy aliases); throws on an unknown one. */
export function parseFormat(format: unknown, fallback: ValueFormat = "json"): ValueFormat {
  if (format === undefined || format === null) return fallback;
  switch (format) {
    case "convex_encoded_json":
    case "convex_json":
      return "convex_encoded_json";
    case "json":
    case "convex_clean_json":
      return "json";
    default:
      throw new RangeError(`format param must be one of [\`json\`]. Got ${String(format)}`);
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
    if (item !== undefined) out[key] = cleanExport(item);
  }
  return out;
}

/** A Convex value as JSON in the given format. */
export function exportValue(value: Value | undefined, format: ValueFormat): JSONValue {
  if (format === "convex_encoded_json") return value === undefined ? null : convexToJson(value);
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

/** A canonical function path: "dir/module:name" (".js" stripped, "default" when no name). */
export interface FunctionPath {
  module: string;
  name: string;
  canonical: string;
}

const MODULE_PATH = /^[A-Za-z0-9_\-.]+(\/[A-Za-z0-9_\-.]+)*$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Parses "module:function" as the backend does ("module.js:function", "module" = default export). */
export function parseFunctionPath(raw: unknown): FunctionPath {
  if (typeof raw !== "string" || raw.length === 0) throw new RangeError("`path` must be a non-empty string");
  const colon = raw.indexOf(":");
  let module = colon === -1 ? raw : raw.slice(0, colon);
  const name = colon === -1 ? "default" : raw.slice(colon + 1);
  if (module.endsWith(".js")) module = module.slice(0, -3);
  if (module.startsWith("/")) module = module.slice(1);
  if (!MODULE_PATH.test(module) || module.split("/").some((part) => part === "." || part === "..")) {
    throw new RangeError(`Invalid function path ${JSON.stringify(raw)}: the module path is not valid`);
  }
  if (!IDENTIFIER.test(name)) {
    throw new RangeError(`Invalid function path ${JSON.stringify(raw)}: ${JSON.stringify(name)} is not a function name`);
  }
  return { module, name, canonical: `${module}:${name}` };
}

/**
 * The arguments object of a request: `args` may be an object or a
 * one-element array holding it (what the JS ConvexHttpClient sends); absent
 * means `{}`. Returned still JSON-encoded (decode with jsonToConvex).
 */
export function argsObject(args: unknown): Record<string, JSONValue> {
  let value = args;
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) {
    if (value.length !== 1) {
      throw new RangeError(`\`args\` as an array must hold exactly one arguments object, got ${value.length} items`);
    }
    value = value[0];
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RangeError("`args` must be an object (or a one-element array holding one)");
  }
  return value as Record<string, JSONValue>;
}
