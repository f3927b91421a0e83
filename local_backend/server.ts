/**
 * The local backend's HTTP server: Convex's HTTP API in front of an
 * {@link AppRuntime}.
 *
 * Endpoints (all POST, JSON bodies, replies as the real backend writes them):
 *   /api/query, /api/mutation, /api/action   {path, args, format}
 *   /api/run/{module path}/{function}        {args, format}   (any kind; format defaults to "json")
 *   /api/function                            {path, args, format}  (any kind; root component only)
 * and GET /_local_backend/functions (what was loaded; not a Convex endpoint).
 *
 * Convex's WebSocket sync protocol (live queries) is served on the same port,
 * at /api/sync and /api/<version>/sync (local_backend/sync/), over the same
 * runtime and token verifier.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { jsonToConvex, type Value } from "convex/values";
import type { UserIdentity } from "convex/server";
import { AuthError, type Identity, type Jwks } from "./auth.js";
import { AuthConfigError, DeploymentAuth, type EnvChange } from "./authConfig.js";
import type { FunctionKind } from "./modules.js";
import { AppRuntime, type RunResult, type RuntimeOptions } from "./runtime.js";
import { attachSyncProtocol, type SyncEngine, type SyncProtocolHandle } from "./sync/engine.js";
import { FunctionFailure } from "./sync/wire.js";
import { argsObject, exportValue, parseFormat, parseFunctionPath, stringifyWire, type ValueFormat } from "./wire.js";

export interface LocalBackendOptions extends RuntimeOptions {
  /** TCP port; 0 or absent picks a free one. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /**
   * The deployment's environment variables (what `npx convex env set` sets).
   * The app's auth.config.ts is evaluated with them; without an auth config
   * every token is refused.
   */
  env?: Record<string, string>;
  /** Keys of the auth config's OIDC (`domain`) providers, by domain, instead of discovery over HTTP. */
  oidcJwks?: Record<string, Jwks>;
  /** Largest request body accepted, in bytes. Default 32 MiB (Convex caps arguments at 16 MiB). */
  maxBodyBytes?: number;
  /** Keep-alive Ping interval of the WebSocket sync protocol (ms). Default 15000. */
  syncPingIntervalMs?: number;
}

export interface LocalBackend {
  /** "http://127.0.0.1:PORT", the deployment URL clients take. */
  url: string;
  host: string;
  port: number;
  runtime: AppRuntime;
  httpServer: http.Server;
  /** The WebSocket sync protocol endpoint (`connectionCount()` for diagnostics). */
  sync: SyncProtocolHandle;
  /** The deployment's environment and auth providers (`updateEnvironment` re-evaluates auth.config.ts). */
  auth: DeploymentAuth;
  /** Stops listening, closes the sync connections, drops open connections. */
  close(): Promise<void>;
}

/** A request the backend refuses before running anything: HTTP status + `{code, message}`. */
class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const ENDPOINT_KIND: Record<string, FunctionKind> = {
  "/api/query": "query",
  "/api/mutation": "mutation",
  "/api/action": "action",
};

function send(res: http.ServerResponse, status: number, body: string, contentType = "application/json"): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  if (status === 413) res.setHeader("Connection", "close");
  send(res, status, JSON.stringify({ code, message }));
}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering, discard the rest, answer 413 (the connection is closed after it).
        req.off("data", onData);
        req.resume();
        chunks.length = 0;
        reject(new RequestError(413, "PayloadTooLarge", `The request body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function encodeReply(result: RunResult, format: ValueFormat): string {
  if (result.status === "success") {
    return stringifyWire({ status: "success", value: exportValue(result.value, format), logLines: [] });
  }
  const reply: Record<string, unknown> = { status: "error", errorMessage: result.errorMessage };
  if (result.errorData !== undefined) reply.errorData = exportValue(result.errorData, format);
  reply.logLines = [];
  return stringifyWire(reply);
}

async function parseRequest(req: http.IncomingMessage, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const contentType = req.headers["content-type"];
  if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
    throw new RequestError(415, "BadContentType", "Expected request with `Content-Type: application/json`");
  }
  const raw = await readBody(req, maxBodyBytes);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString("utf8"));
  } catch (error) {
    throw new RequestError(400, "BadJsonBody", `Failed to parse the request body as JSON: ${(error as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestError(400, "BadJsonBody", "The request body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function decodeArgs(rawArgs: unknown): Record<string, Value> {
  let args;
  try {
    args = argsObject(rawArgs);
  } catch (error) {
    throw new RequestError(400, "BadJsonBody", (error as Error).message);
  }
  try {
    return jsonToConvex(args) as Record<string, Value>;
  } catch (error) {
    throw new RequestError(400, "BadJsonBody", `Invalid Convex value in \`args\`: ${(error as Error).message}`);
  }
}

function parsePathOr400(raw: unknown) {
  if (raw === undefined) throw new RequestError(400, "BadJsonBody", "Missing field `path` (\"module:function\")");
  try {
    return parseFunctionPath(raw);
  } catch (error) {
    throw new RequestError(400, "BadConvexFunctionIdentifier", (error as Error).message);
  }
}

function parseFormatOr400(raw: unknown, fallback?: ValueFormat): ValueFormat {
  try {
    return parseFormat(raw, fallback);
  } catch (error) {
    throw new RequestError(400, "BadFormat", (error as Error).message);
  }
}

async function authenticate(req: http.IncomingMessage, auth: DeploymentAuth): Promise<Identity | null> {
  const header = req.headers.authorization;
  const verified = await auth.verifier.fromHeader(Array.isArray(header) ? header[0] : header);
  return verified?.identity ?? null;
}

/**
 * The sync protocol's view of the runtime: the same `run` as the HTTP API
 * (public functions only, the kind checked), the same token verifier, and the
 * runtime's commit signal.
 */
export function syncEngineFor(runtime: AppRuntime, auth: DeploymentAuth): SyncEngine {
  const as = (kind: FunctionKind) => async (path: string, args: Record<string, Value>, identity: UserIdentity | null) => {
    const result = await runtime.run(kind, parseFunctionPath(path), args, identity as Identity | null);
    if (result.status === "success") return result.value;
    throw new FunctionFailure(result.errorMessage, result.errorData);
  };
  return {
    runQuery: as("query"),
    runMutation: as("mutation"),
    runAction: as("action"),
    verifyToken: async (token: string) => (await auth.verifier.verify(token)).identity as unknown as UserIdentity,
    onCommit: (listener) => runtime.onCommit(listener),
  };
}

/** Starts the local backend; resolves once it listens. */
export async function startLocalBackend(options: LocalBackendOptions = {}): Promise<LocalBackend> {
  const runtime = await AppRuntime.create(options);
  const auth = await DeploymentAuth.load(runtime.appDir, { env: options.env, verifier: { oidcJwks: options.oidcJwks } });
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;

  async function handleFunctionCall(req: http.IncomingMessage, res: http.ServerResponse, pathname: string) {
    const body = await parseRequest(req, maxBodyBytes);
    let kind: FunctionKind | "any";
    let fnPath;
    let format: ValueFormat;
    if (pathname.startsWith("/api/run/")) {
      // /api/run/messages/list -> "messages:list"
      const parts = pathname.slice("/api/run/".length).split("/").map((p) => decodeURIComponent(p));
      if (parts.length < 2 || parts.some((p) => p === "")) {
        throw new RequestError(400, "MissingIdentifier", "Path or function name not provided in path, e.g. /api/run/messages/list");
      }
      const name = parts.pop() as string;
      fnPath = parsePathOr400(`${parts.join("/")}:${name}`);
      kind = "any";
      format = parseFormatOr400(body.format, "json");
    } else if (pathname === "/api/function") {
      if (typeof body.componentPath === "string" && body.componentPath !== "") {
        throw new RequestError(401, "Unauthenticated", "Calling a component's function needs an admin key, which the local backend does not accept");
      }
      fnPath = parsePathOr400(body.path);
      kind = "any";
      format = parseFormatOr400(body.format);
    } else {
      fnPath = parsePathOr400(body.path);
      kind = ENDPOINT_KIND[pathname];
      format = parseFormatOr400(body.format);
    }
    const args = decodeArgs(body.args);
    const identity = await authenticate(req, auth);
    const result = await runtime.run(kind, fnPath, args, identity);
    send(res, 200, encodeReply(result, format));
  }

  // Not a Convex endpoint: what `npx convex env set` does (through the admin API) on a deployment.
  async function handleEnvironmentUpdate(req: http.IncomingMessage, res: http.ServerResponse) {
    const body = await parseRequest(req, maxBodyBytes);
    const changes = body.changes;
    if (!Array.isArray(changes) || !changes.every((c) => typeof c?.name === "string" && (typeof c.value === "string" || c.value === null))) {
      throw new RequestError(400, "BadJsonBody", "Expected {changes: [{name, value}]} (value null unsets a variable)");
    }
    try {
      await auth.updateEnvironment(changes as EnvChange[]);
    } catch (error) {
      if (error instanceof AuthConfigError) throw new RequestError(400, error.code, error.message);
      throw error;
    }
    send(res, 200, JSON.stringify({}));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const pathname = new URL(req.url ?? "/", "http://local").pathname;
    const isFunctionCall = pathname in ENDPOINT_KIND || pathname === "/api/function" || pathname.startsWith("/api/run/");
    if (isFunctionCall) {
      if (req.method !== "POST") throw new RequestError(405, "MethodNotAllowed", `${req.method} ${pathname}: use POST`);
      return await handleFunctionCall(req, res, pathname);
    }
    if (req.method === "GET" && pathname === "/_local_backend/functions") {
      const listing = {
        app: { dir: runtime.appDir, modules: runtime.modules, functions: runtime.functions },
        components: runtime.components,
      };
      return send(res, 200, JSON.stringify(listing));
    }
    if (req.method === "POST" && pathname === "/_local_backend/environment") {
      return await handleEnvironmentUpdate(req, res);
    }
    if (req.method === "GET" && (pathname === "/" || pathname === "/instance_name")) {
      return send(res, 200, pathname === "/" ? "This Convex deployment is running (convex-agent-memory local backend).\n" : "local-backend", "text/plain");
    }
    if (/^\/api\/(?:[^/]+\/)?sync\/?$/.test(pathname)) {
      throw new RequestError(400, "WebSocketRequired", `${pathname} is Convex's WebSocket sync endpoint: connect with a WebSocket upgrade`);
    }
    throw new RequestError(404, "NotFound", `No such endpoint: ${req.method} ${pathname}`);
  }

  const httpServer = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof RequestError || error instanceof AuthError) {
        sendError(res, error.status, error.code, error.message);
      } else {
        console.error("local backend: internal error", error);
        sendError(res, 500, "InternalServerError", String(error));
      }
    });
  });

  const sync = attachSyncProtocol(httpServer, syncEngineFor(runtime, auth), {
    pingIntervalMs: options.syncPingIntervalMs,
  });

  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off("error", reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    runtime,
    httpServer,
    sync,
    auth,
    close: async () => {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await sync.close();
      runtime.close();
      httpServer.closeAllConnections();
      await closed;
    },
  };
}
