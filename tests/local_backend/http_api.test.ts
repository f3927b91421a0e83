// @vitest-environment node
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, post } from "./helpers.js";

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [] });
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
    expect(added.json).toEqual({ status: "success", value: before + 1, logLines: [] });
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
    const noArgs = await post(url, "/api/query", { path: "notes:count" });
    expect(noArgs.json.status).toBe("success");
  });

  test("/api/run/{module}/{function} runs any kind, clean JSON by default", async () => {
    const reply = await post(url, "/api/run/values/samples", { args: {} });
    expect(reply.json.status).toBe("success");
    expect((reply.json.value as Record<string, unknown>).int64).toBe("42");
    const mutation = await post(url, "/api/run/notes/add", { args: { text: "run" } });
    expect(mutation.json.status).toBe("success");
    const missing = await post(url, "/api/run/notes", { args: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.code).toBe("MissingIdentifier");
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
    expect(reply.json.errorMessage).toMatch(/ConvexError/);
    expect(await count()).toBe(before);
  });

  test("a plain Error has a message and no errorData", async () => {
    const reply = await post(url, "/api/query", { path: "notes:boom", args: {} });
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe("error");
    expect(reply.json.errorMessage).toMatch(/Uncaught Error: boom/);
    expect("errorData" in reply.json).toBe(false);
  });

  test("argument validation failures are function errors", async () => {
    const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: 5 } });
    expect(reply.status).toBe(200);
    expect(reply.json.status).toBe("error");
  });

  test("unknown and internal functions are not found; the wrong endpoint kind is refused", async () => {
    for (const path of ["notes:nope", "nope:nope", "notes:secret"]) {
      const reply = await post(url, "/api/query", { path, args: {} });
      expect(reply.status).toBe(200);
      expect(reply.json.errorMessage).toMatch(/Could not find public function for/);
    }
    const wrongKind = await post(url, "/api/query", { path: "notes:add", args: { text: "q" } });
    expect(wrongKind.json.errorMessage).toMatch(/Trying to execute notes:add as Query, but it is defined as Mutation/);
    const actionAsMutation = await post(url, "/api/mutation", { path: "notes:addViaAction", args: { text: "q" } });
    expect(actionAsMutation.json.errorMessage).toMatch(/as Mutation, but it is defined as Action/);
  });

  test("transaction limits are enforced as in production", async () => {
    const before = await count();
    const reply = await post(url, "/api/mutation", { path: "notes:addMany", args: { n: 16_001 } });
    expect(reply.json.status).toBe("error");
    expect(reply.json.errorMessage).toMatch(/limit: 16000/);
    expect(await count()).toBe(before);
  });
});

describe("malformed requests: 4xx with {code, message}", () => {
  test.each([
    ["bad JSON", "/api/query", '{"path": "notes:count", ', 400, "BadJsonBody"],
    ["body not an object", "/api/query", "[1]", 400, "BadJsonBody"],
    ["missing path", "/api/query", { args: {} }, 400, "BadJsonBody"],
    ["bad path", "/api/query", { path: "../x:y", args: {} }, 400, "BadConvexFunctionIdentifier"],
    ["bad function name", "/api/query", { path: "notes:1x", args: {} }, 400, "BadConvexFunctionIdentifier"],
    ["unknown format", "/api/query", { path: "notes:count", args: {}, format: "xml" }, 400, "BadFormat"],
    ["args not an object", "/api/query", { path: "notes:count", args: "x" }, 400, "BadJsonBody"],
    ["args array of two", "/api/query", { path: "notes:count", args: [{}, {}] }, 400, "BadJsonBody"],
    ["bad encoded value", "/api/query", { path: "values:echo", args: { value: { $integer: 5 } } }, 400, "BadJsonBody"],
    ["unknown endpoint", "/api/nothing", { path: "notes:count" }, 404, "NotFound"],
    ["a component's function", "/api/function", { path: "x:y", componentPath: "agentMemory", args: {} }, 401, "Unauthenticated"],
  ])("%s", async (_name, endpoint, body, status, code) => {
    const reply = await post(url, endpoint as string, body);
    expect(reply.status).toBe(status);
    expect(reply.json.code).toBe(code);
    expect(typeof reply.json.message).toBe("string");
  });

  test("wrong content type, wrong method", async () => {
    const form = await fetch(`${url}/api/query`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "path=notes:count",
    });
    expect(form.status).toBe(415);
    const get = await fetch(`${url}/api/query`);
    expect(get.status).toBe(405);
  });
});

test("a body over the size limit is answered 413", async () => {
  const small = await startLocalBackend({ appDir: FIXTURE_APP, components: [], maxBodyBytes: 1024 });
  try {
    const reply = await post(small.url, "/api/mutation", { path: "notes:add", args: { text: "x".repeat(100_000) } });
    expect(reply.status).toBe(413);
    expect(reply.json.code).toBe("PayloadTooLarge");
    const ok = await post(small.url, "/api/query", { path: "notes:count", args: {} });
    expect(ok.json).toMatchObject({ status: "success", value: 0 });
  } finally {
    await small.close();
  }
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
    expect(listing.app.modules).toEqual(["auth", "notes", "values"]);
    expect(listing.app.functions).toContainEqual({ path: "notes:add", kind: "mutation", visibility: "public" });
    expect(listing.app.functions).toContainEqual({ path: "notes:secret", kind: "query", visibility: "internal" });
    expect(listing.components).toEqual([]);
  });
});
