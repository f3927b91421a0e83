/**
 * The contract between the local backend and its WebSocket sync protocol.
 *
 * The local backend (its HTTP server, convex-test instance and JWT verifier)
 * implements `SyncEngine`; `attachSyncProtocol` adds Convex's WebSocket sync
 * endpoint (`/api/sync`, `/api/<version>/sync`) to its `node:http` server.
 */
import type { UserIdentity } from "convex/server";
import type { Value } from "convex/values";

export interface SyncEngine {
  /** Runs a public function of the app as `identity` (null = unauthenticated). Throws like convex-test does (ConvexError with .data for application errors). */
  runQuery(path: string, args: Record<string, Value>, identity: UserIdentity | null): Promise<Value>;
  runMutation(path: string, args: Record<string, Value>, identity: UserIdentity | null): Promise<Value>;
  runAction(path: string, args: Record<string, Value>, identity: UserIdentity | null): Promise<Value>;
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
