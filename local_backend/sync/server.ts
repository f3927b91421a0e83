/**
 * Convex's WebSocket sync protocol on top of a `SyncEngine`.
 *
 * Model (what the official JS and Rust/Python clients rely on):
 * - One logical clock `ts` (u64 nanoseconds, strictly increasing) for the whole
 *   server. It advances on every committed write (engine.onCommit) and after
 *   every mutation run over a WebSocket.
 * - Each connection ("session") has a query set (version = the client's
 *   `newVersion`), an identity (version = Authenticate's `baseVersion + 1`) and
 *   the last state version it was sent. Every Transition starts at the
 *   previous Transition's end version.
 * - A session is "dirty" when its query set or identity changed or the clock
 *   advanced. A dirty session re-runs its queries (all of them when the clock
 *   or the identity moved, only the new ones otherwise) and sends a Transition
 *   with the results that changed (compared on their encoded JSON).
 * - A MutationResponse carries a `ts` taken after the mutation resolved, and
 *   is sent before any Transition whose end ts is ≥ it: the clients resolve
 *   the mutation at the first Transition with `endVersion.ts >= ts`, so every
 *   query they then read already reflects the write.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { UserIdentity } from "convex/server";
import type { Value } from "convex/values";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { RequestError, parseFunctionPath, type CallResult } from "../calls.js";
import { TOKEN_EXPIRED_MESSAGE, identityExpired, tokenExpiresAtMs } from "./auth.js";
import type { SyncEngine, SyncProtocolHandle, SyncProtocolOptions } from "./engine.js";
import { type ClientMessage, type ServerMessage, type StateModification, decodeTs, encodeTs, encodeValue } from "./wire.js";

const DEFAULT_PATH = /^\/api\/(?:[^/]+\/)?sync\/?$/;

/** Server-wide logical clock: nanoseconds since the epoch, strictly increasing. */
class Clock {
  private current = BigInt(Date.now()) * 1_000_000n;
  now(): bigint {
    return this.current;
  }
  advance(): bigint {
    const wall = BigInt(Date.now()) * 1_000_000n;
    this.current = wall > this.current ? wall : this.current + 1n;
    return this.current;
  }
  observe(ts: bigint): void {
    if (ts > this.current) this.current = ts;
  }
}

/** A query's result, or the refusal that ends the session (a `FatalError`). */
type Outcome = CallResult | { status: "fatal"; error: string };

/** What the session is told about a call that throws (a `RequestError`, or a bug). */
function fatalOf(e: unknown): { status: "fatal"; error: string } {
  return { status: "fatal", error: e instanceof Error ? e.message : String(e) };
}

/**
 * The udfPath of a client message, checked as the backend does when it reads
 * the message (a bad one is `WSMessageInvalidJson`, `crates/local_backend/src/subs/mod.rs`).
 * Calling into a component needs an admin key, which the local backend takes from no one.
 */
function messageProblem(udfPath: unknown, componentPath: unknown): string | null {
  try {
    if (typeof udfPath !== "string") throw new Error("invalid type: expected a string udfPath");
    parseFunctionPath(udfPath);
  } catch (e) {
    return `Received Invalid JSON on websocket: ${(e as Error).message}`;
  }
  if (typeof componentPath === "string" && componentPath !== "") {
    return "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.";
  }
  return null;
}

/**
 * Shares query executions between sessions at one clock value: N subscribers
 * of the same query with the same identity run it once per commit.
 */
class QueryCache {
  private ts = -1n;
  private entries = new Map<string, Promise<Outcome>>();
  constructor(private engine: SyncEngine) {}

  run(ts: bigint, path: string, args: unknown, argsKey: string, identity: UserIdentity | null, identityKey: string): Promise<Outcome> {
    const execute = () => this.engine.runQuery(path, args, identity).catch((e: unknown): Outcome => fatalOf(e));
    if (ts < this.ts) return execute();
    if (ts > this.ts) {
      this.ts = ts;
      this.entries = new Map();
    }
    const key = `${identityKey}\u0000${path}\u0000${argsKey}`;
    let pending = this.entries.get(key);
    if (pending === undefined) {
      pending = execute();
      this.entries.set(key, pending);
    }
    return pending;
  }
}

type QueryEntry = {
  /** As the client sent them: the runtime parses and decodes them (calls.ts). */
  udfPath: string;
  args: unknown;
  argsKey: string;
  /** Encoded result last sent to the client; undefined until first sent. */
  lastSent?: string;
};

type Version = { querySet: number; identity: number; ts: bigint };

class Session {
  private querySetVersion = 0;
  private identityVersion = 0;
  private identity: UserIdentity | null = null;
  private identityKey = "null";
  /** When the identity's token expires (ms since the epoch); null without one. */
  private identityExpiresAtMs: number | null = null;
  /** `clientTs` of Connect minus the server's clock (ms), sent in every Transition as the backend does. */
  private clientClockSkew: number | null = null;
  private queries = new Map<number, QueryEntry>();
  private pendingRemovals: number[] = [];
  private sent: Version = { querySet: 0, identity: 0, ts: 0n };
  /** Highest mutation ts told to this client; a Transition reaching it must follow. */
  private awaitedTs = 0n;
  private dirty = false;
  private syncing = false;
  /** Serializes Connect/Authenticate/ModifyQuerySet (and orders Mutation/Action after them). */
  private control: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private ws: WebSocket,
    private engine: SyncEngine,
    private clock: Clock,
    private cache: QueryCache,
  ) {}

  send(message: ServerMessage): void {
    if (this.closed || this.ws.readyState !== WebSocket.OPEN) return;
    if (message.type === "Transition") {
      // crates/local_backend/src/subs/mod.rs: `inject_server_ts` when the message goes out (ns).
      message.serverTs = Date.now() * 1_000_000;
    }
    this.ws.send(JSON.stringify(message));
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
  }

  markClosed(): void {
    this.closed = true;
  }

  private fatal(error: string): void {
    this.send({ type: "FatalError", error });
    this.close(1000, "FatalError");
  }

  onRaw(data: RawData): void {
    let message: ClientMessage;
    try {
      message = JSON.parse(data.toString()) as ClientMessage;
      if (typeof message !== "object" || message === null || typeof message.type !== "string") {
        throw new Error("not a message object");
      }
    } catch (e) {
      this.fatal(`Received Invalid JSON on websocket: ${(e as Error).message}`);
      return;
    }
    const problem =
      message.type === "Mutation" || message.type === "Action"
        ? messageProblem(message.udfPath, message.componentPath)
        : message.type === "ModifyQuerySet"
          ? (message.modifications ?? []).reduce<string | null>(
              (found, m) => found ?? (m.type === "Add" ? messageProblem(m.udfPath, m.componentPath) : null),
              null,
            )
          : null;
    if (problem !== null) {
      this.fatal(problem);
      return;
    }
    switch (message.type) {
      case "Connect":
      case "Authenticate":
      case "ModifyQuerySet": {
        const m = message;
        this.control = this.control.then(() => this.handleControl(m)).catch((e: unknown) => this.fatal(String(e)));
        return;
      }
      case "Mutation":
      case "Action": {
        const m = message;
        // Runs with the identity in force once the messages before it are handled,
        // but does not hold up later messages (a slow action blocks nothing).
        void this.control.then(() => this.runRequest(m, this.identity));
        return;
      }
      case "Event":
        return;
      default:
        this.fatal(`Unknown message type ${(message as { type: string }).type}`);
    }
  }

  private async handleControl(message: ClientMessage): Promise<void> {
    if (this.closed) return;
    switch (message.type) {
      case "Connect": {
        // crates/sync/src/worker.rs: client_clock_skew = clientTs - server now (ms).
        if (typeof message.clientTs === "number") this.clientClockSkew = Math.round(message.clientTs - Date.now());
        if (typeof message.maxObservedTimestamp === "string") {
          try {
            this.clock.observe(decodeTs(message.maxObservedTimestamp));
          } catch {
            /* ignore a malformed hint */
          }
        }
        return;
      }
      case "ModifyQuerySet": {
        if (message.baseVersion !== this.querySetVersion) {
          this.fatal(
            `Base version ${message.baseVersion} passed up doesn't match the current version ${this.querySetVersion}`,
          );
          return;
        }
        for (const modification of message.modifications ?? []) {
          if (modification.type === "Add") {
            if (this.queries.has(modification.queryId)) {
              this.fatal(`Duplicate query id ${modification.queryId}`);
              return;
            }
            this.queries.set(modification.queryId, {
              udfPath: modification.udfPath,
              args: modification.args,
              argsKey: JSON.stringify(modification.args ?? null),
            });
          } else if (modification.type === "Remove") {
            if (this.queries.delete(modification.queryId)) this.pendingRemovals.push(modification.queryId);
          } else {
            this.fatal(`Invalid query set modification ${(modification as { type: string }).type}`);
            return;
          }
        }
        this.querySetVersion = message.newVersion;
        this.markDirty();
        return;
      }
      case "Authenticate": {
        if (message.baseVersion !== this.identityVersion) {
          this.fatal(
            `Base identity version ${message.baseVersion} doesn't match the current version ${this.identityVersion}`,
          );
          return;
        }
        let identity: UserIdentity | null;
        let expiresAtMs: number | null = null;
        if (message.tokenType === "None") {
          identity = null;
        } else if (message.tokenType === "User" && typeof message.value === "string") {
          try {
            identity = await this.engine.verifyToken(message.value);
          } catch (e) {
            // The verifier's message, as `authentication_update_error` carries it.
            this.authError(e instanceof Error ? e.message : String(e), true);
            return;
          }
          expiresAtMs = tokenExpiresAtMs(message.value);
        } else {
          this.authError(`Authentication of type ${message.tokenType} is not supported by the local backend`, true);
          return;
        }
        this.identity = identity;
        this.identityExpiresAtMs = expiresAtMs;
        this.identityKey = JSON.stringify(identity);
        this.identityVersion = message.baseVersion + 1;
        this.markDirty();
        return;
      }
      default:
        return;
    }
  }

  /**
   * As the real backend does: AuthError, then the socket is closed (the client
   * reconnects). `baseVersion` is the identity version of the last Transition;
   * `authUpdateAttempted` tells a refused Authenticate (true) from an identity
   * that expired (false), which makes the official clients fetch a new token.
   */
  private authError(error: string, authUpdateAttempted: boolean): void {
    this.send({ type: "AuthError", error, baseVersion: this.sent.identity, authUpdateAttempted });
    this.close(1000, "AuthError");
  }

  /** Re-checks the identity before a query re-run or a request; false (session ended) once it expired. */
  private identityStillValid(): boolean {
    if (!identityExpired(this.identityExpiresAtMs)) return true;
    this.authError(TOKEN_EXPIRED_MESSAGE, false);
    return false;
  }

  private async runRequest(
    message: Extract<ClientMessage, { type: "Mutation" | "Action" }>,
    identity: UserIdentity | null,
  ): Promise<void> {
    if (this.closed || !this.identityStillValid()) return;
    let result: CallResult;
    try {
      result =
        message.type === "Mutation"
          ? await this.engine.runMutation(message.udfPath, message.args, identity)
          : await this.engine.runAction(message.udfPath, message.args, identity);
    } catch (e) {
      // What the backend refuses outright (e.g. arguments it cannot parse, for an action).
      this.fatal(e instanceof RequestError ? e.message : `Internal error: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (result.status === "error") {
      const errorData = result.errorData === undefined ? {} : { errorData: encodeValue(result.errorData) };
      if (message.type === "Action") {
        this.send({
          type: "ActionResponse",
          requestId: message.requestId,
          success: false,
          result: result.errorMessage,
          logLines: result.logLines,
          ...errorData,
        });
        return;
      }
      // The Rust client (Python `convex`) settles a failed mutation that carries
      // ConvexError data only at the next Transition, as it does a success: it
      // gets a ts and a Transition too (the backend's serializer sends `ts` on
      // failures as well).
      const ts = this.clock.advance();
      this.send({
        type: "MutationResponse",
        requestId: message.requestId,
        success: false,
        result: result.errorMessage,
        ts: encodeTs(ts),
        logLines: result.logLines,
        ...errorData,
      });
      if (ts > this.awaitedTs) this.awaitedTs = ts;
      this.markDirty();
      return;
    }
    if (message.type === "Action") {
      this.send({ type: "ActionResponse", requestId: message.requestId, success: true, result: encodeValue(result.value), logLines: result.logLines });
      return;
    }
    // The write is committed: a ts past it, told to the client before the
    // Transition that reaches it (this session's next sync).
    const ts = this.clock.advance();
    this.send({
      type: "MutationResponse",
      requestId: message.requestId,
      success: true,
      result: encodeValue(result.value),
      ts: encodeTs(ts),
      logLines: result.logLines,
    });
    if (ts > this.awaitedTs) this.awaitedTs = ts;
    this.markDirty();
  }

  markDirty(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.syncing) void this.syncLoop();
  }

  private async syncLoop(): Promise<void> {
    this.syncing = true;
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        await this.syncOnce();
      }
    } catch (e) {
      this.fatal(`Internal error while syncing: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.syncing = false;
    }
  }

  private async syncOnce(): Promise<void> {
    if (!this.identityStillValid()) return;
    const target: Version = { querySet: this.querySetVersion, identity: this.identityVersion, ts: this.clock.now() };
    const identity = this.identity;
    const identityKey = this.identityKey;
    const rerunAll = target.ts !== this.sent.ts || target.identity !== this.sent.identity;
    const removals = this.pendingRemovals;
    this.pendingRemovals = [];

    const toRun = [...this.queries].filter(([, entry]) => rerunAll || entry.lastSent === undefined);
    const outcomes = await Promise.all(
      toRun.map(([, entry]): Promise<Outcome> => this.cache.run(target.ts, entry.udfPath, entry.args, entry.argsKey, identity, identityKey)),
    );
    if (this.closed) return;
    const fatal = outcomes.find((o): o is { status: "fatal"; error: string } => o.status === "fatal");
    if (fatal !== undefined) {
      this.fatal(fatal.error);
      return;
    }

    const modifications: StateModification[] = removals.map((queryId) => ({ type: "QueryRemoved", queryId }));
    toRun.forEach(([queryId, entry], i) => {
      // Removed (or replaced) while it ran: its removal goes out in a later Transition.
      if (this.queries.get(queryId) !== entry) return;
      const outcome = outcomes[i] as CallResult;
      const modification: StateModification =
        outcome.status === "success"
          ? { type: "QueryUpdated", queryId, value: encodeValue(outcome.value), logLines: outcome.logLines, journal: null }
          : {
              type: "QueryFailed",
              queryId,
              errorMessage: outcome.errorMessage,
              logLines: outcome.logLines,
              journal: null,
              ...(outcome.errorData !== undefined ? { errorData: encodeValue(outcome.errorData) } : {}),
            };
      // Compared without the request id, which differs on every run.
      const key =
        outcome.status === "success"
          ? `v${JSON.stringify((modification as { value: unknown }).value)}`
          : `e${JSON.stringify([outcome.errorMessage.replace(/^\[Request ID: [^\]]*\] /, ""), (modification as { errorData?: unknown }).errorData ?? null])}`;
      if (entry.lastSent === key) return;
      entry.lastSent = key;
      modifications.push(modification);
    });

    const mustSend =
      modifications.length > 0 ||
      target.querySet !== this.sent.querySet ||
      target.identity !== this.sent.identity ||
      (target.ts > this.sent.ts && this.awaitedTs > this.sent.ts);
    if (!mustSend) return;
    // Never move ts backwards (a session's ts only grows).
    if (target.ts < this.sent.ts) target.ts = this.sent.ts;
    this.send({
      type: "Transition",
      startVersion: { querySet: this.sent.querySet, identity: this.sent.identity, ts: encodeTs(this.sent.ts) },
      endVersion: { querySet: target.querySet, identity: target.identity, ts: encodeTs(target.ts) },
      modifications,
      clientClockSkew: this.clientClockSkew,
      serverTs: null,
    });
    this.sent = target;
  }
}

function requestPath(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Serves Convex's WebSocket sync protocol on `server` (upgrade requests to
 * `/api/sync` and `/api/<version>/sync`), running functions through `engine`.
 */
export function attachSyncProtocol(server: Server, engine: SyncEngine, options: SyncProtocolOptions = {}): SyncProtocolHandle {
  const matches = (path: string) => (options.path !== undefined ? path === options.path : DEFAULT_PATH.test(path));
  const clock = new Clock();
  const cache = new QueryCache(engine);
  const sessions = new Set<Session>();
  const wss = new WebSocketServer({ noServer: true });

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!matches(requestPath(req))) {
      // Leave it to another upgrade handler if there is one.
      if (server.listenerCount("upgrade") === 1) {
        socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      }
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, engine, clock, cache);
      sessions.add(session);
      ws.on("message", (data) => session.onRaw(data));
      ws.on("close", () => {
        session.markClosed();
        sessions.delete(session);
      });
      ws.on("error", () => {
        session.markClosed();
        sessions.delete(session);
      });
    });
  };
  server.on("upgrade", onUpgrade);

  const unsubscribe = engine.onCommit(() => {
    clock.advance();
    for (const session of sessions) session.markDirty();
  });

  const ping = setInterval(() => {
    for (const session of sessions) session.send({ type: "Ping" });
  }, options.pingIntervalMs ?? 15_000);
  ping.unref();

  return {
    connectionCount: () => sessions.size,
    async close() {
      clearInterval(ping);
      unsubscribe();
      server.off("upgrade", onUpgrade);
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => {
              ws.terminate();
              resolve();
            }, 1000);
            ws.once("close", () => {
              clearTimeout(timer);
              resolve();
            });
            ws.close(1001, "Server shutting down");
          }),
      );
      await Promise.all(closing);
      sessions.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
