/**
 * The sync protocol's view of an {@link AppRuntime}: the same `run` as the
 * HTTP API (function path parsing, argument decoding and error shapes from
 * calls.ts; public functions only, the kind checked), the same token
 * verifier, and the runtime's commit signal.
 */
import type { UserIdentity } from "convex/server";
import type { Identity } from "../auth.js";
import { parseFunctionPath } from "../calls.js";
import type { FunctionKind } from "../modules.js";
import type { AppRuntime } from "../runtime.js";
import type { SyncEngine } from "./engine.js";

/**
 * `verifyToken` is the deployment's token verifier (server.ts passes the
 * local backend's, auth.ts; a test fixture may pass another, e.g. HS256).
 */
export function syncEngineFor(runtime: AppRuntime, verifyToken: (token: string) => Promise<UserIdentity>): SyncEngine {
  // The path was checked when the message arrived (a bad one is a FatalError, sync/server.ts).
  const as = (kind: FunctionKind) => (udfPath: string, args: unknown, identity: UserIdentity | null) =>
    runtime.run(kind, parseFunctionPath(udfPath), args, identity as Identity | null);
  return {
    runQuery: as("query"),
    runMutation: as("mutation"),
    runAction: as("action"),
    verifyToken,
    onCommit: (listener) => runtime.onCommit(listener),
  };
}
