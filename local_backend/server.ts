/**
 * The local backend's HTTP server: Convex's HTTP API (http_api.ts) and its
 * WebSocket sync protocol (sync/, at /api/sync and /api/<version>/sync) in
 * front of one {@link AppRuntime}, on one port.
 *
 * Also served: GET /_local_backend/functions (what was loaded; not a Convex
 * endpoint), GET / and /instance_name.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { UserIdentity } from "convex/server";
import { AuthError, identityFromHeader, loadAuthConfig, verifyToken, type AuthOptions } from "./auth.js";
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
  /** How bearer tokens are verified (as the app's customJwt provider). No key: every token is refused. */
  auth?: AuthOptions;
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
  const auth = options.auth ? loadAuthConfig(options.auth) : null;
  const runtime = await AppRuntime.create(options);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_REQUEST_BYTES;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const pathname = new URL(req.url ?? "/", "http://local").pathname;
    if (isFunctionEndpoint(pathname)) {
      if (req.method !== "POST") throw new RequestError(405, "MethodNotAllowed", `${describeTarget(req.method, pathname)}: use POST`);
      return send(res, 200, await handleFunctionCall(req, pathname, runtime, (header) => identityFromHeader(header, auth), maxBodyBytes));
    }
    if (req.method === "GET" && pathname === "/_local_backend/functions") {
      const listing = {
        app: { dir: runtime.appDir, modules: runtime.modules, functions: runtime.functions },
        components: runtime.components,
      };
      return send(res, 200, JSON.stringify(listing));
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

  const verify = async (token: string) => verifyToken(token, auth) as unknown as UserIdentity;
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
    close: async () => {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      await sync.close();
      runtime.close();
      httpServer.closeAllConnections();
      await closed;
    },
  };
}
