/**
 * What a function call is, whichever way it arrives (the HTTP API in
 * `http_api.ts`, the WebSocket sync protocol in `sync/`): its function path,
 * its arguments, and the shapes its errors take. One definition each, read
 * from the open-source backend:
 *
 * - function paths: `crates/convex/sync_types/src/{udf_path,module_path,path,identifier}.rs`;
 * - arguments: `crates/udf/src/helpers.rs` (`UdfArgsJson`, `parse_udf_args`,
 *   `validate_udf_args_size`) over `crates/value/src/json/mod.rs` (values.ts);
 * - errors: `crates/application/src/redaction.rs` (`[Request ID: …] Server
 *   Error`, what a production deployment redacts), `crates/errors/src/lib.rs`
 *   and `crates/common/src/http/mod.rs` (`{code, message}` replies);
 * - `ConvexError` detection: `isConvexError` of component/model/errors.ts.
 */
import { randomBytes } from "node:crypto";
import type { Value } from "convex/values";
import { isConvexError } from "../component/model/errors.js";
import { MAX_PATH_COMPONENT_LENGTH, ModulePathError, parseModulePath as parseModulePathRule } from "../codegen/convex_py_codegen/node/convexModules.js";
import {
  MAX_ARRAY_LEN,
  MAX_VALUE_NESTING,
  MAX_VALUE_SIZE,
  UnparsableJsonError,
  ValueError,
  formatSize,
  jsonToValue,
  quoteInput,
  rustDisplayFloat,
  valueNesting,
  valueSize,
} from "./values.js";

// --- errors answered before a function runs ------------------------------------------------

/**
 * A refusal with an HTTP status and the backend's `{code, message}` body
 * (`ErrorMetadata` in `crates/errors/src/lib.rs`). Over the WebSocket it is a
 * `FatalError`.
 */
export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export const badRequest = (code: string, message: string) => new RequestError(400, code, message);

// --- function paths ------------------------------------------------------------------------------

/** A canonical function path. */
export interface FunctionPath {
  /** Module path without ".js": "dir/module". */
  module: string;
  /** Export name; "default" for the default export. */
  name: string;
  /** "dir/module:name": how the local backend lists and finds functions. */
  canonical: string;
  /** "dir/module.js:name": the backend's `CanonicalizedUdfPath` as it prints it in messages. */
  display: string;
  /** "dir/module:name", or "dir/module" for the default export (`CanonicalizedUdfPath::strip`). */
  stripped: string;
}

/** `crates/convex/sync_types/src/identifier.rs` MAX_IDENTIFIER_LEN. */
const MAX_IDENTIFIER_LEN = MAX_PATH_COMPONENT_LENGTH;

function rustChar(char: string): string {
  const code = char.codePointAt(0) as number;
  if (char === "'") return "'\\''";
  if (char === "\\") return "'\\\\'";
  if (code < 0x20 || code === 0x7f) return `'\\u{${code.toString(16)}}'`;
  return `'${char}'`;
}

/** `check_valid_identifier` (function names). */
export function checkIdentifier(name: string): void {
  const first = name[0];
  if (first === undefined) throw new ValueError("Identifier cannot be empty");
  if (!/[A-Za-z_]/.test(first)) {
    throw new ValueError(
      `Invalid first character ${rustChar(String.fromCodePoint(name.codePointAt(0) as number))} in ${quoteInput(name)}: Identifiers must start with an alphabetic character or underscore`,
    );
  }
  for (const char of name.slice(1)) {
    if (!/[A-Za-z0-9_]/.test(char)) {
      throw new ValueError(
        `Identifier ${quoteInput(name)} has invalid character ${rustChar(char)}: Identifiers can only contain alphanumeric characters or underscores`,
      );
    }
  }
  if (name.length > MAX_IDENTIFIER_LEN) throw new ValueError(`Identifier is too long (${name.length} > maximum ${MAX_IDENTIFIER_LEN})`);
  if (/^_+$/.test(name)) throw new ValueError(`Identifier ${name} cannot have exclusively underscores`);
}

/**
 * The module path rule is defined once, beside the module walker
 * (`codegen/convex_py_codegen/node/convexModules.ts`); a call's path gets the
 * same verdict and message as a pushed file, as a `ValueError`.
 */
export function parseModulePath(raw: string): string[] {
  try {
    return parseModulePathRule(raw, quoteInput);
  } catch (error) {
    if (error instanceof ModulePathError) throw new ValueError(error.message);
    throw error;
  }
}

/** `CanonicalizedUdfPath::from_str`: "module:function", "module.js:function", "module" (the default export). */
export function parseFunctionPath(raw: string): FunctionPath {
  const colon = raw.lastIndexOf(":");
  const modulePart = colon === -1 ? raw : raw.slice(0, colon);
  const parts = parseModulePath(modulePart);
  const name = colon === -1 ? "default" : raw.slice(colon + 1);
  checkIdentifier(name);
  const withJs = parts.join("/");
  const module = withJs.slice(0, -".js".length);
  return {
    module,
    name,
    canonical: `${module}:${name}`,
    display: `${withJs}:${name}`,
    stripped: name === "default" ? module : `${module}:${name}`,
  };
}

/**
 * A function path from an HTTP request, or the backend's 400
 * (`crates/local_backend/src/parse.rs`). An oversized path is quoted cut
 * short, never whole.
 */
export function parseRequestPath(raw: string): FunctionPath {
  try {
    return parseFunctionPath(raw);
  } catch (error) {
    throw badRequest(
      "BadConvexFunctionIdentifier",
      `${quoteInput(raw)} is not a valid path to a Convex function. ${(error as Error).message}`,
    );
  }
}

// --- arguments ---------------------------------------------------------------------------------------

/** `FUNCTION_MAX_ARGS_SIZE` (`crates/common/src/knobs.rs`). */
export const MAX_ARGS_SIZE = 1 << 24;

/**
 * A call's arguments as they arrive: the parsed JSON of the request's `args`
 * (HTTP) or of a message's `args` (sync). An array is the positional form
 * (`[{...}]`, what the JS clients send), anything else is the one argument
 * (`UdfArgsJson::into_serialized_args`).
 */
export function positionalArgs(json: unknown): unknown[] {
  return Array.isArray(json) ? json : [json];
}

/**
 * A call's outcome as the client gets it (`UdfResponse` over HTTP, a
 * `QueryUpdated` / `QueryFailed` / `MutationResponse` / `ActionResponse`
 * over the WebSocket): `errorMessage` already carries its request id and is
 * redacted where the deployment redacts; `logLines` are the call's (none
 * when redacted).
 */
export type CallResult = (
  | { status: "success"; value: Value }
  | { status: "error"; errorMessage: string; errorData?: Value }
) & { logLines: string[] };

/** A function error: what the function (or the backend, on its behalf) refused; a 200 reply. */
export class FunctionError extends Error {
  constructor(
    /** The message before redaction, e.g. "Uncaught Error: boom". */
    readonly detail: string,
    /** A ConvexError's data. */
    readonly data?: Value,
  ) {
    super(detail);
    this.name = "FunctionError";
  }
}

/**
 * `parse_udf_args` + `validate_udf_args_size` (`crates/udf/src/helpers.rs`):
 * the positional arguments decoded as Convex values, or a {@link FunctionError}
 * with the backend's message. JSON serde_json would not even parse (lone
 * surrogates) is the backend's `InvalidArguments` refusal, a
 * {@link RequestError}: callers turn it into a function error where the
 * backend does (queries and mutations).
 */
export function decodeArgs(path: FunctionPath, json: unknown): Value[] {
  const positional = positionalArgs(json);
  let args: Value[];
  try {
    args = positional.map((arg) => jsonToValue(arg));
    // The positional array is a value too (`ConvexArray::try_from`).
    if (args.length > MAX_ARRAY_LEN) throw new ValueError(`Array length is too long (${args.length} > maximum length ${MAX_ARRAY_LEN})`);
    const nesting = valueNesting(args);
    if (nesting > MAX_VALUE_NESTING) {
      throw new ValueError(`Value is too nested (nested ${nesting} levels deep > maximum nesting ${MAX_VALUE_NESTING})`);
    }
    const arraySize = valueSize(args);
    if (arraySize > MAX_VALUE_SIZE) {
      throw new ValueError(`Value is too large (${formatSize(arraySize)} > maximum size ${formatSize(MAX_VALUE_SIZE)})`);
    }
  } catch (error) {
    if (error instanceof UnparsableJsonError) throw badRequest("InvalidArguments", "Invalid arguments provided");
    if (error instanceof ValueError) throw new FunctionError(`Invalid arguments for ${path.display}: ${error.message}`);
    throw error;
  }
  const size = valueSize(args);
  if (size > MAX_ARGS_SIZE) {
    throw new FunctionError(
      `Arguments for ${path.display} are too large (actual: ${formatSize(size)}, limit: ${formatSize(MAX_ARGS_SIZE)})`,
    );
  }
  return args;
}

// --- errors thrown by functions ----------------------------------------------------------------------

// A `ConvexError` from any copy of `convex/values`: `isConvexError`, defined once in
// component/model/errors.ts (it depends on `convex/values` alone).
export { isConvexError };

/** What a thrown error becomes: "Uncaught ConvexError: …" with its data, "Uncaught Error: …". */
export function functionErrorOf(error: unknown): FunctionError {
  if (error instanceof FunctionError) return error;
  if (isConvexError(error)) return new FunctionError(`Uncaught ConvexError: ${error.message}`, error.data ?? null);
  if (error instanceof Error) return new FunctionError(`Uncaught ${error.name}: ${error.message}`);
  return new FunctionError(`Uncaught ${typeof error === "number" ? rustDisplayFloat(error, false) : String(error)}`);
}

/** `RequestId::new` (`crates/common/src/execution_context.rs`): 8 random bytes in hex. */
export function newRequestId(): string {
  return randomBytes(8).toString("hex");
}

/**
 * The `errorMessage` a client gets (`RedactedJsError`'s Display,
 * `crates/application/src/redaction.rs`): `[Request ID: …] Server Error`,
 * followed by the error itself unless the deployment redacts it (production,
 * for callers without an admin key).
 */
export function errorMessage(requestId: string, detail: string, redact: boolean): string {
  return redact ? `[Request ID: ${requestId}] Server Error` : `[Request ID: ${requestId}] Server Error\n${detail}`;
}
