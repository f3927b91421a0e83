// @vitest-environment node
/**
 * `--redact-errors`: the local backend answers as a production deployment
 * answers callers without an admin key (`crates/application/src/redaction.rs`):
 * every function error reads `[Request ID: …] Server Error` and nothing more,
 * a ConvexError's data is kept, no log lines are sent; refusals answered
 * before a function runs (4xx, FatalError) keep their message.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, post, syncSocket, TEST_KEYS } from "./helpers.js";

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: TEST_KEYS.env, redactErrors: true });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const REDACTED = /^\[Request ID: [0-9a-f]{16}\] Server Error$/;

describe("over HTTP", () => {
  test.each([
    ["a thrown Error", "/api/query", { path: "notes:boom", args: {} }],
    ["argument validation", "/api/mutation", { path: "notes:add", args: { text: 5 } }],
    ["argument decoding", "/api/query", { path: "values:echo", args: { value: { $integer: 5 } } }],
    ["arguments serde_json cannot parse (a query)", "/api/query", '{"path": "values:echo", "args": {"value": "\\ud800"}}'],
    ["an unknown function", "/api/query", { path: "notes:nope", args: {} }],
    ["an internal function", "/api/query", { path: "notes:secret", args: {} }],
    ["the wrong kind", "/api/query", { path: "notes:add", args: { text: "x" } }],
    ["return value validation", "/api/query", { path: "strict:badReturn", args: {} }],
    ["a stored document's limit", "/api/mutation", { path: "strict:storeBuilt", args: { shape: "deep", n: 17 } }],
    ["a transaction limit", "/api/mutation", { path: "notes:addMany", args: { n: 16_001 } }],
    ["a function that logged before failing", "/api/query", { path: "strict:logs", args: { lines: 3, fail: true } }],
  ])("%s: the message is redacted, nothing else is sent", async (_name, endpoint, body) => {
    const reply = await post(url, endpoint, body);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json).sort()).toEqual(["errorMessage", "status"]);
    expect(reply.json.errorMessage).toMatch(REDACTED);
  });

  test("a ConvexError's data is kept", async () => {
    const reply = await post(url, "/api/mutation", { path: "notes:addThenFail", args: { text: "x" } });
    expect(reply.json).toEqual({
      status: "error",
      errorMessage: expect.stringMatching(REDACTED),
      errorData: { code: "NOT_FOUND", message: "no note x", text: "x" },
    });
  });

  test("a success carries no log lines", async () => {
    const reply = await post(url, "/api/query", { path: "strict:logs", args: { lines: 3 } });
    expect(reply.json).toEqual({ status: "success", value: null });
  });

  test.each([
    ["a malformed body", "/api/query", '{"path": ', 400, "BadJsonBody", "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 9"],
    ["a bad function path", "/api/query", { path: "a-b:c", args: {} }, 400, "BadConvexFunctionIdentifier", "a-b:c is not a valid path to a Convex function. Path component a-b.js can only contain alphanumeric characters, underscores, or periods."],
    ["an action's unparsable arguments", "/api/action", '{"path": "notes:addViaAction", "args": {"text": "\\ud800"}}', 400, "InvalidArguments", "Invalid arguments provided"],
    ["an unknown format", "/api/query", { path: "notes:count", args: {}, format: "xml" }, 400, "BadFormat", "format param must be one of [`json`]. Got xml"],
  ])("%s: refused before running, the message is kept", async (_name, endpoint, body, status, code, message) => {
    const reply = await post(url, endpoint, body);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ code, message });
  });

  test("a refused token keeps its message", async () => {
    const reply = await post(url, "/api/query", { path: "notes:count", args: {} }, { Authorization: "Bearer not.a.jwt" });
    expect(reply.status).toBe(401);
    expect(typeof reply.json.message).toBe("string");
    expect(reply.json.message).not.toMatch(/Server Error/);
  });
});

describe("over the WebSocket", () => {
  test("QueryFailed, MutationResponse and ActionResponse are redacted; data kept; no log lines", async () => {
    const s = await syncSocket(url);
    s.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [
        { type: "Add", queryId: 0, udfPath: "notes:boom", args: [{}] },
        { type: "Add", queryId: 1, udfPath: "strict:logs", args: [{ lines: 3 }] },
      ],
    });
    const transition = await s.receiveType("Transition");
    expect(transition.modifications).toEqual(
      expect.arrayContaining([
        { type: "QueryFailed", queryId: 0, errorMessage: expect.stringMatching(REDACTED), logLines: [], journal: null },
        { type: "QueryUpdated", queryId: 1, value: null, logLines: [], journal: null },
      ]),
    );
    s.send({ type: "Mutation", requestId: 0, udfPath: "notes:addThenFail", args: [{ text: "y" }] });
    const mutation = await s.receiveType("MutationResponse");
    expect(mutation).toMatchObject({
      success: false,
      result: expect.stringMatching(REDACTED),
      errorData: { code: "NOT_FOUND", message: "no note y", text: "y" },
      logLines: [],
    });
    s.send({ type: "Action", requestId: 1, udfPath: "strict:recordFromAction", args: [{ r: { a: "x" } }] });
    const action = await s.receiveType("ActionResponse");
    expect(action).toEqual({ type: "ActionResponse", requestId: 1, success: false, result: expect.stringMatching(REDACTED), logLines: [] });
    s.close();
  });

  test("a FatalError keeps its message", async () => {
    const s = await syncSocket(url);
    s.send({ type: "Mutation", requestId: 0, udfPath: "a-b:c", args: [{}] });
    const fatal = await s.receiveType("FatalError");
    expect(fatal.error).toBe(
      "Received Invalid JSON on websocket: Path component a-b.js can only contain alphanumeric characters, underscores, or periods.",
    );
  });
});
