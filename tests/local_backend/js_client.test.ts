// @vitest-environment node
// Wire compatibility: the official JS ConvexHttpClient (convex npm package) against the local backend.
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { ConvexError } from "convex/values";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, ISSUER, TEST_KEYS, claims, rsaKeys, signJwt } from "./helpers.js";

let backend: LocalBackend;

beforeAll(async () => {
  backend = await startLocalBackend({
    appDir: FIXTURE_APP,
    components: [],
    env: TEST_KEYS.env,
  });
});
afterAll(async () => {
  await backend?.close();
});

const add = makeFunctionReference<"mutation", { text: string }, number>("notes:add");
const list = makeFunctionReference<"query", Record<string, never>, Array<{ text: string; author: string | null }>>("notes:list");
const whoami = makeFunctionReference<"query", Record<string, never>, Record<string, unknown> | null>("auth:whoami");
const addThenFail = makeFunctionReference<"mutation", { text: string }, null>("notes:addThenFail");
const samples = makeFunctionReference<"query", Record<string, never>, Record<string, unknown>>("values:samples");
const addViaAction = makeFunctionReference<"action", { text: string }, number>("notes:addViaAction");

test("query and mutation without a token", async () => {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  const n = await client.mutation(add, { text: "from js" });
  expect(typeof n).toBe("number");
  expect(await client.query(list, {})).toContainEqual({ text: "from js", author: null });
  expect(await client.query(whoami, {})).toBeNull();
  expect(await client.action(addViaAction, { text: "js action" })).toBe(n + 1);
});

test("query and mutation with a token", async () => {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  client.setAuth(TEST_KEYS.sign(claims("js-user")));
  await client.mutation(add, { text: "signed" });
  expect(await client.query(list, {})).toContainEqual({ text: "signed", author: "js-user" });
  expect(await client.query(whoami, {})).toMatchObject({ subject: "js-user", tokenIdentifier: `${ISSUER}|js-user` });
});

test("a ConvexError's data reaches the client", async () => {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  const error = await client.mutation(addThenFail, { text: "z" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConvexError);
  expect((error as ConvexError<Record<string, string>>).data).toEqual({ code: "NOT_FOUND", message: "no note z", text: "z" });
});

test("int64, bytes and special floats round-trip through the client", async () => {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  const value = await client.query(samples, {});
  expect(value.int64).toBe(42n);
  expect(new Uint8Array(value.bytes as ArrayBuffer)).toEqual(new Uint8Array([0, 16, 131]));
  expect(value.nan).toBeNaN();
  expect(Object.is(value.negZero, -0)).toBe(true);
  expect(value.big).toBe(1795384212830);
});

test("a refused token is an error on the client", async () => {
  const client = new ConvexHttpClient(backend.url, { logger: false });
  client.setAuth(signJwt(claims("x"), rsaKeys().privateKey, { kid: TEST_KEYS.kid }));
  await expect(client.query(list, {})).rejects.toThrow(/InvalidAuthHeader/);
});
