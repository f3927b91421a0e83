/**
 * Validators and argument checks that every domain of the component uses: the
 * owner every caller-chosen id is scoped to, orders, live-query limits, names,
 * times, and the two ways a stored row is turned into a result.
 */
import { v, type Infer } from "convex/values";
import { invalidArgument } from "./errors.js";
import { MAX_PAGE_SIZE } from "./limits.js";

/**
 * The owner (tenant) of a row. Ids chosen by callers are unique per owner, never
 * globally: every index starts with the owner, so one owner's rows can neither
 * collide with nor be reached through another owner's ids.
 */
export const vOwner = v.string();
/**
 * An owner, or none: rows of workflows, scores and traces may belong to no resource.
 * Omitting it addresses the unowned namespace (services only under the default policy).
 */
export const vOptionalOwner = v.optional(v.string());

/** Free-form metadata (a Convex object) of threads and resources; updates merge it shallowly. */
export const vMetadata = v.record(v.string(), v.any());
export type Metadata = Infer<typeof vMetadata>;

/** Sort direction of a list. */
export const vOrder = v.union(v.literal("asc"), v.literal("desc"));
export type Order = Infer<typeof vOrder>;

/** Default `limit` of the watch* live queries. */
export const DEFAULT_WATCH_LIMIT = 50;
/** Longest id, name or owner accepted (characters). */
export const MAX_NAME_LENGTH = 512;

/**
 * Checks an integer `limit` argument from 1 to `max` (default when absent);
 * INVALID_ARGUMENT for NaN, infinities, fractions, 0, negatives and values over `max`.
 */
export function checkLimit(
  limit: number | undefined,
  field: string,
  max: number,
  fallback: number,
): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1 || limit > max) {
    invalidArgument(`${field} must be an integer from 1 to ${max}, got ${describeNumber(limit)}`, { field });
  }
  return limit;
}

/** The `limit` of a watch* query: 1 to MAX_PAGE_SIZE, DEFAULT_WATCH_LIMIT when absent. */
export function watchLimit(limit: number | undefined): number {
  return checkLimit(limit, "limit", MAX_PAGE_SIZE, DEFAULT_WATCH_LIMIT);
}

/** A number as a message may show it (NaN and infinities by name, long values cut). */
export function describeNumber(value: number): string {
  return typeof value === "number" ? String(value).slice(0, 32) : typeof value;
}

/**
 * Checks a name-like argument (an id, an owner, a workflow or step name):
 * non-empty, at most `max` characters. INVALID_ARGUMENT names the argument.
 */
export function checkName(value: string, field: string, max = MAX_NAME_LENGTH): void {
  if (value.length === 0) invalidArgument(`${field} must not be empty`, { field });
  if (value.length > max) {
    invalidArgument(`${field} is ${value.length} characters long; at most ${max} are allowed`, { field });
  }
}

/** Checks the owner argument when one is given (see {@link vOwner}). */
export function checkOwner(resourceId: string | undefined): void {
  if (resourceId !== undefined) checkName(resourceId, "resourceId");
}

/** Checks an optional time argument: a finite number of milliseconds since the epoch. */
export function checkTime(value: number | undefined, field: string): void {
  if (value !== undefined && !Number.isFinite(value)) {
    invalidArgument(`${field} must be a finite number of milliseconds, got ${describeNumber(value)}`, { field });
  }
}

/** A stored row as a result: the row without Convex's `_id` and `_creationTime`. */
export function withoutSystemFields<T extends { _id: unknown; _creationTime: number }>(
  doc: T,
): Omit<T, "_id" | "_creationTime"> {
  const { _id, _creationTime, ...rest } = doc;
  return rest;
}

/** A value about to be written, without its undefined fields, so it equals what a read returns. */
export function withoutUndefinedFields<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}

/**
 * Refuses a Convex object (metadata, message parts) that cannot be stored as given:
 * Convex's decoder turns a `__proto__` key into a prototype, which would silently
 * drop it. JSON with any key belongs in the JSON-text fields.
 */
export function checkPlainObject(value: unknown, field: string): void {
  // Some validators (convex-test's record) let an array through where an object is meant.
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    invalidArgument(`${field} must be an object`, { field });
  }
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item !== "object" || item === null || item instanceof ArrayBuffer) continue;
    if (Array.isArray(item)) {
      stack.push(...item);
      continue;
    }
    const proto = Object.getPrototypeOf(item);
    if (proto !== Object.prototype && proto !== null) {
      invalidArgument(`${field} has a "__proto__" key, which a Convex object cannot keep; store such data as JSON text`, {
        field,
      });
    }
    stack.push(...Object.values(item));
  }
}
