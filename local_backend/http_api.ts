/**
 * Convex's HTTP API as a deployment answers it (`crates/local_backend/src/public_api.rs`):
 *
 *   POST /api/query, /api/mutation, /api/action   {path, args, format?}
 *   POST /api/run/{module path}/{function}        {args, format?}   any kind, clean JSON by default
 *   POST /api/function                            {path, args, format?, componentPath?}  admin key only
 *
 * Each step in the backend's order, with its status and message: the body
 * (JSON content type, 16 MiB + 2,000 bytes, the request struct; json_body.ts),
 * the function path (400 BadConvexFunctionIdentifier), the caller's token
 * (auth.ts), the admin check of /api/function (403 BadDeployKey), the call
 * (runtime.ts; function errors are HTTP 200 `{"status": "error"}`), and only
 * then the `format` (400 BadFormat, after the function ran, as the backend
 * parses it).
 */
import type http from "node:http";
import type { Value } from "convex/values";
import type { Identity } from "./auth.js";
import { RequestError, badRequest, parseRequestPath, type FunctionPath } from "./calls.js";
import { parseRequestBody, type BodyShape } from "./json_body.js";
import type { FunctionKind } from "./modules.js";
import type { AppRuntime, RunResult } from "./runtime.js";
import { quoteInput } from "./values.js";
import { exportValue, parseFormat, stringifyWire, type ValueFormat } from "./wire.js";

/** `MAX_BACKEND_PUBLIC_API_REQUEST_SIZE` (`crates/common/src/knobs.rs`): 16 MiB + 2,000 bytes. */
export const MAX_REQUEST_BYTES = (1 << 24) + 2000;

/** The request structs of `public_api.rs` and `args_structs.rs`, fields in declaration order. */
const UDF_POST_REQUEST: BodyShape = {
  struct: "UdfPostRequest",
  fields: [
    { name: "path", kind: "string" },
    { name: "args", kind: "raw" },
    { name: "format", kind: "optionalString" },
  ],
};
const UDF_POST_REQUEST_WITH_COMPONENT: BodyShape = {
  struct: "UdfPostRequestWithComponent",
  fields: [
    { name: "componentPath", kind: "optionalString" },
    { name: "path", kind: "string" },
    { name: "args", kind: "raw" },
    { name: "format", kind: "optionalString" },
  ],
};
const UDF_POST_REQUEST_ARGS_ONLY: BodyShape = {
  struct: "UdfPostRequestArgsOnly",
  fields: [
    { name: "args", kind: "raw" },
    { name: "format", kind: "optionalString" },
  ],
};

const ENDPOINT_KIND: Record<string, FunctionKind> = {
  "/api/query": "query",
  "/api/mutation": "mutation",
  "/api/action": "action",
};

/** Whether the path is one of the function-call endpoints. */
export function isFunctionEndpoint(pathname: string): boolean {
  return pathname in ENDPOINT_KIND || pathname === "/api/function" || pathname.startsWith("/api/run/");
}

/**
 * `json_content_type` (`crates/common/src/http/extract.rs`): `application/json`
 * or any `application/*+json`, parameters allowed; no header is refused too.
 */
function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mime = header.split(";")[0].trim().toLowerCase();
  const match = /^application\/([^/\s]+)$/.exec(mime);
  return match !== null && (match[1] === "json" || match[1].endsWith("+json"));
}

/** The body, or the backend's refusal of a body over the limit (axum's `DefaultBodyLimit`). */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () =>
      new RequestError(400, "BadJsonBody", "Failed to buffer the request body: length limit exceeded");
    if (Number.isFinite(declared) && declared > limit) {
      req.resume(); // discard it; the connection is closed after the reply
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.resume();
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `UdfResponse` as serde writes it: `logLines` only when there are some. */
function encodeReply(result: RunResult, format: ValueFormat): string {
  if (result.status === "success") {
    const reply: Record<string, unknown> = { status: "success", value: exportValue(result.value, format) };
    if (result.logLines.length > 0) reply.logLines = result.logLines;
    return stringifyWire(reply);
  }
  const reply: Record<string, unknown> = { status: "error", errorMessage: result.errorMessage };
  if (result.errorData !== undefined) reply.errorData = exportValue(result.errorData as Value, format);
  if (result.logLines.length > 0) reply.logLines = result.logLines;
  return stringifyWire(reply);
}

/** `bad_admin_key_error` (`crates/keybroker/src/operations.rs`): what /api/function answers callers without an admin key. */
const NOT_ADMIN = new RequestError(
  403,
  "BadDeployKey",
  "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.",
);

/**
 * How the caller is identified: the `Authorization` header's value (undefined
 * when absent) to an identity, null for an unauthenticated call; throws the
 * refusal (auth.ts's AuthError) for a token the deployment refuses.
 */
export type Authenticate = (authorization: string | undefined) => Identity | null | Promise<Identity | null>;

/** Serves one function call and returns the reply's body. Throws {@link RequestError} (and the authenticator's errors) for 4xx. */
export async function handleFunctionCall(
  req: http.IncomingMessage,
  pathname: string,
  runtime: AppRuntime,
  identify: Authenticate,
  maxBodyBytes: number,
): Promise<string> {
  if (!isJsonContentType(req.headers["content-type"])) {
    throw badRequest("BadJsonBody", "Expected request with `Content-Type: application/json`");
  }
  const raw = await readBody(req, maxBodyBytes);
  const authenticate = async (): Promise<Identity | null> => {
    const header = req.headers.authorization;
    return await identify(Array.isArray(header) ? header[0] : header);
  };
  let kind: FunctionKind | "any";
  let path: FunctionPath;
  let body: Record<string, unknown>;
  let identity: Identity | null = null;
  let defaultFormat: ValueFormat | undefined;
  if (pathname.startsWith("/api/run/")) {
    body = parseRequestBody(raw, UDF_POST_REQUEST_ARGS_ONLY);
    identity = await authenticate();
    // messages/list -> "messages:list"
    const missing = () =>
      badRequest("MissingIdentifier", "Path or function name not provided in path, e.g. /api/run/messages/list");
    let parts: string[];
    try {
      parts = pathname.slice("/api/run/".length).split("/").map((p) => decodeURIComponent(p));
    } catch {
      throw missing();
    }
    if (parts.length < 2) throw missing();
    const name = parts.pop() as string;
    path = parseRequestPath(`${parts.join("/")}:${name}`);
    kind = "any";
    defaultFormat = "json";
  } else if (pathname === "/api/function") {
    parseRequestBody(raw, UDF_POST_REQUEST_WITH_COMPONENT);
    await authenticate();
    // `must_be_admin`: the local backend takes no admin key, so no caller gets further.
    throw NOT_ADMIN;
  } else {
    body = parseRequestBody(raw, UDF_POST_REQUEST);
    path = parseRequestPath(body.path as string);
    identity = await authenticate();
    kind = ENDPOINT_KIND[pathname];
  }
  const result = await runtime.run(kind, path, body.args, identity);
  const format = body.format === undefined || body.format === null ? (defaultFormat ?? parseFormat(null)) : parseFormat(body.format as string);
  return encodeReply(result, format);
}

/** A short description of a request target, for 404/405 messages (never the whole of a long one). */
export function describeTarget(method: string | undefined, pathname: string): string {
  return `${method ?? "?"} ${quoteInput(pathname, 200)}`;
}
