/**
 * Wire format of Convex's WebSocket sync protocol, as spoken by the official
 * clients: `convex` npm (browser/sync/protocol.ts) and convex-rs
 * (`convex_sync_types`, used by the Python `convex` package).
 *
 * Timestamps (`ts`, `maxObservedTimestamp`) are u64 nanoseconds encoded as the
 * base64 of their 8 little-endian bytes (a plain string, not `{"$integer"}`).
 * Function arguments travel as a one-element array of convex-encoded JSON.
 */
import { ConvexError, type JSONValue, type Value, convexToJson, jsonToConvex } from "convex/values";

export type QueryId = number;

export type AddQuery = {
  type: "Add";
  queryId: QueryId;
  udfPath: string;
  args: JSONValue[];
  journal?: string | null;
  componentPath?: string;
};
export type RemoveQuery = { type: "Remove"; queryId: QueryId };

export type ClientMessage =
  | {
      type: "Connect";
      sessionId: string;
      connectionCount: number;
      lastCloseReason?: string | null;
      maxObservedTimestamp?: string;
      clientTs?: number;
    }
  | {
      type: "ModifyQuerySet";
      baseVersion: number;
      newVersion: number;
      modifications: (AddQuery | RemoveQuery)[];
    }
  | { type: "Mutation"; requestId: number; udfPath: string; args: JSONValue[]; componentPath?: string }
  | { type: "Action"; requestId: number; udfPath: string; args: JSONValue[]; componentPath?: string }
  | {
      type: "Authenticate";
      tokenType: "User" | "Admin" | "None";
      baseVersion: number;
      value?: string;
      impersonating?: unknown;
      actingAs?: unknown;
    }
  | { type: "Event"; eventType: string; event: unknown };

export type EncodedStateVersion = { querySet: number; identity: number; ts: string };

export type StateModification =
  | { type: "QueryUpdated"; queryId: QueryId; value: JSONValue; logLines: string[]; journal: null }
  | {
      type: "QueryFailed";
      queryId: QueryId;
      errorMessage: string;
      logLines: string[];
      journal: null;
      errorData?: JSONValue;
    }
  | { type: "QueryRemoved"; queryId: QueryId };

export type ServerMessage =
  | {
      type: "Transition";
      startVersion: EncodedStateVersion;
      endVersion: EncodedStateVersion;
      modifications: StateModification[];
      /** Connect's `clientTs` minus the server's clock (ms); null when the client sent none. */
      clientClockSkew: number | null;
      /** The server's clock when the message is sent (ns); set by `Session.send`. */
      serverTs: number | null;
    }
  | {
      type: "MutationResponse";
      requestId: number;
      success: true;
      result: JSONValue;
      ts: string;
      logLines: string[];
    }
  | {
      type: "MutationResponse";
      requestId: number;
      success: false;
      result: string;
      /** Not in the JS client's type; sent by the real backend's serializer and awaited by the Rust client. */
      ts?: string;
      logLines: string[];
      errorData?: JSONValue;
    }
  | { type: "ActionResponse"; requestId: number; success: true; result: JSONValue; logLines: string[] }
  | {
      type: "ActionResponse";
      requestId: number;
      success: false;
      result: string;
      logLines: string[];
      errorData?: JSONValue;
    }
  | { type: "AuthError"; error: string; baseVersion: number; authUpdateAttempted: boolean }
  | { type: "FatalError"; error: string }
  | { type: "Ping" };

const U64_MAX = (1n << 64n) - 1n;

/** u64 → base64 of its 8 little-endian bytes (Convex's `EncodedTS`). */
export function encodeTs(ts: bigint): string {
  if (ts < 0n || ts > U64_MAX) throw new RangeError(`timestamp out of range: ${ts}`);
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(ts);
  return bytes.toString("base64");
}

export function decodeTs(encoded: string): bigint {
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length !== 8) throw new Error("a timestamp must be 8 bytes");
  return bytes.readBigUInt64LE();
}

/**
 * "messages:list", "messages.js:list", "dir/mod.js" → "messages:list", "messages:list", "dir/mod:default"
 * (the JS client strips ".js"; the Rust client adds it).
 */
export function canonicalizeUdfPath(udfPath: string): string {
  const colon = udfPath.lastIndexOf(":");
  let moduleName = colon === -1 ? udfPath : udfPath.slice(0, colon);
  const functionName = colon === -1 ? "default" : udfPath.slice(colon + 1);
  if (moduleName.endsWith(".js")) moduleName = moduleName.slice(0, -3);
  return `${moduleName}:${functionName}`;
}

/** `[ {...encoded args} ]` → decoded args object. */
export function decodeArgs(args: unknown): Record<string, Value> {
  if (!Array.isArray(args) || args.length !== 1) {
    throw new Error("args must be a one-element array holding the arguments object");
  }
  const decoded = jsonToConvex(args[0] as JSONValue);
  if (decoded === null || typeof decoded !== "object" || Array.isArray(decoded) || decoded instanceof ArrayBuffer) {
    throw new Error("the arguments must be an object");
  }
  return decoded as Record<string, Value>;
}

export function encodeValue(value: Value | undefined): JSONValue {
  return convexToJson(value === undefined ? null : value);
}

/** The error of a function run, as the wire carries it. */
export type ErrorPayload = { errorMessage: string; errorData?: JSONValue };

function isConvexError(e: unknown): e is ConvexError<Value> {
  return (
    e instanceof ConvexError ||
    (typeof e === "object" && e !== null && (e as { name?: unknown }).name === "ConvexError" && "data" in e)
  );
}

/**
 * A function error already in its wire form (what an engine built on the
 * local backend's runtime throws): sent as is, message and data.
 */
export class FunctionFailure extends Error {
  constructor(
    readonly errorMessage: string,
    readonly errorData?: Value,
  ) {
    super(errorMessage);
    this.name = "FunctionFailure";
  }
}

export function errorPayload(e: unknown): ErrorPayload {
  if (e instanceof FunctionFailure) {
    return e.errorData === undefined
      ? { errorMessage: e.errorMessage }
      : { errorMessage: e.errorMessage, errorData: encodeValue(e.errorData) };
  }
  if (isConvexError(e)) {
    return { errorMessage: e.message, errorData: encodeValue(e.data) };
  }
  if (e instanceof Error) {
    return { errorMessage: `Uncaught ${e.name}: ${e.message}` };
  }
  return { errorMessage: `Uncaught ${String(e)}` };
}
