// @vitest-environment node
/**
 * The WebSocket sync protocol decodes function paths and arguments and words
 * errors exactly as the HTTP API does (both go through local_backend/calls.ts),
 * with log lines, and refuses what the backend refuses when it reads a message.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, post, syncSocket, TEST_KEYS } from "./helpers.js";

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: TEST_KEYS.env });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const body = (text: string) => text.replace(/^\[Request ID: [0-9a-f]{16}\] Server Error\n/, "");

test("the same error text over the WebSocket as over HTTP", async () => {
  const cases: Array<[string, unknown]> = [
    ["strict:record", { r: { a: "x" } }],
    ["strict:nested", { o: { a: {} } }],
    ["values:echo", { value: { $integer: 5 } }],
    ["strict:badReturn", {}],
    ["notes:nope", {}],
    ["notes:add", { text: "wrong kind" }],
  ];
  const s = await syncSocket(url);
  s.send({
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: cases.map(([udfPath, args], queryId) => ({ type: "Add", queryId, udfPath, args: [args] })),
  });
  const transition = await s.receiveType("Transition");
  const failed = new Map((transition.modifications as Array<{ queryId: number; errorMessage: string }>).map((m) => [m.queryId, m.errorMessage]));
  for (const [i, [path, args]] of cases.entries()) {
    const http = await post(url, "/api/query", { path, args });
    expect(body(failed.get(i) as string)).toBe(body(http.json.errorMessage as string));
  }
  s.close();
});

test("arguments serde_json cannot parse: QueryFailed for a query, FatalError for an action", async () => {
  const s = await syncSocket(url);
  s.send({
    type: "ModifyQuerySet",
    baseVersion: 0,
    newVersion: 1,
    modifications: [{ type: "Add", queryId: 0, udfPath: "values:echo", args: [{ value: "\ud800" }] }],
  });
  const transition = await s.receiveType("Transition");
  expect(transition.modifications).toEqual([
    { type: "QueryFailed", queryId: 0, errorMessage: expect.stringMatching(/\nInvalid arguments provided$/), logLines: [], journal: null },
  ]);
  s.send({ type: "Action", requestId: 0, udfPath: "notes:addViaAction", args: [{ text: "\ud800" }] });
  expect(await s.receiveType("FatalError")).toEqual({ type: "FatalError", error: "Invalid arguments provided" });
});

test("a bad function path or a component call ends the session", async () => {
  const bad = await syncSocket(url);
  bad.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "notes:1x", args: [{}] }] });
  expect((await bad.receiveType("FatalError")).error).toBe(
    "Received Invalid JSON on websocket: Invalid first character '1' in 1x: Identifiers must start with an alphabetic character or underscore",
  );
  const component = await syncSocket(url);
  component.send({ type: "Mutation", requestId: 0, udfPath: "threads:create", args: [{}], componentPath: "agentMemory" });
  expect((await component.receiveType("FatalError")).error).toMatch(/^The provided deploy key was invalid/);
});

test("log lines reach QueryUpdated", async () => {
  const s = await syncSocket(url);
  s.send({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "strict:logs", args: [{ lines: 2 }] }] });
  const transition = await s.receiveType("Transition");
  expect(transition.modifications).toEqual([
    { type: "QueryUpdated", queryId: 0, value: null, logLines: ["[LOG] 'hello' {\n  a: 1\n}", "[WARN] 'careful'"], journal: null },
  ]);
  s.close();
});
