import { ConvexError, v, type Infer, type Value } from "convex/values";

/**
 * Every error the component (or a host app's wrapper built with the client
 * helper) throws on purpose is a `ConvexError` whose data has one of these
 * codes. The Python SDK maps each code to an exception class.
 */
export const ERROR_CODES = [
  "NOT_FOUND",
  "INVALID_ARGUMENT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "CONFLICT",
  "LIMIT_EXCEEDED",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const vErrorData = v.object({
  code: v.union(...ERROR_CODES.map((c) => v.literal(c))),
  message: v.string(),
});
export type ErrorData = Infer<typeof vErrorData> & Record<string, Value>;

/** Throws a `ConvexError` with `{code, message, ...details}` as its data. */
export function fail(
  code: ErrorCode,
  message: string,
  details: Record<string, Value> = {},
): never {
  throw new ConvexError({ ...details, code, message });
}

/** Throws NOT_FOUND: the row named does not exist (for the owner named). */
export const notFound = (message: string, details?: Record<string, Value>) =>
  fail("NOT_FOUND", message, details);
/** Throws INVALID_ARGUMENT: a well-typed argument breaks a rule; name the argument and the rule. */
export const invalidArgument = (message: string, details?: Record<string, Value>) =>
  fail("INVALID_ARGUMENT", message, details);
/** Throws CONFLICT: the call contradicts the owner's existing state. */
export const conflict = (message: string, details?: Record<string, Value>) =>
  fail("CONFLICT", message, details);
// LIMIT_EXCEEDED: `limitExceeded` in ./limits.ts, whose data says which limit.

/**
 * Whether a caught error is a `ConvexError`, from any copy of `convex/values`
 * (the class marks its instances with `Symbol.for("ConvexError")`, which is
 * what the backend's JS runtime tests). The one ConvexError test of the
 * project: the local backend and the tests call it too.
 */
export function isConvexError(error: unknown): error is Error & { data: Value } {
  return error instanceof ConvexError || (typeof error === "object" && error !== null && Symbol.for("ConvexError") in error);
}

/** The error code of a caught error, if it is one of ours. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  if (isConvexError(error) && typeof error.data === "object" && error.data !== null) {
    const code = (error.data as { code?: unknown }).code;
    if (typeof code === "string" && (ERROR_CODES as readonly string[]).includes(code)) {
      return code as ErrorCode;
    }
  }
  return undefined;
}
