// @vitest-environment node
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, TEST_KEYS, post } from "./helpers.js";

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: TEST_KEYS.env });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const count = async () => (await post(url, "/api/query", { path: "notes:count", args: {}, format: "json" })).json.value;

describe("function calls", () => {
  test("mutation then query, with the real backend's envelope", async () => {
    const before = (await count()) as number;
    const added = await post(url, "/api/mutation", { path: "notes:add", args: { text: "hello" }, format: "json" });
    expect(added.status).toBe(200);
    // No logLines when the function logged nothing: serde skips the empty list.
    expect(added.json).toEqual({ status: "success", value: before + 1 });
    const list = await post(url, "/api/query", { path: "notes:list", args: {}, format: "json" });
    expect(list.json.value).toContainEqual({ text: "hello", author: null });
  });

  test("args as a one-element array (the JS client's shape), a .js path, and the default export", async () => {
    const viaArray = await post(url, "/api/query", { path: "notes.js:count", args: [{}], format: "convex_encoded_json" });
    expect(viaArray.json.status).toBe("success");
    const byDefault = await post(url, "/api/query", { path: "values", args: {} });
    expect(byDefault.json.value).toBe("default export");
    const explicit = await post(url, "/api/query", { path: "values.js:default", args: {} });
    expect(explicit.json.value).toBe("default export");
    // A JSON value that is not an object is the one argument; the validator refuses it.
    const notAnObject = await post(url, "/api/query", { path: "notes:count", args: null });
    expect(notAnObject.json.errorMessage).toMatch(
      /\nArgumentValidationError: Expected to receive an object as the function's argument\. Instead received: null$/,
    );
  });

  test("/api/run/{module}/{function} runs any kind, clean JSON by default", async () => {
    const reply = await post(url, "/api/run/values/samples", { args: {} });
    expect(reply.json.status).toBe("success");
    expect((reply.json.value as Record<string, unknown>).int64).toBe("42");
    const mutation = await post(url, "/api/run/notes/add", { args: { text: "run" } });
    expect(mutation.json.status).toBe("success");
    const missing = await post(url, "/api/run/notes", { args: {} });
    expect(missing.status).toBe(400);
    expect(missing.json).toEqual({
      code: "MissingIdentifier",
      message: "Path or function name not provided in path, e.g. /api/run/messages/list",
    });
    // Internal functions are not found, worded as the backend's `any_udf` words it.
    const internal = await post(url, "/api/run/notes/secret", { args: {} });
    expect(internal.json.errorMessage).toMatch(
      /^\[Request ID: [0-9a-f]{16}\] Server Error\nCould not find function for 'notes:secret'\. Did you forget to run `npx convex dev`\?$/,
    );
  });

  test("an action runs and calls queries and mutations", async () => {
    const before = (await count()) as number;
    const reply = await post(url, "/api/action", { path: "notes:addViaAction", args: { text: "from action" } });
    expect(reply.json).toMatchObject({ status: "success", value: before + 1 });
  });
});

describe("value formats", () => {
  test("convex_encoded_json: $integer, $bytes, $float, and float64 written with .0", async () => {
    const reply = await post(url, "/api/query", { path: "values:samples", args: {}, format: "convex_encoded_json" });
    const value = reply.json.value as Record<string, unknown>;
    expect(value.int64).toEqual({ $integer: "KgAAAAAAAAA=" });
    expect(value.bytes).toEqual({ $bytes: "ABCD" });
    expect(value.nan).toEqual({ $float: "AAAAAAAA+H8=" });
    expect(value.inf).toEqual({ $float: "AAAAAAAA8H8=" });
    expect(value.negZero).toEqual({ $float: "AAAAAAAAAIA=" });
    expect(reply.text).toContain('"one":1.0');
    expect(reply.text).toContain('"big":1795384212830.0');
    expect(reply.text).toContain('"half":0.5');
    expect(reply.text).toContain('"text":"é\\u0000\\""');
  });

  test("json (clean): int64 as a string, bytes as base64, special floats as strings", async () => {
    const reply = await post(url, "/api/query", { path: "values:samples", args: {}, format: "json" });
    const value = reply.json.value as Record<string, unknown>;
    expect(value).toMatchObject({ int64: "42", bytes: "ABCD", nan: "NaN", inf: "Infinity", half: 0.5 });
    expect(reply.text).toContain('"negZero":-0.0');
    expect(reply.text).toContain('"one":1.0');
  });

  test("export_json: int64 as a JSON integer, bytes and non-finite floats $-encoded", async () => {
    const reply = await post(url, "/api/query", { path: "values:samples", args: {}, format: "export_json" });
    expect(reply.text).toContain('"int64":42,');
    expect(reply.text).toContain('"bytes":{"$bytes":"ABCD"}');
    expect(reply.text).toContain('"nan":{"$float":"AAAAAAAA+H8="}');
    expect(reply.text).toContain('"negZero":-0.0');
    expect(reply.text).toContain('"one":1.0');
  });

  test("encoded arguments are decoded whatever the reply format", async () => {
    const arg = { n: { $integer: "KgAAAAAAAAA=" }, b: { $bytes: "ABCD" }, f: 2 };
    const encoded = await post(url, "/api/query", { path: "values:echo", args: { value: arg }, format: "convex_encoded_json" });
    expect(encoded.json.value).toEqual(arg);
    expect(encoded.text).toContain('"f":2.0');
    const clean = await post(url, "/api/query", { path: "values:echo", args: { value: arg }, format: "json" });
    expect(clean.json.value).toEqual({ n: "42", b: "ABCD", f: 2 });
  });
});

describe("function errors: HTTP 200 with status error", () => {
  test("a ConvexError carries errorData, and its mutation is rolled back", async () => {
    const before = await count();
    const reply = await post(url, "/api/mutation", { path: "notes:addThenFail", args: { text: "x" }, format: "json" });
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe("error");
    expect(reply.json.errorData).toEqual({ code: "NOT_FOUND", message: "no note x", text: "x" });
    expect(reply.json.errorMessage).toMatch(/^\[Request ID: [0-9a-f]{16}\] Server Error\nUncaught ConvexError: /);
    expect(await count()).toBe(before);
  });

  test("a plain Error has a message and no errorData", async () => {
    const reply = await post(url, "/api/query", { path: "notes:boom", args: {} });
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe("error");
    expect(reply.json.errorMessage).toMatch(/Uncaught Error: boom/);
    expect("errorData" in reply.json).toBe(false);
  });

  test("argument validation failures are function errors, in the backend's words", async () => {
    const before = await count();
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: 5 } });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      status: "error",
      errorMessage: expect.stringMatching(
        /^\[Request ID: [0-9a-f]{16}\] Server Error\nArgumentValidationError: Value does not match validator\.\nPath: \.text\nValue: 5\.0\nValidator: v\.string\(\)$/,
      ),
    });
    expect(await count()).toBe(before);
  });

  test("unknown and internal functions are not found; the wrong endpoint kind is refused", async () => {
    for (const [path, named] of [
      ["notes:nope", "notes:nope"],
      ["nope.js:nope", "nope:nope"],
      ["notes:secret", "notes:secret"],
      ["notes.js:default", "notes"],
    ]) {
      const reply = await post(url, "/api/query", { path, args: {} });
      expect(reply.status).toBe(200);
      expect(reply.json.errorMessage).toMatch(new RegExp(`\\nCould not find public function for '${named}'\\.$`));
    }
    const wrongKind = await post(url, "/api/query", { path: "notes:add", args: { text: "q" } });
    expect(wrongKind.json.errorMessage).toMatch(/\nTrying to execute notes\.js:add as Query, but it is defined as Mutation\.$/);
    const actionAsMutation = await post(url, "/api/mutation", { path: "notes:addViaAction", args: { text: "q" } });
    expect(actionAsMutation.json.errorMessage).toMatch(/\nTrying to execute notes\.js:addViaAction as Mutation, but it is defined as Action\.$/);
  });

  test("transaction limits are enforced as in production", async () => {
    const before = await count();
    const reply = await post(url, "/api/mutation", { path: "notes:addMany", args: { n: 16_001 } });
    expect(reply.json.status).toBe("error");
    expect(reply.json.errorMessage).toMatch(/limit: 16000/);
    expect(await count()).toBe(before);
  });
});

describe("malformed requests: the backend's status, code and message", () => {
  const SYNTAX = "Failed to parse the request body as JSON: ";
  const DATA = "Failed to deserialize the JSON body into the target type: ";
  test.each([
    ["bad JSON", "/api/query", '{"path": "notes:count", ', 400, "BadJsonBody", `${SYNTAX}EOF while parsing a value at line 1 column 24`],
    ["a stray character", "/api/query", '{"path": x}', 400, "BadJsonBody", `${SYNTAX}expected value at line 1 column 10`],
    ["trailing characters", "/api/query", '{"path": "notes:count", "args": {}} x', 400, "BadJsonBody", `${SYNTAX}trailing characters at line 1 column 37`],
    ["a multi-line body", "/api/query", '{\n  "path": "notes:count",\n  "args": {},\n}', 400, "BadJsonBody", `${SYNTAX}trailing comma at line 4 column 1`],
    ["a lone surrogate in the path", "/api/query", '{"path": "\\ud800", "args": {}}', 400, "BadJsonBody", `${SYNTAX}unexpected end of hex escape at line 1 column 17`],
    ["body not an object", "/api/query", "5", 400, "BadJsonBody", `${DATA}invalid type: integer \`5\`, expected struct UdfPostRequest at line 1 column 1`],
    ["body a short array", "/api/query", '["notes:count", {}]', 400, "BadJsonBody", `${DATA}invalid length 2, expected struct UdfPostRequest with 3 elements at line 1 column 18`],
    ["missing args", "/api/query", { path: "notes:count" }, 400, "BadJsonBody", `${DATA}missing field \`args\` at line 1 column 21`],
    ["missing path", "/api/query", { args: {} }, 400, "BadJsonBody", `${DATA}missing field \`path\` at line 1 column 10`],
    ["path not a string", "/api/query", { path: 5, args: {} }, 400, "BadJsonBody", `${DATA}path: invalid type: integer \`5\`, expected a string at line 1 column 9`],
    ["format not a string", "/api/query", { path: "notes:count", args: {}, format: [] }, 400, "BadJsonBody", `${DATA}format: invalid type: sequence, expected a string at line 1 column 41`],
    [
      "a module path with a hyphen",
      "/api/query",
      { path: "my-notes:count", args: {} },
      400,
      "BadConvexFunctionIdentifier",
      "my-notes:count is not a valid path to a Convex function. Path component my-notes.js can only contain alphanumeric characters, underscores, or periods.",
    ],
    [
      "a relative module path",
      "/api/query",
      { path: "../x:y", args: {} },
      400,
      "BadConvexFunctionIdentifier",
      "../x:y is not a valid path to a Convex function. Invalid path component ParentDir in ../x.",
    ],
    [
      "a function name that is not an identifier",
      "/api/query",
      { path: "notes:1x", args: {} },
      400,
      "BadConvexFunctionIdentifier",
      "notes:1x is not a valid path to a Convex function. Invalid first character '1' in 1x: Identifiers must start with an alphabetic character or underscore",
    ],
    [
      "a module that is not .js",
      "/api/query",
      { path: "notes.ts:count", args: {} },
      400,
      "BadConvexFunctionIdentifier",
      "notes.ts:count is not a valid path to a Convex function. Module path (notes.ts) has an extension that isn't 'js'.",
    ],
    ["unknown format", "/api/query", { path: "notes:count", args: {}, format: "xml" }, 400, "BadFormat", "format param must be one of [`json`]. Got xml"],
    ["unknown endpoint", "/api/nothing", { path: "notes:count", args: {} }, 404, "NotFound", "No such endpoint: POST /api/nothing"],
    [
      "/api/function without an admin key",
      "/api/function",
      { path: "notes:count", args: {} },
      403,
      "BadDeployKey",
      "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.",
    ],
    [
      "a component's function",
      "/api/function",
      { path: "threads:get", componentPath: "agentMemory", args: {} },
      403,
      "BadDeployKey",
      "The provided deploy key was invalid for this deployment. Double check that the environment this key was generated for matches the desired deployment.",
    ],
  ])("%s", async (_name, endpoint, body, status, code, message) => {
    const reply = await post(url, endpoint as string, body);
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ code, message });
  });

  test("the format is read after the function ran, as the backend reads it", async () => {
    const before = (await count()) as number;
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: "f" }, format: "xml" });
    expect(reply.status).toBe(400);
    expect(await count()).toBe(before + 1);
  });

  test("arguments serde_json cannot parse: a function error for a query, a 400 for an action", async () => {
    const query = await post(url, "/api/query", '{"path": "values:echo", "args": {"value": "\\udc00"}}');
    expect(query.json.errorMessage).toMatch(/^\[Request ID: [0-9a-f]{16}\] Server Error\nInvalid arguments provided$/);
    const action = await post(url, "/api/action", '{"path": "notes:addViaAction", "args": {"text": "\\ud800"}}');
    expect(action.status).toBe(400);
    expect(action.json).toEqual({ code: "InvalidArguments", message: "Invalid arguments provided" });
    // A surrogate pair is a character like any other.
    const pair = await post(url, "/api/query", '{"path": "values:echo", "args": {"value": "\\ud83d\\ude00"}}');
    expect(pair.json).toEqual({ status: "success", value: "\u{1F600}" });
  });

  test("JSON content type required; other methods are refused", async () => {
    const message = "Expected request with `Content-Type: application/json`";
    for (const contentType of ["application/x-www-form-urlencoded", "text/plain", undefined]) {
      const reply = await fetch(`${url}/api/query`, {
        method: "POST",
        headers: contentType === undefined ? {} : { "Content-Type": contentType },
        body: JSON.stringify({ path: "notes:count", args: {} }),
      });
      // fetch adds text/plain to a string body when no type is given: remove it by sending bytes.
      expect(reply.status).toBe(400);
      expect(await reply.json()).toEqual({ code: "BadJsonBody", message });
    }
    for (const contentType of ["application/json; charset=utf-8", "application/vnd.api+json"]) {
      const reply = await post(url, "/api/query", { path: "notes:count", args: {} }, { "Content-Type": contentType });
      expect(reply.json.status).toBe("success");
    }
    const get = await fetch(`${url}/api/query`);
    expect(get.status).toBe(405);
  });
});

describe("the request body limit: 16 MiB + 2,000 bytes", () => {
  const LIMIT = 16 * 1024 * 1024 + 2000;
  /** A body of exactly `size` bytes calling strict:size. */
  const bodyOf = (size: number) => {
    const shell = '{"path":"strict:size","args":{"value":""}}';
    return `${shell.slice(0, -3)}${"x".repeat(size - shell.length)}"}}`;
  };

  test("just under is read, just over is refused without an echo", async () => {
    const under = await post(url, "/api/query", bodyOf(LIMIT));
    expect(under.status).toBe(200);
    expect(under.json.errorMessage).toMatch(/\nArguments for strict\.js:size are too large \(actual: 16 MiB, limit: 16 MiB\)$/);
    const over = await post(url, "/api/query", bodyOf(LIMIT + 1));
    expect(over.status).toBe(400);
    expect(over.json).toEqual({ code: "BadJsonBody", message: "Failed to buffer the request body: length limit exceeded" });
    // The connection was closed after the refusal; the next request gets a new one.
    expect((await post(url, "/api/query", { path: "notes:count", args: {} })).json.status).toBe("success");
  });

  test("arguments may weigh 16 MiB, as Convex counts them, and not a byte more", async () => {
    // [{value: "…"}] weighs the string's length + 12 bytes.
    const justUnder = await post(url, "/api/query", { path: "strict:size", args: { value: "y".repeat(16 * 1024 * 1024 - 12) } });
    expect(justUnder.json).toEqual({ status: "success", value: 16 * 1024 * 1024 - 12 });
    const justOver = await post(url, "/api/query", { path: "strict:size", args: { value: "y".repeat(16 * 1024 * 1024 - 11) } });
    expect(justOver.json.errorMessage).toMatch(/\nArguments for strict\.js:size are too large \(actual: 16 MiB, limit: 16 MiB\)$/);
  });
});

describe("oversized inputs get a short error, never an echo", () => {
  test("a 100 kB function path", async () => {
    const path = `${"a".repeat(100_000)}:b`;
    const reply = await post(url, "/api/query", { path, args: {} });
    expect(reply.json.code).toBe("BadConvexFunctionIdentifier");
    expect(reply.text.length).toBeLessThan(2_000);
  });

  test("a 10 kB function name in /api/run, and a 10 kB unknown endpoint", async () => {
    const run = await post(url, `/api/run/notes/${"b".repeat(10_000)}`, { args: {} });
    expect(run.json.code).toBe("BadConvexFunctionIdentifier");
    expect(run.json.message).toMatch(/Identifier is too long \(10000 > maximum 64\)$/);
    expect(run.text.length).toBeLessThan(2_000);
    const nowhere = await post(url, `/api/${"c".repeat(10_000)}`, { args: {} });
    expect(nowhere.status).toBe(404);
    expect(nowhere.text.length).toBeLessThan(2_000);
  });

  test("a 100 kB bearer token", async () => {
    const reply = await post(url, "/api/query", { path: "notes:count", args: {} }, { Authorization: `Bearer ${"t".repeat(100_000)}` });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.text.length).toBeLessThan(2_000);
  });

  test("a 1 MB argument that fails validation", async () => {
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: ["z".repeat(1_000_000)] } });
    expect(reply.json.errorMessage).toMatch(/ArgumentValidationError: Value does not match validator/);
    expect(reply.text.length).toBeLessThan(3_000);
  });
});

describe("a long-lived backend", () => {
  test("mutations are applied one at a time", async () => {
    const before = (await count()) as number;
    const replies = await Promise.all(
      Array.from({ length: 25 }, (_, i) => post(url, "/api/mutation", { path: "notes:add", args: { text: `c${i}` } })),
    );
    // Each mutation returns the count it saw after its own insert: serial execution gives before+1..before+25.
    const seen = replies.map((r) => r.json.value as number).sort((a, b) => a - b);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => before + i + 1));
    expect(await count()).toBe(before + 25);
  });

  test("scheduled functions run by themselves", async () => {
    const before = (await count()) as number;
    const reply = await post(url, "/api/mutation", { path: "notes:addLater", args: { text: "later", delayMs: 0 } });
    expect(reply.json.status).toBe("success");
    let now = before;
    for (let i = 0; i < 100 && now === before; i++) {
      await new Promise((r) => setTimeout(r, 20));
      now = (await count()) as number;
    }
    expect(now).toBe(before + 1);
  });

  test("it lists the modules and functions it loaded", async () => {
    const response = await fetch(`${url}/_local_backend/functions`);
    const listing = await response.json();
    expect(listing.app.modules).toEqual(["auth", "notes", "strict", "values"]);
    expect(listing.app.functions).toContainEqual({ path: "notes:add", kind: "mutation", visibility: "public" });
    expect(listing.app.functions).toContainEqual({ path: "notes:secret", kind: "query", visibility: "internal" });
    expect(listing.components).toEqual([]);
  });
});
