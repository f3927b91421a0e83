// @vitest-environment node
/**
 * The WebSocket sync protocol (local_backend/sync) against the official JS
 * `ConvexClient`, plus wire-level checks with a raw WebSocket.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { ConvexError, type Value } from "convex/values";
import { attachSyncProtocol } from "../../local_backend/sync/engine.js";
import { decodeTs } from "../../local_backend/sync/wire.js";
import { createFixtureEngine, signToken } from "../fixtures/sync-app/engine.js";

const SECRET = "sync-test-secret-of-at-least-32-bytes";
const q = makeFunctionReference<"query">;
const m = makeFunctionReference<"mutation">;
const a = makeFunctionReference<"action">;

let server: Server;
let sync: ReturnType<typeof attachSyncProtocol>;
let url: string;
const clients: ConvexClient[] = [];

function client(): ConvexClient {
  const c = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  clients.push(c);
  return c;
}

/** Records every value (or error) a subscription delivers; `next(pred)` waits for a matching one. */
function watch(c: ConvexClient, name: string, args: Record<string, Value>) {
  const seen: { value?: unknown; error?: Error }[] = [];
  const waiters: { pred: (e: { value?: unknown; error?: Error }) => boolean; resolve: (e: { value?: unknown; error?: Error }) => void }[] = [];
  const push = (e: { value?: unknown; error?: Error }) => {
    seen.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  const unsubscribe = c.onUpdate(
    q(name),
    args,
    (value) => push({ value }),
    (error) => push({ error }),
  );
  return {
    seen,
    unsubscribe,
    next(pred: (e: { value?: unknown; error?: Error }) => boolean) {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise<{ value?: unknown; error?: Error }>((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

beforeAll(async () => {
  const engine = await createFixtureEngine(SECRET);
  server = createServer((_req, res) => res.writeHead(404).end());
  sync = attachSyncProtocol(server, engine, { pingIntervalMs: 200 });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await sync.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("official JS ConvexClient", () => {
  test("query, mutation, action", async () => {
    const c = client();
    expect(await c.query(q("counter:get"), { name: "qma" })).toBe(0);
    expect(await c.mutation(m("counter:increment"), { name: "qma", by: 2 })).toBe(2);
    // Read-your-writes: the mutation resolved only once a Transition at its ts arrived.
    expect(await c.query(q("counter:get"), { name: "qma" })).toBe(2);
    expect(await c.action(a("counter:incrementTwice"), { name: "qma" })).toBe(4);
    expect(await c.query(q("counter:get"), { name: "qma" })).toBe(4);
  });

  test("a subscription sees another client's mutation; unsubscribing stops updates", async () => {
    const watcher = client();
    const writer = client();
    const counter = watch(watcher, "counter:get", { name: "sub" });
    await counter.next((e) => e.value === 0);

    await writer.mutation(m("counter:increment"), { name: "sub" });
    await counter.next((e) => e.value === 1);
    await writer.mutation(m("counter:increment"), { name: "sub", by: 10 });
    await counter.next((e) => e.value === 11);
    expect(counter.seen.map((e) => e.value)).toEqual([0, 1, 11]);

    counter.unsubscribe();
    // A barrier on the same connection: once it sees the item (written after
    // the counter), the counter's Transition would have arrived already.
    const barrier = watch(watcher, "items:list", { list: "barrier" });
    await barrier.next((e) => Array.isArray(e.value) && e.value.length === 0);
    await writer.mutation(m("counter:increment"), { name: "sub" });
    await writer.mutation(m("items:add"), { list: "barrier", text: "after" });
    await barrier.next((e) => Array.isArray(e.value) && e.value.length === 1);
    expect(counter.seen.map((e) => e.value)).toEqual([0, 1, 11]);
    expect(await writer.query(q("counter:get"), { name: "sub" })).toBe(12);
    barrier.unsubscribe();
  });

  test("setAuth reaches the query's identity; clearAuth removes it", async () => {
    const c = client();
    const who = watch(c, "identity:whoami", {});
    await who.next((e) => e.value === null);

    const authChanges: boolean[] = [];
    c.setAuth(
      async () => signToken(SECRET, { sub: "alice", name: "Alice" }),
      (isAuthenticated) => authChanges.push(isAuthenticated),
    );
    const signedIn = await who.next((e) => (e.value as { subject?: string } | null)?.subject === "alice");
    expect(signedIn.value).toEqual({ subject: "alice", issuer: "https://sync-fixture.invalid", name: "Alice" });
    expect(authChanges).toContain(true);

    // Mutations run as the same identity.
    await c.mutation(m("items:add"), { list: "auth", text: "hello" });
    expect(await c.query(q("items:mine"), { list: "auth" })).toEqual([{ text: "hello", author: "alice" }]);

    c.client.clearAuth();
    await who.next((e) => e.value === null && who.seen.indexOf(e) > who.seen.indexOf(signedIn));
    who.unsubscribe();
  });

  test("a token with a bad signature is refused: onChange(false), still unauthenticated", async () => {
    const c = client();
    const changed = new Promise<boolean>((resolve) =>
      c.setAuth(async () => signToken("some-other-secret-of-at-least-32-bytes", { sub: "mallory" }), resolve),
    );
    expect(await changed).toBe(false);
    expect(await c.query(q("identity:whoami"), {})).toBeNull();
  });

  test("an unauthorized subscription gets an error", async () => {
    const c = client();
    const mine = watch(c, "items:mine", { list: "auth" });
    const { error } = await mine.next((e) => e.error !== undefined);
    expect(error).toBeInstanceOf(ConvexError);
    expect((error as ConvexError<{ code: string }>).data).toEqual({ code: "UNAUTHENTICATED", message: "sign in first" });
    mine.unsubscribe();
  });

  test("query and mutation errors carry ConvexError data; plain errors carry a message", async () => {
    const c = client();
    const failing = watch(c, "identity:failing", { code: "NOT_FOUND" });
    const { error } = await failing.next((e) => e.error !== undefined);
    expect((error as ConvexError<Value>).data).toEqual({ code: "NOT_FOUND", message: "not allowed" });
    failing.unsubscribe();

    await expect(c.query(q("identity:crashing"), {})).rejects.toThrow(/boom/);
    const refused = await c.mutation(m("items:add"), { list: "x", text: "" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConvexError);
    expect((refused as ConvexError<Value>).data).toEqual({ code: "INVALID_ARGUMENT", message: "text must not be empty" });
    // An argument the validator refuses is an error, not a hang.
    await expect(c.mutation(m("counter:increment"), { name: 3 })).rejects.toThrow(/Validator|validator|name/);
  });
});

describe("wire format", () => {
  type Msg = Record<string, unknown> & { type: string };

  async function rawSocket(path: string) {
    const ws = new WebSocket(url.replace("http", "ws") + path);
    const inbox: Msg[] = [];
    const waiters: (() => void)[] = [];
    let closed: { code: number; reason: string } | null = null;
    ws.on("message", (data) => {
      const msg = JSON.parse(data.toString()) as Msg;
      if (msg.type !== "Ping") inbox.push(msg);
      waiters.splice(0).forEach((w) => w());
    });
    ws.on("close", (code, reason) => {
      closed = { code, reason: reason.toString() };
      waiters.splice(0).forEach((w) => w());
    });
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("error", reject);
    });
    const send = (msg: Msg) => ws.send(JSON.stringify(msg));
    const receive = async (): Promise<Msg> => {
      while (inbox.length === 0) {
        if (closed) throw new Error(`closed ${JSON.stringify(closed)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      return inbox.shift()!;
    };
    const closedP = () =>
      new Promise<{ code: number; reason: string }>((resolve) => {
        const check = () => (closed ? resolve(closed) : waiters.push(check));
        check();
      });
    send({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000000", connectionCount: 0, lastCloseReason: "InitialConnect", clientTs: 0 });
    return { ws, send, receive, closed: closedP };
  }

  test("Transition versions, MutationResponse ts, QueryFailed, QueryRemoved (/api/sync)", async () => {
    const s = await rawSocket("/api/sync");
    s.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "counter.js:get", args: [{ name: "wire" }] },
        { type: "Add", queryId: 1, udfPath: "identity:failing", args: [{}] },
      ],
    });
    const first = await s.receive();
    expect(first).toMatchObject({
      type: "Transition",
      startVersion: { querySet: 0, identity: 0, ts: "AAAAAAAAAAA=" },
      endVersion: { querySet: 1, identity: 0 },
    });
    const mods = first.modifications as Msg[];
    expect(mods).toContainEqual({ type: "QueryUpdated", queryId: 0, value: 0, logLines: [], journal: null });
    expect(mods).toContainEqual({
      type: "QueryFailed",
      queryId: 1,
      errorMessage: expect.any(String),
      errorData: { code: "FORBIDDEN", message: "not allowed" },
      logLines: [],
      journal: null,
    });
    const firstEnd = first.endVersion as { ts: string };

    s.send({ type: "Mutation", requestId: 0, udfPath: "counter:increment", args: [{ name: "wire", by: 5 }] });
    const response = await s.receive();
    expect(response).toMatchObject({ type: "MutationResponse", requestId: 0, success: true, result: 5, logLines: [] });
    const mutationTs = decodeTs(response.ts as string);
    expect(mutationTs).toBeGreaterThan(decodeTs(firstEnd.ts));
    // Transitions follow the response, each starting where the last ended, until
    // one reaches the mutation's ts (where the clients resolve the mutation);
    // by then the query's new value has been pushed.
    let second = first;
    const pushed: unknown[] = [];
    do {
      const next = await s.receive();
      expect(next.type).toBe("Transition");
      expect(next.startVersion).toEqual(second.endVersion);
      pushed.push(...(next.modifications as unknown[]));
      second = next;
    } while (decodeTs((second.endVersion as { ts: string }).ts) < mutationTs);
    expect(pushed).toEqual([{ type: "QueryUpdated", queryId: 0, value: 5, logLines: [], journal: null }]);

    s.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 1 }] });
    const third = await s.receive();
    expect(third).toMatchObject({ type: "Transition", startVersion: second.endVersion, endVersion: { querySet: 2, identity: 0 } });
    expect(third.modifications).toEqual([{ type: "QueryRemoved", queryId: 1 }]);

    s.send({ type: "Mutation", requestId: 1, udfPath: "items:add", args: [{ list: "wire", text: "" }] });
    const failed = await s.receive();
    expect(failed).toEqual({
      type: "MutationResponse",
      requestId: 1,
      success: false,
      result: expect.any(String),
      ts: expect.any(String),
      errorData: { code: "INVALID_ARGUMENT", message: "text must not be empty" },
      logLines: [],
    });
    // A failed mutation is followed by a Transition too: the Rust client
    // (Python `convex`) settles a ConvexError-failed mutation only then.
    const afterFailure = await s.receive();
    expect(afterFailure).toMatchObject({ type: "Transition", startVersion: third.endVersion, modifications: [] });
    expect(decodeTs((afterFailure.endVersion as { ts: string }).ts)).toBeGreaterThanOrEqual(decodeTs(failed.ts as string));

    s.send({ type: "Action", requestId: 2, udfPath: "counter:incrementTwice", args: [{ name: "wire" }] });
    let action = await s.receive();
    // The action's writes may be pushed before its response: actions have no ts.
    while (action.type === "Transition") action = await s.receive();
    expect(action).toEqual({ type: "ActionResponse", requestId: 2, success: true, result: 7, logLines: [] });
    s.ws.close();
  });

  test("Authenticate bumps the identity version; a bad token gets AuthError and a close (/api/1.48.0/sync)", async () => {
    const s = await rawSocket("/api/1.48.0/sync");
    s.send({ type: "Authenticate", tokenType: "User", baseVersion: 0, value: signToken(SECRET, { sub: "bob" }) });
    s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 7, udfPath: "identity:whoami", args: [{}] }] });
    // Auth is applied before the query set: the query never runs unauthenticated.
    let t = await s.receive();
    const updates: Msg[] = [];
    while ((t.endVersion as { querySet: number }).querySet < 1) t = await s.receive();
    updates.push(...(t.modifications as Msg[]));
    expect(t.endVersion).toMatchObject({ identity: 1, querySet: 1 });
    expect(updates).toEqual([
      { type: "QueryUpdated", queryId: 7, value: { subject: "bob", issuer: "https://sync-fixture.invalid" }, logLines: [], journal: null },
    ]);

    s.send({ type: "Authenticate", tokenType: "None", baseVersion: 1 });
    const cleared = await s.receive();
    expect(cleared).toMatchObject({ type: "Transition", startVersion: t.endVersion, endVersion: { identity: 2, querySet: 1 } });
    expect(cleared.modifications).toEqual([{ type: "QueryUpdated", queryId: 7, value: null, logLines: [], journal: null }]);

    s.send({ type: "Authenticate", tokenType: "User", baseVersion: 2, value: "not.a.jwt" });
    const error = await s.receive();
    expect(error).toMatchObject({ type: "AuthError", baseVersion: 2, authUpdateAttempted: true });
    expect(error.error).toMatch(/token/i);
    expect((await s.closed()).code).toBe(1000);
  });

  test("a query set version mismatch is a FatalError; other paths are not upgraded", async () => {
    const s = await rawSocket("/api/sync");
    s.send({ type: "ModifyQuerySet", baseVersion: 3, newVersion: 4, modifications: [] });
    expect(await s.receive()).toMatchObject({ type: "FatalError" });
    await s.closed();

    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(url.replace("http", "ws") + "/api/elsewhere");
      ws.on("unexpected-response", (_req, res) => resolve(String(res.statusCode)));
      ws.on("error", (e) => resolve(e.message));
    });
    expect(refused).toMatch(/404/);
  });

  test("keep-alive Pings reach idle connections", async () => {
    const ws = new WebSocket(url.replace("http", "ws") + "/api/sync");
    const ping = await new Promise<unknown>((resolve) => ws.on("message", (d) => resolve(JSON.parse(d.toString()))));
    expect(ping).toEqual({ type: "Ping" });
    ws.close();
  });
});
