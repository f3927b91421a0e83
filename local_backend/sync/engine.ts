/**
 * The contract between an app runtime and the WebSocket sync protocol.
 *
 * The local backend's runtime implements `SyncEngine` (runtime_engine.ts);
 * `attachSyncProtocol` adds Convex's WebSocket sync endpoint (`/api/sync`,
 * `/api/<version>/sync`) to a `node:http` server.
 */
import type { UserIdentity } from "convex/server";
import type { CallResult } from "../calls.js";

export interface SyncEngine {
  /**
   * Runs a public query as `identity` (null = unauthenticated): `udfPath` and
   * `args` (the positional JSON array) as the client sent them. Function
   * errors come back as `{status: "error"}`; a refusal the backend answers
   * with a `FatalError` throws a `RequestError` (calls.ts).
   */
  runQuery(udfPath: string, args: unknown, identity: UserIdentity | null): Promise<CallResult>;
  runMutation(udfPath: string, args: unknown, identity: UserIdentity | null): Promise<CallResult>;
  runAction(udfPath: string, args: unknown, identity: UserIdentity | null): Promise<CallResult>;
  /** Verifies a JWT like a customJwt provider; throws on a bad or expired token. */
  verifyToken(token: string): Promise<UserIdentity>;
  /** Called after every committed write (mutation, or a scheduled function that wrote). Returns an unsubscribe function. */
  onCommit(listener: () => void): () => void;
}

export interface SyncProtocolOptions {
  /**
   * Serve only this exact URL path (e.g. "/api/sync"). By default both
   * `/api/sync` (Rust/Python client) and `/api/<version>/sync` (JS client) are served.
   */
  path?: string;
  /** How often a `{"type":"Ping"}` keep-alive is sent to every client (ms). Default 15000; the Rust client gives up after 30 s of silence, the JS client after 60 s. */
  pingIntervalMs?: number;
}

export interface SyncProtocolHandle {
  /** Closes every sync connection, stops listening for commits and upgrades. Does not close the HTTP server. */
  close(): Promise<void>;
  /** Number of open sync connections (for tests and diagnostics). */
  connectionCount(): number;
}

export { attachSyncProtocol } from "./server.js";
