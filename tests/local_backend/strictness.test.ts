// @vitest-environment node
/**
 * What a deployment refuses and convex-test alone lets through: the local
 * backend refuses it too, with the backend's message. Each limit is provoked
 * just under (accepted) and just over (refused).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLocalBackend, type LocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, post, TEST_KEYS } from "./helpers.js";

let backend: LocalBackend;
let url: string;

beforeAll(async () => {
  backend = await startLocalBackend({ appDir: FIXTURE_APP, components: [], env: TEST_KEYS.env });
  url = backend.url;
});
afterAll(async () => {
  await backend?.close();
});

const SERVER_ERROR = /^\[Request ID: [0-9a-f]{16}\] Server Error\n/;

/** The error text after "[Request ID: …] Server Error\n" (fails if the call succeeded). */
async function refusal(endpoint: string, body: unknown): Promise<string> {
  const reply = await post(url, endpoint, body);
  expect(reply.status).toBe(200);
  expect(reply.json.status).toBe("error");
  const message = reply.json.errorMessage as string;
  expect(message).toMatch(SERVER_ERROR);
  return message.replace(SERVER_ERROR, "");
}

async function success(endpoint: string, body: unknown): Promise<unknown> {
  const reply = await post(url, endpoint, body);
  expect(reply.json).toMatchObject({ status: "success" });
  return reply.json.value;
}

const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
/** A value `levels` deep: `[[...[1]...]]`. */
const deep = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe("argument validation where convex-test is looser", () => {
  test("records: keys and values are checked", async () => {
    expect(await success("/api/query", { path: "strict:record", args: { r: { a: 1, b: 2 } } })).toBe(2);
    expect(await refusal("/api/query", { path: "strict:record", args: { r: { a: 1, b: "x" } } })).toBe(
      'ArgumentValidationError: Value does not match validator.\nPath: .r.values()\nValue: "x"\nValidator: v.float64()',
    );
    expect(await refusal("/api/query", { path: "strict:record", args: { r: [1] } })).toBe(
      "ArgumentValidationError: Value does not match validator.\nPath: .r\nValue: [1.0]\nValidator: v.record(v.string(), v.float64())",
    );
  });

  test("nested objects: a missing field, an extra field, a wrong type, in the backend's words", async () => {
    expect(await success("/api/query", { path: "strict:nested", args: { o: { a: { b: "ok" } } } })).toBe("ok");
    expect(await refusal("/api/query", { path: "strict:nested", args: { o: { a: {} } } })).toBe(
      "ArgumentValidationError: Object is missing the required field `b`. Consider wrapping the field validator in `v.optional(...)` if this is expected.\n" +
        "Path: .o.a\nObject: {}\nValidator: v.object({b: v.string(), c: v.optional(v.int64())})",
    );
    expect(await refusal("/api/query", { path: "strict:nested", args: { o: { a: { b: "x", d: 1 } } } })).toBe(
      "ArgumentValidationError: Object contains extra field `d` that is not in the validator.\n" +
        'Path: .o.a\nObject: {b: "x", d: 1.0}\nValidator: v.object({b: v.string(), c: v.optional(v.int64())})',
    );
    expect(await refusal("/api/query", { path: "strict:nested", args: { o: { a: { b: "x", c: 5 } } } })).toBe(
      "ArgumentValidationError: Value does not match validator.\nPath: .o.a.c\nValue: 5.0\nValidator: v.int64()",
    );
    expect(await refusal("/api/query", { path: "strict:nested", args: { o: { a: { b: "x" } }, extra: null } })).toBe(
      "ArgumentValidationError: Object contains extra field `extra` that is not in the validator.\n\n" +
        'Object: {extra: null, o: {a: {b: "x"}}}\nValidator: v.object({o: v.object({a: v.object({b: v.string(), c: v.optional(v.int64())})})})',
    );
  });

  test("an extra field named like an Object.prototype member is an extra field", async () => {
    for (const name of ["constructor", "toString", "hasOwnProperty"]) {
      expect(await refusal("/api/query", { path: "strict:nested", args: { o: { a: { b: "x" } }, [name]: 1 } })).toMatch(
        new RegExp(`^ArgumentValidationError: Object contains extra field \`${name}\` that is not in the validator\\.`),
      );
    }
  });

  test("the arguments of a call made by a function are checked too", async () => {
    // convex-test checks nothing in a record, even for a nested ctx.runQuery.
    expect(await success("/api/action", { path: "strict:recordFromAction", args: { r: { a: 1 } } })).toBe(1);
    expect(await refusal("/api/action", { path: "strict:recordFromAction", args: { r: { a: "x" } } })).toBe(
      'ArgumentValidationError: Value does not match validator.\nPath: .r.values()\nValue: "x"\nValidator: v.float64()',
    );
  });

  test("arguments to a function without a validator are one object", async () => {
    expect(await success("/api/query", { path: "strict:unvalidated", args: { a: 1, b: 2 } })).toBe(2);
    expect(await refusal("/api/query", { path: "strict:unvalidated", args: [{}, {}] })).toBe(
      "ArgumentValidationError: Expected to receive a single object as the function's argument. Instead received 2 arguments: [{}, {}]",
    );
  });
});

describe("keys such as __proto__ are plain keys", () => {
  test("a validator sees a __proto__ key and names it", async () => {
    const body = '{"path": "strict:nested", "args": {"o": {"a": {"b": "x"}, "__proto__": {"polluted": true}}}}';
    expect(await refusal("/api/query", body)).toBe(
      "ArgumentValidationError: Object contains extra field `__proto__` that is not in the validator.\n" +
        'Path: .o\nObject: {__proto__: {polluted: true}, a: {b: "x"}}\nValidator: v.object({a: v.object({b: v.string(), c: v.optional(v.int64())})})',
    );
    const record = '{"path": "strict:record", "args": {"r": {"__proto__": "x"}}}';
    expect(await refusal("/api/query", record)).toMatch(/^ArgumentValidationError: Value does not match validator\.\nPath: \.r\.values\(\)\nValue: "x"/);
  });

  test("no prototype is ever set from a request", async () => {
    const body = '{"path": "values:echo", "args": {"value": {"__proto__": {"polluted": true}, "kept": 1}}}';
    const reply = await post(url, "/api/query", body);
    expect(reply.json.status).toBe("success");
    // The function's own runtime (convex/values, as in a deployment's isolate) drops the key.
    expect(reply.json.value).toEqual({ kept: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, "polluted")).toBe(false);
  });
});

describe("lone surrogates are refused, as serde_json refuses them", () => {
  test.each([
    ["a lone high surrogate", '"\\ud800"'],
    ["a lone low surrogate", '"\\udc00"'],
    ["a reversed pair", '"\\udc00\\ud800"'],
    ["in a key", '{"\\ud800": 1}'],
  ])("%s", async (_name, value) => {
    expect(await refusal("/api/query", `{"path": "values:echo", "args": {"value": ${value}}}`)).toBe("Invalid arguments provided");
  });

  test("a well-formed pair is kept", async () => {
    expect(await success("/api/query", '{"path": "values:echo", "args": {"value": {"smile": "\\ud83d\\ude00"}}}')).toEqual({
      smile: "\u{1F600}",
    });
  });
});

describe("limits on any value, in arguments", () => {
  test("1,024 fields per object", async () => {
    expect(await success("/api/query", { path: "values:echo", args: { value: wide(1024) } })).toEqual(wide(1024));
    expect(await refusal("/api/query", { path: "values:echo", args: { value: wide(1025) } })).toBe(
      "Invalid arguments for values.js:echo: Object has too many fields (1025 > maximum number 1024)",
    );
  });

  test("8,192 items per array", async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(await success("/api/query", { path: "values:echo", args: { value: items(8192) } })).toHaveLength(8192);
    expect(await refusal("/api/query", { path: "values:echo", args: { value: items(8193) } })).toBe(
      "Invalid arguments for values.js:echo: Array length is too long (8193 > maximum length 8192)",
    );
  });

  test("64 levels of nesting, counting the arguments' own array and object", async () => {
    // [{value: X}] nests 2 levels more than X.
    expect(await success("/api/query", { path: "values:echo", args: { value: deep(62) } })).toEqual(deep(62));
    expect(await refusal("/api/query", { path: "values:echo", args: { value: deep(63) } })).toBe(
      "Invalid arguments for values.js:echo: Value is too nested (nested 65 levels deep > maximum nesting 64)",
    );
  });

  test("field names: no $ first, printable ASCII, 1,024 characters", async () => {
    expect(await success("/api/query", { path: "values:echo", args: { value: { ["k".repeat(1024)]: 1 } } })).toEqual({ ["k".repeat(1024)]: 1 });
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { ["k".repeat(1025)]: 1 } } })).toBe(
      "Invalid arguments for values.js:echo: Field name is too long (1025 > maximum 1024)",
    );
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { $x: 1 } } })).toBe(
      "Invalid arguments for values.js:echo: Field name $x starts with '$', which is reserved.",
    );
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { "é": 1 } } })).toBe(
      "Invalid arguments for values.js:echo: Field name é has invalid character 'é': Field names can only contain non-control ASCII characters",
    );
  });

  test("$-encodings: what each accepts", async () => {
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { $integer: 5 } } })).toBe(
      "Invalid arguments for values.js:echo: invalid type: integer `5`, expected a string",
    );
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { $integer: "AAAA" } } })).toBe(
      "Invalid arguments for values.js:echo: Int64 must be exactly eight bytes",
    );
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { $bytes: "A!" } } })).toBe(
      "Invalid arguments for values.js:echo: Invalid byte 33, offset 1.",
    );
    expect(await refusal("/api/query", { path: "values:echo", args: { value: { $float: "AAAAAAAA8D8=" } } })).toBe(
      "Invalid arguments for values.js:echo: Float64 1 should be encoded as a number",
    );
  });
});

describe("limits on stored documents", () => {
  const store = (shape: string, n: number) => ({ path: "strict:storeBuilt", args: { shape, n } });

  test("16 levels of nesting", async () => {
    await success("/api/mutation", store("deep", 16));
    expect(await refusal("/api/mutation", store("deep", 17))).toMatch(
      /^Uncaught Error: Document\(value: \{d: .*\}\) isn't a valid document: Document is too nested \(nested 17 levels deep > maximum nesting 16\)$/,
    );
  });

  test("1,024 fields per object", async () => {
    await success("/api/mutation", store("wide", 1024));
    expect(await refusal("/api/mutation", store("wide", 1025))).toBe(
      "Uncaught Error: Invalid argument `value` for `db.insert`: Object has too many fields (1025 > maximum number 1024)",
    );
  });

  test("8,192 items per array", async () => {
    await success("/api/mutation", store("long", 8192));
    expect(await refusal("/api/mutation", store("long", 8193))).toBe(
      "Uncaught Error: Invalid argument `value` for `db.insert`: Array length is too long (8193 > maximum length 8192)",
    );
  });

  test("1 MiB with the system fields", async () => {
    // {s: "x" * n} weighs n + 6 bytes; _id (32 characters) and _creationTime add 61.
    const limit = 1024 * 1024 - 67;
    await success("/api/mutation", store("big", limit));
    expect(await refusal("/api/mutation", store("big", limit + 1))).toBe("Uncaught Error: Value is too large (1 MiB > maximum size 1 MiB)");
  });

  test("a top-level field may not start with _, a nested one may", async () => {
    const id = await success("/api/mutation", { path: "strict:store", args: { doc: { a: { _nested: 1 } } } });
    expect(await success("/api/query", { path: "strict:load", args: { id } })).toEqual({ a: { _nested: 1 } });
    expect(await refusal("/api/mutation", { path: "strict:store", args: { doc: { _top: 1 } } })).toBe(
      "Uncaught Error: Document(value: {_top: 1.0}) isn't a valid document: Field '_top' starts with an underscore, which is only allowed for system fields like '_id'",
    );
  });

  test("a patch is checked on the document it makes, and a refused one writes nothing", async () => {
    const id = await success("/api/mutation", { path: "strict:store", args: { doc: wide(1000) } });
    await success("/api/mutation", { path: "strict:patch", args: { id, fields: wide(1024) } });
    const extra = Object.fromEntries(Array.from({ length: 1 }, (_, i) => [`g${i}`, i]));
    expect(await refusal("/api/mutation", { path: "strict:patch", args: { id, fields: extra } })).toBe(
      "Uncaught Error: Invalid argument `value` for `db.patch`: Object has too many fields (1025 > maximum number 1024)",
    );
    expect(Object.keys((await success("/api/query", { path: "strict:load", args: { id } })) as object)).toHaveLength(1024);
  });
});

describe("return values", () => {
  test("the returns validator, in the backend's words", async () => {
    expect(await refusal("/api/query", { path: "strict:badReturn", args: {} })).toBe(
      "ReturnsValidationError: Value does not match validator.\nPath: .n\nValue: 5.0\nValidator: v.string()",
    );
  });

  test("1,024 fields per object", async () => {
    expect(Object.keys((await success("/api/query", { path: "strict:wide", args: { n: 1024 } })) as object)).toHaveLength(1024);
    expect(await refusal("/api/query", { path: "strict:wide", args: { n: 1025 } })).toBe(
      "Function strict.js:wide return value invalid: Object has too many fields (1025 > maximum number 1024)",
    );
  });
});

describe("logLines, as a development deployment sends them", () => {
  test("formatted like the isolate's console, on success and on failure", async () => {
    const ok = await post(url, "/api/query", { path: "strict:logs", args: { lines: 3 } });
    expect(ok.json).toEqual({ status: "success", value: null, logLines: ["[LOG] 'hello' {\n  a: 1\n}", "[WARN] 'careful'", "[INFO] 2"] });
    const failed = await post(url, "/api/query", { path: "strict:logs", args: { lines: 3, fail: true } });
    expect(failed.json.logLines).toEqual(["[LOG] 'hello' {\n  a: 1\n}", "[WARN] 'careful'", "[INFO] 2"]);
    expect(failed.json.errorMessage).toMatch(/\nUncaught Error: after logging$/);
  });

  test("255 lines, then one saying the rest was dropped", async () => {
    const under = await post(url, "/api/query", { path: "strict:logs", args: { lines: 255 } });
    expect(under.json.logLines).toHaveLength(255);
    expect((under.json.logLines as string[])[254]).toBe("[INFO] 254");
    const over = await post(url, "/api/query", { path: "strict:logs", args: { lines: 256 } });
    expect(over.json.logLines).toHaveLength(256);
    expect((over.json.logLines as string[])[255]).toBe("[ERROR] Log overflow (maximum 256). Remaining log lines omitted.");
  });

  test("a line is cut at 32,768 bytes", async () => {
    // console.log("x" * n) is the line "[LOG] 'xx…x'": n + 2 bytes of message.
    const under = await post(url, "/api/query", { path: "strict:longLog", args: { n: 32766 } });
    expect(under.json.logLines).toEqual([`[LOG] '${"x".repeat(32766)}'`]);
    const over = await post(url, "/api/query", { path: "strict:longLog", args: { n: 32767 } });
    expect(over.json.logLines).toEqual([`[LOG] '${"x".repeat(32767)} (truncated due to length)`]);
  });
});
