// @vitest-environment node
/**
 * Live queries against the REAL local backend (local_backend/server.ts with
 * the WebSocket sync protocol wired in): the official JS `ConvexClient` on the
 * example app (memory:watchMessages, authorization) and on the basic fixture
 * app (a scheduled function's write reaches a subscriber).
 */
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { ConvexError, type Value } from "convex/values";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, TEST_KEYS, claims, rsaKeys, signJwt } from "./helpers.js";

const env = TEST_KEYS.env;
const token = (sub: string, extra: Record<string, unknown> = {}) => TEST_KEYS.sign(claims(sub, extra));
const q = makeFunctionReference<"query">;
const m = makeFunctionReference<"mutation">;
const a = makeFunctionReference<"action">;

type Seen = { value?: unknown; error?: Error };

const clients: ConvexClient[] = [];
function client(url: string, jwt?: string): ConvexClient {
  const c = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  if (jwt !== undefined) c.setAuth(async () => jwt);
  clients.push(c);
  return c;
}

/** Records every value (or error) a subscription delivers; `next(pred)` waits for a matching one. */
function watch(c: ConvexClient, name: string, args: Record<string, Value>) {
  const seen: Seen[] = [];
  const waiters: { pred: (e: Seen) => boolean; resolve: (e: Seen) => void }[] = [];
  const push = (e: Seen) => {
    seen.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  const unsubscribe = c.onUpdate(q(name), args, (value) => push({ value }), (error) => push({ error }));
  return {
    seen,
    unsubscribe,
    next(pred: (e: Seen) => boolean): Promise<Seen> {
      const found = seen.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

const texts = (e: Seen) => (Array.isArray(e.value) ? e.value.map((msg) => (msg as { content: { parts: { text: string }[] } }).content.parts[0].text) : null);
const message = (id: string, threadId: string, text: string) => ({
  id,
  threadId,
  role: "user",
  type: "text",
  content: { format: 2, parts: [{ type: "text", text }] },
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

describe("example app (agent memory) over the sync protocol", () => {
  let backend: LocalBackend;
  beforeAll(async () => {
    backend = await startLocalBackend({ env });
  });
  afterAll(async () => {
    await backend?.close();
  });

  test("query, mutation and subscription with the official JS client", async () => {
    const alice = client(backend.url, token("alice"));
    await alice.mutation(m("memory:saveThread"), { id: "js-t1", resourceId: "alice", title: "hello" });
    const thread = (await alice.query(q("memory:getThread"), { resourceId: "alice", id: "js-t1" })) as { title: string; resourceId: string };
    expect(thread).toMatchObject({ title: "hello", resourceId: "alice" });
    const live = watch(alice, "memory:watchThread", { resourceId: "alice", id: "js-t1" });
    await live.next((e) => (e.value as { messageCount?: number } | undefined)?.messageCount === 0);
    await alice.mutation(m("memory:saveMessages"), { resourceId: "alice", messages: [message("js-m0", "js-t1", "first")] });
    await live.next((e) => (e.value as { messageCount?: number } | undefined)?.messageCount === 1);
    live.unsubscribe();
  });

  test("watchMessages yields a message another client saved; unsubscribing stops updates", async () => {
    const setup = new ConvexHttpClient(backend.url, { logger: false });
    setup.setAuth(token("bob"));
    await setup.mutation(m("memory:saveThread"), { id: "js-t2", resourceId: "bob", title: "watched" });

    const watcher = client(backend.url, token("bob"));
    const writer = client(backend.url, token("bob"));
    const messages = watch(watcher, "memory:watchMessages", { resourceId: "bob", threadId: "js-t2", limit: 10 });
    await messages.next((e) => Array.isArray(e.value) && e.value.length === 0);

    await writer.mutation(m("memory:saveMessages"), { resourceId: "bob", messages: [message("js-m1", "js-t2", "one")] });
    await messages.next((e) => texts(e)?.join() === "one");
    // An HTTP client's write reaches the subscriber too.
    await setup.mutation(m("memory:saveMessages"), { resourceId: "bob", messages: [message("js-m2", "js-t2", "two")] });
    await messages.next((e) => texts(e)?.join() === "one,two");
    expect(messages.seen.map(texts)).toEqual([[], ["one"], ["one", "two"]]);

    messages.unsubscribe();
    // A barrier on the same connection, written after the message: once it is
    // seen, a Transition for the removed subscription would have come before it.
    const barrier = watch(watcher, "memory:watchThread", { resourceId: "bob", id: "js-t2" });
    await barrier.next((e) => (e.value as { messageCount?: number } | undefined)?.messageCount === 2);
    await writer.mutation(m("memory:saveMessages"), { resourceId: "bob", messages: [message("js-m3", "js-t2", "three")] });
    await barrier.next((e) => (e.value as { messageCount?: number } | undefined)?.messageCount === 3);
    expect(messages.seen).toHaveLength(3);
    barrier.unsubscribe();
  });

  test("an unauthorized subscription gets an error: no token, or another user's thread", async () => {
    const owner = new ConvexHttpClient(backend.url, { logger: false });
    owner.setAuth(token("carol"));
    await owner.mutation(m("memory:saveThread"), { id: "js-carol", resourceId: "carol" });

    const anonymous = watch(client(backend.url), "memory:watchMessages", { resourceId: "carol", threadId: "js-carol" });
    const anonymousError = (await anonymous.next((e) => e.error !== undefined)).error;
    expect(anonymousError).toBeInstanceOf(ConvexError);
    expect((anonymousError as ConvexError<{ code: string }>).data.code).toBe("UNAUTHENTICATED");

    const dave = watch(client(backend.url, token("dave")), "memory:watchMessages", { resourceId: "carol", threadId: "js-carol" });
    const forbidden = (await dave.next((e) => e.error !== undefined)).error;
    expect(forbidden).toBeInstanceOf(ConvexError);
    expect((forbidden as ConvexError<{ code: string }>).data.code).toBe("FORBIDDEN");
    expect(anonymous.seen.some((e) => e.value !== undefined) || dave.seen.some((e) => e.value !== undefined)).toBe(false);
  });

  test("a bad token is refused over the WebSocket (onChange(false))", async () => {
    const c = client(backend.url);
    const changes: boolean[] = [];
    const outcome = new Promise<boolean>((resolve) => {
      c.setAuth(
        async () => signJwt(claims("mallory"), rsaKeys().privateKey, { kid: TEST_KEYS.kid }),
        (ok) => {
          changes.push(ok);
          resolve(ok);
        },
      );
    });
    expect(await outcome).toBe(false);
  });

  test("the HTTP endpoint /api/sync without an upgrade says to use a WebSocket", async () => {
    const res = await fetch(`${backend.url}/api/sync`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("WebSocketRequired");
  });
});

describe("basic fixture app: every committed write is pushed", () => {
  let backend: LocalBackend;
  beforeAll(async () => {
    backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env });
  });
  afterAll(async () => {
    await backend?.close();
    expect(backend.sync.connectionCount()).toBe(0);
  });

  test("a scheduled function's write reaches a subscriber", async () => {
    const c = client(backend.url);
    const notes = watch(c, "notes:list", {});
    await notes.next((e) => Array.isArray(e.value));
    await c.mutation(m("notes:addLater"), { text: "scheduled", delayMs: 150 });
    const seen = await notes.next((e) => Array.isArray(e.value) && e.value.some((n) => (n as { text: string }).text === "scheduled"));
    expect(seen.value).toContainEqual({ text: "scheduled", author: null });
  });

  test("an action's inner mutation is pushed; a failed mutation pushes nothing and raises", async () => {
    const c = client(backend.url);
    const count = watch(c, "notes:count", {});
    const first = (await count.next((e) => typeof e.value === "number")).value as number;
    const n = (await c.action(a("notes:addViaAction"), { text: "via action" })) as number;
    expect(n).toBe(first + 1);
    await count.next((e) => e.value === first + 1);
    const error = await c.mutation(m("notes:addThenFail"), { text: "nope" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConvexError);
    expect(await c.query(q("notes:count"), {})).toBe(first + 1);
  });

  test("HTTP writes wake the runtime's commit listeners before the reply", async () => {
    let commits = 0;
    const off = backend.runtime.onCommit(() => (commits += 1));
    const http = new ConvexHttpClient(backend.url, { logger: false });
    await http.mutation(m("notes:add"), { text: "listened" });
    expect(commits).toBe(1);
    await http.query(q("notes:count"), {});
    expect(commits).toBe(1); // a query commits nothing
    off();
  });
});
