/**
 * Wire format of Convex's WebSocket sync protocol, as spoken by the official
 * clients: `convex` npm (browser/sync/protocol.ts) and convex-rs
 * (`convex_sync_types`, used by the Python `convex` package).
 *
 * Timestamps (`ts`, `maxObservedTimestamp`) are u64 nanoseconds encoded as the
 * base64 of their 8 little-endian bytes (a plain string, not `{"$integer"}`).
 * Function arguments travel as a one-element array of convex-encoded JSON.
 */
import { type JSONValue, type Value, convexToJson } from "convex/values";

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

export function encodeValue(value: Value | undefined): JSONValue {
  return convexToJson(value === undefined ? null : value);
}
