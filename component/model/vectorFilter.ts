/**
 * Metadata filters of the vector store, in the Mastra / MongoDB style, as a
 * pure module: parsing (with typed errors), evaluation, and planning (which
 * part runs natively inside `ctx.vectorSearch`, which part is applied after).
 *
 * Operators: `$eq $ne $gt $gte $lt $lte $in $nin $exists` on a field,
 * `$and $or` (arrays of filters) and `$not` (a filter, or a field's operator
 * object). Keys are metadata paths with dots for nesting (`"author.name"`).
 * A field given a plain value means `$eq`. Several keys in one object are ANDed.
 *
 * Semantics (identical natively and after hydration):
 * - equality is exact deep equality of JSON values (an array equals only an
 *   equal array; there is no "array contains" matching);
 * - a missing key equals nothing: `$eq`/`$in`/ranges are false on it, `$ne`/`$nin`
 *   are true on it, `$exists: false` matches it; `null` is a value like any other;
 * - `$gt $gte $lt $lte` compare two numbers or two strings; otherwise false.
 *
 * Convex values may not have `$`-prefixed field names, so the filter travels
 * over the wire as a JSON string.
 */
import type { Value } from "convex/values";
import { invalidArgument as refuse } from "./errors.js";

/** Throws INVALID_ARGUMENT (declared so that control flow narrows after it). */
function invalidArgument(message: string, details?: Record<string, Value>): never {
  return refuse(message, details);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type FieldOp = "$eq" | "$ne" | "$gt" | "$gte" | "$lt" | "$lte" | "$in" | "$nin" | "$exists";

export type FilterNode =
  | { kind: "and"; items: FilterNode[] }
  | { kind: "or"; items: FilterNode[] }
  | { kind: "not"; item: FilterNode }
  | { kind: "field"; path: string; op: FieldOp; value: Json };

const FIELD_OPS = new Set<string>(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists"]);
/** Deepest nesting of `$and/$or/$not` a filter may use. */
export const MAX_FILTER_DEPTH = 8;
/** Most equality terms one native vector search filter carries (an `$in` list, an `$or`). */
export const MAX_NATIVE_TERMS = 64;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks a value is JSON-safe (finite numbers, plain objects, arrays, strings, booleans, null). */
export function isJsonValue(value: unknown, depth = 0): value is Json {
  if (depth > 32) return false;
  if (value === null) return true;
  switch (typeof value) {
    case "boolean":
    case "string":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object":
      if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
      // Convex field names may not start with "$" (and "_" is reserved for system fields).
      return Object.entries(value as object).every(
        ([key, item]) => !key.startsWith("$") && !key.startsWith("_") && isJsonValue(item, depth + 1),
      );
    default:
      return false;
  }
}

/** Validates a metadata path such as "author.name". */
export function checkPath(path: string, what = "filter key"): void {
  if (path.length === 0 || path.length > 256) invalidArgument(`${what} must be 1 to 256 characters`, { key: path });
  for (const segment of path.split(".")) {
    if (segment.length === 0) invalidArgument(`${what} "${path}" has an empty segment`, { key: path });
    if (segment.startsWith("$") || segment.startsWith("_")) {
      invalidArgument(`${what} "${path}": segments may not start with "$" or "_"`, { key: path });
    }
  }
}

/** Parses a filter given as a JSON string (or an already-decoded object). Empty → null (match all). */
export function parseFilter(input: string | Record<string, unknown> | undefined | null): FilterNode | null {
  if (input === undefined || input === null) return null;
  let raw: unknown = input;
  if (typeof input === "string") {
    if (input.trim() === "") return null;
    try {
      raw = JSON.parse(input);
    } catch {
      invalidArgument("filter is not valid JSON");
    }
  }
  if (!isPlainObject(raw)) invalidArgument("filter must be a JSON object");
  const node = parseObject(raw, 0);
  return node.kind === "and" && node.items.length === 0 ? null : node;
}

function parseObject(raw: Record<string, unknown>, depth: number): FilterNode {
  if (depth > MAX_FILTER_DEPTH) invalidArgument(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
  const items: FilterNode[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (key === "$and" || key === "$or") {
      if (!Array.isArray(value) || value.length === 0) invalidArgument(`${key} takes a non-empty array of filters`);
      const children = value.map((child) => {
        if (!isPlainObject(child)) invalidArgument(`${key} takes an array of filter objects`);
        return parseObject(child, depth + 1);
      });
      items.push({ kind: key === "$and" ? "and" : "or", items: children });
    } else if (key === "$not") {
      if (!isPlainObject(value)) invalidArgument("$not takes a filter object");
      items.push({ kind: "not", item: parseObject(value, depth + 1) });
    } else if (key.startsWith("$")) {
      invalidArgument(`unknown filter operator "${key}"`, { operator: key });
    } else {
      checkPath(key);
      items.push(parseField(key, value, depth));
    }
  }
  return items.length === 1 ? items[0] : { kind: "and", items };
}

function parseField(path: string, value: unknown, depth: number): FilterNode {
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    const operatorKeys = keys.filter((k) => k.startsWith("$"));
    if (operatorKeys.length > 0) {
      if (operatorKeys.length !== keys.length) {
        invalidArgument(`filter on "${path}" mixes operators and plain keys`, { key: path });
      }
      const items: FilterNode[] = keys.map((op) => parseOperator(path, op, value[op], depth));
      return items.length === 1 ? items[0] : { kind: "and", items };
    }
  }
  if (!isJsonValue(value)) invalidArgument(`filter value for "${path}" is not a JSON value`, { key: path });
  return { kind: "field", path, op: "$eq", value };
}

function parseOperator(path: string, op: string, operand: unknown, depth: number): FilterNode {
  if (op === "$not") {
    if (!isPlainObject(operand) || Object.keys(operand).length === 0 || !Object.keys(operand).every((k) => k.startsWith("$"))) {
      invalidArgument(`$not on "${path}" takes an operator object such as {"$gt": 3}`, { key: path });
    }
    if (depth + 1 > MAX_FILTER_DEPTH) invalidArgument(`filter nests deeper than ${MAX_FILTER_DEPTH} levels`);
    return { kind: "not", item: parseField(path, operand, depth + 1) };
  }
  if (!FIELD_OPS.has(op)) invalidArgument(`unknown filter operator "${op}" on "${path}"`, { key: path, operator: op });
  if (!isJsonValue(operand)) invalidArgument(`operand of ${op} on "${path}" is not a JSON value`, { key: path });
  switch (op) {
    case "$in":
    case "$nin":
      if (!Array.isArray(operand)) invalidArgument(`${op} on "${path}" takes an array`, { key: path });
      break;
    case "$exists":
      if (typeof operand !== "boolean") invalidArgument(`$exists on "${path}" takes true or false`, { key: path });
      break;
    case "$gt":
    case "$gte":
    case "$lt":
    case "$lte":
      if (typeof operand !== "number" && typeof operand !== "string") {
        invalidArgument(`${op} on "${path}" takes a number or a string`, { key: path });
      }
      break;
  }
  return { kind: "field", path, op: op as FieldOp, value: operand };
}

/** The value at a dotted path, or undefined. Numeric segments index arrays. */
export function getPath(source: unknown, path: string): Json | undefined {
  let current: unknown = source;
  for (const segment of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, segment)) current = current[segment];
    else return undefined;
  }
  return current as Json | undefined;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((item, i) => deepEqual(item, bb[i]));
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual((a as any)[k], (b as any)[k]));
}

function compare(a: Json | undefined, b: Json, op: "$gt" | "$gte" | "$lt" | "$lte"): boolean {
  if (!((typeof a === "number" && typeof b === "number") || (typeof a === "string" && typeof b === "string"))) return false;
  switch (op) {
    case "$gt":
      return a > b;
    case "$gte":
      return a >= b;
    case "$lt":
      return a < b;
    case "$lte":
      return a <= b;
  }
}

/** Whether `metadata` satisfies the filter (null = match all). */
export function matchesFilter(node: FilterNode | null, metadata: unknown): boolean {
  if (node === null) return true;
  switch (node.kind) {
    case "and":
      return node.items.every((item) => matchesFilter(item, metadata));
    case "or":
      return node.items.some((item) => matchesFilter(item, metadata));
    case "not":
      return !matchesFilter(node.item, metadata);
    case "field": {
      const actual = getPath(metadata, node.path);
      switch (node.op) {
        case "$eq":
          return actual !== undefined && deepEqual(actual, node.value);
        case "$ne":
          return actual === undefined || !deepEqual(actual, node.value);
        case "$in":
          return actual !== undefined && (node.value as Json[]).some((item) => deepEqual(actual, item));
        case "$nin":
          return actual === undefined || !(node.value as Json[]).some((item) => deepEqual(actual, item));
        case "$exists":
          return (actual !== undefined) === node.value;
        default:
          return compare(actual, node.value, node.op);
      }
    }
  }
}

/** One native equality term: filter slot `slot` (the declared key's position) equals `value`. */
export interface NativeTerm {
  slot: number;
  value: Json;
}

export interface FilterPlan {
  /** Disjunction of equality terms run inside vectorSearch; null = only "this index". */
  native: NativeTerm[] | null;
  /** What is applied after hydration; null = nothing (the native part is the whole filter). */
  residual: FilterNode | null;
  /** Why the residual could not run natively (for `filterMode: "native"` errors). */
  reason?: string;
}

/** The node as a disjunction of equalities on declared keys, or a reason it is not one. */
function nativeTerms(node: FilterNode, declared: readonly string[]): NativeTerm[] | string {
  switch (node.kind) {
    case "field": {
      const slot = declared.indexOf(node.path);
      if (slot < 0) return `key "${node.path}" is not declared filterable on this index`;
      if (node.op === "$eq") return [{ slot, value: node.value }];
      if (node.op === "$in") {
        const values = node.value as Json[];
        if (values.length === 0) return `$in on "${node.path}" is empty`;
        return values.map((value) => ({ slot, value }));
      }
      return `operator ${node.op} on "${node.path}" cannot run natively (only $eq and $in can)`;
    }
    case "or": {
      const terms: NativeTerm[] = [];
      for (const item of node.items) {
        const sub = nativeTerms(item, declared);
        if (typeof sub === "string") return sub;
        terms.push(...sub);
      }
      return terms;
    }
    case "and":
      if (node.items.length === 1) return nativeTerms(node.items[0], declared);
      return "$and of several conditions cannot run natively as a whole (one of them can)";
    case "not":
      return "$not cannot run natively";
  }
}

/**
 * Splits a filter into the part run natively (a disjunction of equalities on
 * declared keys) and the residual applied after hydration. For an AND, the
 * native-able conjunct with the fewest terms runs natively, the rest after.
 */
export function planFilter(node: FilterNode | null, declared: readonly string[]): FilterPlan {
  if (node === null) return { native: null, residual: null };
  const whole = nativeTerms(node, declared);
  if (typeof whole !== "string") {
    if (whole.length <= MAX_NATIVE_TERMS) return { native: whole, residual: null };
    return { native: null, residual: node, reason: `more than ${MAX_NATIVE_TERMS} native equality terms` };
  }
  if (node.kind === "and") {
    let best = -1;
    let bestTerms: NativeTerm[] = [];
    let reason = whole;
    node.items.forEach((item, i) => {
      const terms = nativeTerms(item, declared);
      if (typeof terms === "string") {
        reason = terms;
        return;
      }
      if (terms.length > MAX_NATIVE_TERMS) return;
      if (best < 0 || terms.length < bestTerms.length) {
        best = i;
        bestTerms = terms;
      }
    });
    if (best >= 0) {
      const rest = node.items.filter((_, i) => i !== best);
      return {
        native: bestTerms,
        residual: rest.length === 1 ? rest[0] : { kind: "and", items: rest },
        reason,
      };
    }
    return { native: null, residual: node, reason };
  }
  return { native: null, residual: node, reason: whole };
}
