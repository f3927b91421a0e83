/**
 * Every document limit of component/model/limits.ts, written just under (stored and read back
 * byte-exact) and just over (LIMIT_EXCEEDED or INVALID_ARGUMENT whose data says which limit,
 * and nothing written), on each kind of user JSON the component stores.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import {
  checkDocument,
  documentSize,
  MAX_ARRAY_LENGTH,
  MAX_DOCUMENT_BYTES,
  MAX_DOCUMENT_NESTING,
  MAX_OBJECT_FIELDS,
  utf8Length,
} from "../../component/model/limits.js";
import { componentTest } from "../convex.js";

/** `levels` nested objects: nested(1) = {}, nested(2) = {k: {}}, ... */
const nested = (levels: number): Record<string, unknown> => (levels <= 1 ? {} : { k: nested(levels - 1) });
/** An object of `n` fields. */
const fields = (n: number, prefix = "f") => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));

async function refusal(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const data = (error as { data?: unknown }).data;
    if (typeof data === "object" && data !== null) return data as Record<string, unknown>;
    throw error;
  }
  throw new Error("the call succeeded");
}

async function withThread() {
  const t = componentTest();
  await t.mutation(api.threads.saveThread, { resourceId: "r1", id: "t1" });
  return t;
}

const part = (value: unknown) => ({ type: "data", value });
const message = (id: string, parts: unknown[]) => ({ id, threadId: "t1", role: "user" as const, content: { format: 2 as const, parts } });
const R = { resourceId: "r1" };

describe("nesting: a document nests at most 16 levels (the document itself is level 1)", () => {
  test("message parts: content (2) > parts (3) > part (4) > 13 more", async () => {
    const t = await withThread();
    // The part object is level 4, its value 12 more levels: 16 in all.
    const deepest = [part(nested(MAX_DOCUMENT_NESTING - 4))];
    const [saved] = await t.mutation(api.messages.saveMessages, { ...R, messages: [message("m1", deepest)] });
    expect(saved.content.parts).toEqual(deepest);
    expect((await t.query(api.messages.getMessagesByIds, { ...R, ids: ["m1"] }))[0].content.parts).toEqual(deepest);

    const tooDeep = [part(nested(MAX_DOCUMENT_NESTING - 3))];
    expect(await refusal(t.mutation(api.messages.saveMessages, { ...R, messages: [message("m2", tooDeep)] }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "documentNesting",
      max: 16,
      actual: 17,
    });
    expect(await t.query(api.messages.getMessagesByIds, { ...R, ids: ["m2"] })).toEqual([]);
    expect(await t.query(api.messages.countMessages, { ...R, threadId: "t1" })).toBe(1);
    // Updating a message into too deep a shape is refused too, and leaves it as it was.
    expect(await refusal(t.mutation(api.messages.updateMessages, { ...R, messages: [{ id: "m1", content: { format: 2, parts: tooDeep } }] }))).toMatchObject({
      limit: "documentNesting",
    });
    expect((await t.query(api.messages.getMessagesByIds, { ...R, ids: ["m1"] }))[0].content.parts).toEqual(deepest);
  });

  test("thread metadata: metadata (2) > 14 more; an array counts as a level", async () => {
    const t = componentTest();
    const deepest = { k: nested(MAX_DOCUMENT_NESTING - 2) };
    await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r1", metadata: deepest });
    expect((await t.query(api.threads.getThread, { ...R, id: "t1" }))?.metadata).toEqual(deepest);
    const viaArray = { k: [nested(MAX_DOCUMENT_NESTING - 2)] };
    expect(await refusal(t.mutation(api.threads.saveThread, { id: "t2", resourceId: "r1", metadata: viaArray }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "documentNesting",
      actual: 17,
    });
    expect(await t.query(api.threads.getThread, { ...R, id: "t2" })).toBeNull();
    expect(await t.query(api.threads.countThreads, { resourceId: "r1" })).toBe(1);
  });
});

describe("fields: at most 1,024 per object", () => {
  test("thread metadata, also when an update's merge would pass the limit", async () => {
    const t = componentTest();
    await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r1", metadata: fields(MAX_OBJECT_FIELDS) });
    expect(Object.keys((await t.query(api.threads.getThread, { ...R, id: "t1" }))!.metadata!)).toHaveLength(MAX_OBJECT_FIELDS);
    expect(await refusal(t.mutation(api.threads.saveThread, { id: "t2", resourceId: "r1", metadata: fields(MAX_OBJECT_FIELDS + 1) }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "objectFields",
      max: MAX_OBJECT_FIELDS,
      actual: MAX_OBJECT_FIELDS + 1,
      path: "metadata",
    });
    expect(await t.query(api.threads.getThread, { ...R, id: "t2" })).toBeNull();

    // Each call is under the limit; the merged metadata would not be.
    await t.mutation(api.threads.saveThread, { id: "t3", resourceId: "r1", metadata: fields(600, "a") });
    await t.mutation(api.threads.updateThread, { ...R, id: "t3", metadata: fields(424, "b") });
    expect(Object.keys((await t.query(api.threads.getThread, { ...R, id: "t3" }))!.metadata!)).toHaveLength(1_024);
    const before = await t.query(api.threads.getThread, { ...R, id: "t3" });
    expect(await refusal(t.mutation(api.threads.updateThread, { ...R, id: "t3", metadata: { one: "more" } }))).toMatchObject({
      limit: "objectFields",
      actual: 1_025,
    });
    expect(await t.query(api.threads.getThread, { ...R, id: "t3" })).toEqual(before);
  });
});

test("vector metadata: at most 1,024 fields (its own 16 KiB and 12-level caps are stricter than the rest)", async () => {
  const t = componentTest();
  await t.mutation(api.vectors.createIndex, { name: "docs", dimension: 128 });
  const vector = Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0));
  await t.mutation(api.vectors.upsert, { indexName: "docs", vectors: [{ id: "v1", vector, metadata: fields(MAX_OBJECT_FIELDS) }] });
  const [stored] = await t.query(api.vectors.getVectors, { indexName: "docs", ids: ["v1"] });
  expect(Object.keys(stored.metadata)).toHaveLength(MAX_OBJECT_FIELDS);
  expect(
    await refusal(t.mutation(api.vectors.upsert, { indexName: "docs", vectors: [{ id: "v2", vector, metadata: fields(MAX_OBJECT_FIELDS + 1) }] })),
  ).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "objectFields", actual: MAX_OBJECT_FIELDS + 1, path: "metadata" });
  expect(
    await refusal(t.mutation(api.vectors.updateVector, { indexName: "docs", id: "v1", metadata: fields(MAX_OBJECT_FIELDS + 1) })),
  ).toMatchObject({ limit: "objectFields" });
  expect(await t.query(api.vectors.getVectors, { indexName: "docs", ids: ["v1", "v2"] })).toEqual([stored]);
});

describe("arrays: at most 8,192 items", () => {
  test("message parts", async () => {
    const t = await withThread();
    const parts = Array.from({ length: MAX_ARRAY_LENGTH }, () => ({}));
    await t.mutation(api.messages.saveMessages, { ...R, messages: [message("m1", parts)] });
    expect((await t.query(api.messages.getMessagesByIds, { ...R, ids: ["m1"] }))[0].content.parts).toHaveLength(MAX_ARRAY_LENGTH);
    expect(await refusal(t.mutation(api.messages.saveMessages, { ...R, messages: [message("m2", [...parts, {}])] }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "arrayLength",
      max: MAX_ARRAY_LENGTH,
      actual: MAX_ARRAY_LENGTH + 1,
      path: "content.parts",
    });
    expect(await t.query(api.messages.countMessages, { ...R, threadId: "t1" })).toBe(1);
  });

  test("inside resource metadata", async () => {
    const t = componentTest();
    const list = Array.from({ length: MAX_ARRAY_LENGTH }, (_, i) => i);
    await t.mutation(api.resources.saveResource, { resourceId: "r1", metadata: { list } });
    expect((await t.query(api.resources.getResource, { resourceId: "r1" }))?.metadata).toEqual({ list });
    expect(await refusal(t.mutation(api.resources.saveResource, { resourceId: "r2", metadata: { list: [...list, 0] } }))).toMatchObject({
      limit: "arrayLength",
      path: "metadata.list",
    });
    expect(await t.query(api.resources.getResource, { resourceId: "r2" })).toBeNull();
  });
});

describe("field names: nested `_` keys are fine; `$`, non-ASCII and over-long ones are refused", () => {
  test("nested `_` keys are stored and read back", async () => {
    const t = await withThread();
    const underscored = { _private: { __typename: "Node", _id: "not a system field" } };
    await t.mutation(api.threads.saveThread, { id: "t2", resourceId: "r1", metadata: underscored });
    expect((await t.query(api.threads.getThread, { ...R, id: "t2" }))?.metadata).toEqual(underscored);
    const [saved] = await t.mutation(api.messages.saveMessages, { ...R, messages: [message("m1", [{ type: "x", _meta: { _k: 1 } }])] });
    expect(saved.content.parts).toEqual([{ type: "x", _meta: { _k: 1 } }]);
  });

  test("Convex's own value encoding refuses the others before any function runs", async () => {
    const t = await withThread();
    // convex/values convexToJson (and the backend's argument decoding) refuse them as arguments.
    for (const metadata of [{ a: { $ref: "#/x" } }, { café: 1 }, { ["k".repeat(1_025)]: 1 }]) {
      await expect(t.mutation(api.threads.saveThread, { id: "t3", resourceId: "r1", metadata })).rejects.toThrow(/Field name/);
    }
    expect(await t.query(api.threads.getThread, { ...R, id: "t3" })).toBeNull();
  });

  test("a document built inside the component is checked all the same (checkDocument)", async () => {
    const t = componentTest();
    const check = (metadata: Record<string, unknown>) =>
      refusal(
        t.run(async () => {
          checkDocument('thread "t"', { id: "t", resourceId: "r", metadata, createdAt: 1, updatedAt: 1 });
        }),
      );
    expect(await check({ a: { $ref: "#/x" } })).toMatchObject({ code: "INVALID_ARGUMENT", rule: "fieldNameDollar", field: "metadata.a.$ref" });
    expect(await check({ café: 1 })).toMatchObject({ code: "INVALID_ARGUMENT", rule: "fieldNameAscii", field: "metadata.café" });
    expect(await check({ "\u0001": 1 })).toMatchObject({ code: "INVALID_ARGUMENT", rule: "fieldNameAscii" });
    expect(await check({ ["k".repeat(1_025)]: 1 })).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "fieldNameLength", max: 1_024, actual: 1_025 });
    await t.run(async () => checkDocument('thread "t"', { id: "t", metadata: { ["k".repeat(1_024)]: 1, _x: { __y: 1 } } }));
  });
});

describe("size: a document holds at most 1 MiB less its system fields", () => {
  test("resource working memory, to the byte", async () => {
    const t = componentTest();
    const small = await t.mutation(api.resources.saveResource, { resourceId: "r1", workingMemory: "" });
    const room = MAX_DOCUMENT_BYTES - documentSize(small);
    const exact = "é".repeat(room / 2) + "x".repeat(room % 2); // multi-byte characters count in UTF-8 bytes
    expect(utf8Length(exact)).toBe(room);
    const saved = await t.mutation(api.resources.saveResource, { resourceId: "r1", workingMemory: exact });
    expect(documentSize(saved)).toBe(MAX_DOCUMENT_BYTES);
    expect((await t.query(api.resources.getResource, { resourceId: "r1" }))?.workingMemory).toBe(exact);

    expect(await refusal(t.mutation(api.resources.updateResource, { resourceId: "r1", workingMemory: `${exact}x` }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "documentBytes",
      max: MAX_DOCUMENT_BYTES,
      actual: MAX_DOCUMENT_BYTES + 1,
    });
    expect((await t.query(api.resources.getResource, { resourceId: "r1" }))?.workingMemory).toBe(exact);
  });

  test("score and span payloads (stored as JSON text)", async () => {
    const t = componentTest();
    const score = { id: "s1", scorerId: "sc", entityId: "e", entityType: "agent", runId: "run", score: 1, source: "TEST", createdAt: 1 };
    const base = documentSize({ ...score, output: JSON.stringify("") });
    const output = JSON.stringify("y".repeat(MAX_DOCUMENT_BYTES - base));
    expect((await t.mutation(api.scores.saveScore, { ...score, output })).output).toBe(output);
    expect(await refusal(t.mutation(api.scores.saveScore, { ...score, id: "s2", output: JSON.stringify("y".repeat(MAX_DOCUMENT_BYTES - base + 1)) }))).toMatchObject({
      limit: "documentBytes",
      actual: MAX_DOCUMENT_BYTES + 1,
    });
    expect(await t.query(api.scores.getScoreById, { id: "s2" })).toBeNull();

    const span = { traceId: "tr", spanId: "sp", name: "n", spanType: "agent", startedAt: 1 };
    expect(await refusal(t.mutation(api.traces.createSpans, { spans: [{ ...span, output: JSON.stringify("z".repeat(MAX_DOCUMENT_BYTES)) }] }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "documentBytes",
    });
    expect(await t.query(api.traces.getTrace, { traceId: "tr" })).toBeNull();
  });
});

test("documentSize counts as the backend does", () => {
  // crates/value: null 1, numbers 9, strings len + 2, arrays and objects 2 + contents, field name + 1.
  expect(documentSize({})).toBe(2);
  expect(documentSize({ a: null })).toBe(2 + 1 + 1 + 1);
  expect(documentSize({ ab: 1.5, c: [true, "xé"] })).toBe(2 + (2 + 1 + 9) + (1 + 1 + (2 + 1 + (2 + 3))));
  expect(documentSize({ skipped: undefined })).toBe(2);
  expect(documentSize({ b: new ArrayBuffer(5), n: 10n })).toBe(2 + (1 + 1 + 7) + (1 + 1 + 9));
});
