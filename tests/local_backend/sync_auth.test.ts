// @vitest-environment node
/**
 * Tokens over the WebSocket sync protocol, as the backend treats them: the
 * identity is re-checked before every query re-run and every request; an
 * expired one ends the session with AuthError {authUpdateAttempted: false}; a
 * refused Authenticate with AuthError {authUpdateAttempted: true}; Transitions
 * carry clientClockSkew and serverTs. The official JS client answers an
 * expiry by asking its token fetcher again.
 */
import { randomUUID } from "node:crypto";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { WebSocket } from "ws";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, TEST_KEYS, claims, rsaKeys, signJwt } from "./helpers.js";

let backend: LocalBackend;
beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: TEST_KEYS.env });
});
afterAll(async () => {
  await backend?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const addNote = (text: string) => new ConvexHttpClient(backend.url, { logger: false }).mutation(makeFunctionReference<"mutation">("notes:add"), { text });

type Message = Record<string, unknown> & { type: string };

/** A raw sync-protocol session: send messages, await the next one matching a type. */
async function session() {
  const ws = new WebSocket(`${backend.url.replace("http", "ws")}/api/sync`);
  const inbox: Message[] = [];
  const waiters: Array<() => void> = [];
  let closed = false;
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as Message;
    if (message.type !== "Ping") inbox.push(message);
    waiters.splice(0).forEach((wake) => wake());
  });
  ws.on("close", () => {
    closed = true;
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
  return {
    send: (message: Message) => ws.send(JSON.stringify(message)),
    async next(type: string, pred: (m: Message) => boolean = () => true): Promise<Message> {
      for (;;) {
        const index = inbox.findIndex((m) => m.type === type && pred(m));
        if (index !== -1) return inbox.splice(index, 1)[0];
        if (closed) throw new Error(`closed before a ${type}; got ${JSON.stringify(inbox)}`);
        await new Promise<void>((wake) => waiters.push(wake));
      }
    },
    closedAfter: () => new Promise<boolean>((resolve) => (closed ? resolve(true) : ws.once("close", () => resolve(true)))),
  };
}

/** The Transition that answers the query set (the identity may have its own before it). */
const queried = (m: Message) => (m.endVersion as { querySet: number }).querySet === 1 && (m.modifications as unknown[]).length > 0;

async function subscribedSession(token: string, clientTs?: number) {
  const s = await session();
  s.send({ type: "Connect", sessionId: randomUUID(), connectionCount: 0, lastCloseReason: null, ...(clientTs ? { clientTs } : {}) });
  s.send({ type: "Authenticate", tokenType: "User", baseVersion: 0, value: token });
  s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:count", args: [{}] }] });
  return s;
}

test("Transitions carry clientClockSkew and serverTs as the backend sends them", async () => {
  const s = await subscribedSession(TEST_KEYS.sign(claims("skew")), Date.now() - 60_000);
  const transition = await s.next("Transition", queried);
  expect(transition.endVersion).toMatchObject({ identity: 1, querySet: 1 });
  expect(Math.abs((transition.clientClockSkew as number) + 60_000)).toBeLessThan(5_000);
  expect(Math.abs((transition.serverTs as number) / 1e6 - Date.now())).toBeLessThan(5_000);
});

test("an identity that expires ends the session at the next re-run: AuthError, authUpdateAttempted false", async () => {
  const s = await subscribedSession(TEST_KEYS.sign(claims("short", { exp: now() + 1 })));
  await s.next("Transition", queried);
  await sleep(2_100); // past exp (whole seconds)
  await addNote("wakes the subscription");
  const error = await s.next("AuthError");
  expect(error).toEqual({ type: "AuthError", error: "Convex token identity expired", baseVersion: 1, authUpdateAttempted: false });
  expect(await s.closedAfter()).toBe(true);
});

test("an expired identity runs no mutation", async () => {
  const s = await subscribedSession(TEST_KEYS.sign(claims("short-writer", { exp: now() + 1 })));
  const first = await s.next("Transition", queried);
  const count = ((first.modifications as Array<{ value: number }>)[0]).value;
  await sleep(2_100);
  s.send({ type: "Mutation", requestId: 0, udfPath: "notes:add", args: [{ text: "too late" }] });
  expect(await s.next("AuthError")).toMatchObject({ authUpdateAttempted: false });
  const http = new ConvexHttpClient(backend.url, { logger: false });
  expect(await http.query(makeFunctionReference<"query">("notes:count"), {})).toBe(count);
});

test("a refused token: AuthError with authUpdateAttempted true and the verifier's message", async () => {
  const s = await subscribedSession(signJwt(claims("mallory"), rsaKeys().privateKey, { kid: TEST_KEYS.kid }));
  const error = await s.next("AuthError");
  expect(error).toMatchObject({ baseVersion: 0, authUpdateAttempted: true });
  expect(error.error).toMatch(/Could not decode token/);
});

test("the official JS client asks its token fetcher again when the token expires, and the subscription goes on", async () => {
  const forced: boolean[] = [];
  const client = new ConvexClient(backend.url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  // Tokens that say they live long (iat far back) but expire in 2 s: the client relies on
  // the server's AuthError to refresh them, not on its own schedule.
  client.setAuth(async ({ forceRefreshToken }) => {
    forced.push(forceRefreshToken);
    return TEST_KEYS.sign(claims("js-refresh", { iat: now() - 600, exp: now() + 2 }));
  });
  const seen: number[] = [];
  const off = client.onUpdate(makeFunctionReference<"query">("notes:count"), {}, (value) => seen.push(value as number));
  try {
    let last = 0;
    for (let i = 0; i < 16; i++) {
      last = (await addNote(`tick ${i}`)) as number;
      await sleep(400);
    }
    for (let wait = 0; wait < 100 && seen.at(-1) !== last; wait++) await sleep(100);
    expect(seen.at(-1)).toBe(last);
    // The first token, then at least two refreshes forced by expiries.
    expect(forced.filter((f) => f).length).toBeGreaterThanOrEqual(2);
  } finally {
    off();
    await client.close();
  }
});
