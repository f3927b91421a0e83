/**
 * The local backend's HTTP server: Convex's HTTP API (http_api.ts) and its
 * WebSocket sync protocol (sync/, at /api/sync and /api/<version>/sync) in
 * front of one {@link AppRuntime}, on one port.
 *
 * Also served: GET /_local_backend/functions (what was loaded; not a Convex
 * endpoint), POST /_local_backend/environment (the deployment environment, as
 * `npx convex env set` changes it; not a Convex endpoint), GET / and /instance_name.
 *
 * Tokens are verified against the app's own auth.config.ts, evaluated with the
 * deployment environment (authConfig.ts), by one verifier (auth.ts) for HTTP and sync.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { UserIdentity } from "convex/server";
import { AuthError, type Jwks } from "./auth.js";
import { AuthConfigError, DeploymentAuth, type EnvChange } from "./authConfig.js";
import { RequestError } from "./calls.js";
import { MAX_REQUEST_BYTES, describeTarget, handleFunctionCall, isFunctionEndpoint } from "./http_api.js";
import { AppRuntime, type RuntimeOptions } from "./runtime.js";
import { attachSyncProtocol, type SyncProtocolHandle } from "./sync/engine.js";
import { syncEngineFor } from "./sync/runtime_engine.js";

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
  /** Largest request body accepted, in bytes. Default 16 MiB + 2,000 bytes, as a deployment. */
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

function send(res: http.ServerResponse, status: number, body: string, contentType = "application/json"): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

/** A refusal: HTTP status and `{code, message}`, as `HttpResponseError` writes it. */
function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  // A request whose body was not read (too large) cannot keep its connection.
  if (status === 400 && code === "BadJsonBody" && message.includes("length limit exceeded")) res.setHeader("Connection", "close");
  send(res, status, JSON.stringify({ code, message }));
}

/** Starts the local backend; resolves once it listens. */
export async function startLocalBackend(options: LocalBackendOptions = {}): Promise<LocalBackend> {
  const runtime = await AppRuntime.create(options);
  const auth = await DeploymentAuth.load(runtime.appDir, { env: options.env, verifier: { oidcJwks: options.oidcJwks } });
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BYTES;
  const identify = async (header: string | undefined) => (await auth.verifier.fromHeader(header))?.identity ?? null;

  // Not a Convex endpoint: what `npx convex env set` does (through the admin API) on a deployment.
  async function updateEnvironment(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let changes: unknown;
    try {
      changes = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { changes?: unknown }).changes;
    } catch (error) {
      throw new RequestError(400, "BadJsonBody", (error as Error).message);
    }
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
    if (isFunctionEndpoint(pathname)) {
      if (req.method !== "POST") throw new RequestError(405, "MethodNotAllowed", `${describeTarget(req.method, pathname)}: use POST`);
      return send(res, 200, await handleFunctionCall(req, pathname, runtime, identify, maxBodyBytes));
    }
    if (req.method === "GET" && pathname === "/_local_backend/functions") {
      const listing = {
        app: { dir: runtime.appDir, modules: runtime.modules, functions: runtime.functions },
        components: runtime.components,
      };
      return send(res, 200, JSON.stringify(listing));
    }
    if (req.method === "POST" && pathname === "/_local_backend/environment") {
      return await updateEnvironment(req, res);
    }
    if (req.method === "GET" && (pathname === "/" || pathname === "/instance_name")) {
      return send(res, 200, pathname === "/" ? "This Convex deployment is running (convex-agent-memory local backend).\n" : "local-backend", "text/plain");
    }
    if (/^\/api\/(?:[^/]+\/)?sync\/?$/.test(pathname)) {
      throw new RequestError(400, "WebSocketRequired", `${pathname} is Convex's WebSocket sync endpoint: connect with a WebSocket upgrade`);
    }
    throw new RequestError(404, "NotFound", `No such endpoint: ${describeTarget(req.method, pathname)}`);
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
        sendError(res, 500, "InternalServerError", "Your request couldn't be completed. Try again later.");
      }
    });
  });

  // The verifier of the moment: an environment update replaces it for both HTTP and sync.
  const verify = async (token: string) => (await auth.verifier.verify(token)).identity as unknown as UserIdentity;
  const sync = attachSyncProtocol(httpServer, syncEngineFor(runtime, verify), {
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
