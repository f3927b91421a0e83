/// <reference types="vite/client" />
import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { MAX_PUT_BYTES, MAX_VALUE_BYTES } from "../../component/model/store.js";
import { codeOf, componentTest } from "../convex.js";
import { recordTransactions, totals } from "../transactionMetrics.js";

type T = ReturnType<typeof componentTest>;
const s = api.store;
const alice = { resourceId: "alice" };

const put = (t: T, namespace: string[], key: string, value: object | undefined, extra: Record<string, unknown> = {}, resourceId = "alice") =>
  t.mutation(s.putStoreItems, { resourceId, ops: [{ namespace, key, ...(value === undefined ? {} : { value: JSON.stringify(value) }), ...extra }] });

async function search(t: T, namespacePrefix: string[], filter?: object, resourceId = "alice") {
  const items: any[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: any = await t.query(s.searchStoreItems, {
      resourceId,
      namespacePrefix,
      ...(filter === undefined ? {} : { filter: JSON.stringify(filter) }),
      paginationOpts: { numItems: 2, cursor },
    });
    items.push(...page.page);
    if (page.isDone) return items;
    cursor = page.continueCursor;
  }
}

async function namespaces(t: T, args: Record<string, unknown> = {}) {
  const out: string[][] = [];
  let cursor: string | null = null;
  for (;;) {
    const page: any = await t.query(s.listStoreNamespaces, { ...alice, ...args, paginationOpts: { numItems: 3, cursor } });
    for (const ns of page.page) {
      const last = out[out.length - 1];
      if (last === undefined || last.join("\u0001") !== ns.join("\u0001")) out.push(ns);
    }
    if (page.isDone) return out;
    cursor = page.continueCursor;
  }
}

/** A unit vector of 128 dimensions pointing mostly along `axis`. */
const vec = (axis: number, tilt = 0) => Array.from({ length: 128 }, (_, i) => (i === axis ? 1 : i === axis + 1 ? tilt : 0));

describe("items", () => {
  test("put, get, replace and delete; namespaces and owners are apart", async () => {
    const t = componentTest();
    await put(t, ["users", "u1"], "k", { $schema: "x", n: 1 });
    await put(t, ["users", "u1"], "k", { n: 2 });
    await put(t, ["users", "u1"], "k", { n: 3 }, {}, "bob");
    const [got, missing, other] = await t.query(s.getStoreItems, {
      ...alice,
      items: [{ namespace: ["users", "u1"], key: "k" }, { namespace: ["users"], key: "k" }, { namespace: ["users", "u2"], key: "k" }],
    });
    expect(JSON.parse(got.value)).toEqual({ n: 2 });
    expect(got.updatedAt).toBeGreaterThanOrEqual(got.createdAt);
    expect([missing, other]).toEqual([null, null]);
    expect(await t.query(s.countStoreItems, { ...alice, namespace: ["users", "u1"] })).toBe(1);
    await put(t, ["users", "u1"], "k", undefined);
    await put(t, ["users", "u1"], "k", undefined); // a missing item: no-op
    expect(await t.query(s.getStoreItems, { ...alice, items: [{ namespace: ["users", "u1"], key: "k" }] })).toEqual([null]);
    expect(await t.query(s.countStoreItems, { ...alice, namespace: ["users", "u1"] })).toBe(0);
    expect(JSON.parse((await t.query(s.getStoreItems, { resourceId: "bob", items: [{ namespace: ["users", "u1"], key: "k" }] }))[0].value)).toEqual({ n: 3 });
  });

  test("bad namespaces, values and filters are refused with a code", async () => {
    const t = componentTest();
    expect(await codeOf(put(t, [], "k", {}))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(put(t, ["a.b"], "k", {}))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(put(t, ["a", ""], "k", {}))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(s.putStoreItems, { ...alice, ops: [{ namespace: ["a"], key: "k", value: "[1]" }] }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(put(t, ["a"], "k", {}, { ttlMinutes: -1 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(put(t, ["a"], "k", { big: "x".repeat(1_000_000) }))).toBe("LIMIT_EXCEEDED");
    expect(await codeOf(put(t, ["a"], "k", {}, { vectors: [{ path: "$", vector: [1, 2, 3] }] }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.query(s.searchStoreItems, { ...alice, namespacePrefix: [], filter: '{"a":{"$in":[1]}}', paginationOpts: { numItems: 5, cursor: null } }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await t.run(async (ctx) => (await ctx.db.query("storeItems").collect()).length)).toBe(0);
  });
});

describe("search", () => {
  test("by namespace prefix (whole labels only) with LangGraph's filter operators", async () => {
    const t = componentTest();
    await put(t, ["docs", "a"], "1", { color: "red", score: 4.5, tags: ["x"], nested: { k: 1 } });
    await put(t, ["docs", "a", "deep"], "2", { color: "blue", score: 3 });
    await put(t, ["docs", "ab"], "3", { color: "red", score: 1 });
    await put(t, ["other"], "4", { color: "red", score: 9 });
    await put(t, ["docs", "a"], "5", { color: "red" }, {}, "bob");
    const keys = (items: any[]) => items.map((item) => item.key);
    expect(keys(await search(t, ["docs", "a"]))).toEqual(["1", "2"]);
    expect(keys(await search(t, ["docs"]))).toEqual(["1", "2", "3"]);
    expect(keys(await search(t, []))).toEqual(["1", "2", "3", "4"]);
    expect(keys(await search(t, [], { color: "red" }))).toEqual(["1", "3", "4"]);
    expect(keys(await search(t, [], { score: { $gt: 3 } }))).toEqual(["1", "4"]);
    expect(keys(await search(t, [], { score: { $gte: 3, $lt: 5 } }))).toEqual(["1", "2"]);
    expect(keys(await search(t, [], { color: { $ne: "red" } }))).toEqual(["2"]);
    expect(keys(await search(t, [], { tags: ["x"], nested: { k: 1 } }))).toEqual(["1"]);
    expect(keys(await search(t, [], { score: { $lte: 1 } }))).toEqual(["3"]);
  });

  test("by vector: owner and prefix filtered natively, one score per item, filters after", async () => {
    const t = componentTest();
    await put(t, ["mem", "alice"], "near", { text: "n", kind: "fact" }, { vectors: [{ path: "text", vector: vec(0, 0.1) }, { path: "title", vector: vec(5) }] });
    await put(t, ["mem", "alice"], "far", { text: "f", kind: "fact" }, { vectors: [{ path: "text", vector: vec(9) }] });
    await put(t, ["mem", "alice"], "note", { text: "x", kind: "note" }, { vectors: [{ path: "text", vector: vec(0, 0.5) }] });
    await put(t, ["mem", "other"], "elsewhere", { text: "e" }, { vectors: [{ path: "text", vector: vec(0) }] });
    await put(t, ["mem", "alice"], "bobs", { text: "b" }, { vectors: [{ path: "text", vector: vec(0) }] }, "bob");
    const query = (args: Record<string, unknown>) => t.action(s.searchStoreByVector, { ...alice, queryVector: vec(0), limit: 10, ...args });
    const hits = await query({ namespacePrefix: ["mem", "alice"] });
    expect(hits.items.map((item: any) => item.key)).toEqual(["near", "note", "far"]);
    expect(hits.items[0].score).toBeGreaterThan(hits.items[1].score);
    expect((await query({ namespacePrefix: ["mem"] })).items.map((item: any) => item.key)).toEqual(["elsewhere", "near", "note", "far"]);
    expect((await query({ namespacePrefix: ["mem", "alice"], filter: JSON.stringify({ kind: "fact" }) })).items.map((i: any) => i.key)).toEqual(["near", "far"]);
    expect((await query({ namespacePrefix: ["mem", "alice"], limit: 1, offset: 1 })).items.map((i: any) => i.key)).toEqual(["note"]);
    expect((await t.action(s.searchStoreByVector, { resourceId: "bob", namespacePrefix: [], queryVector: vec(0), limit: 10 })).items.map((i: any) => i.key)).toEqual(["bobs"]);
    expect((await query({ namespacePrefix: [], queryVector: Array(256).fill(1) })).items).toEqual([]);
    // Replacing an item replaces its vectors; deleting it deletes them.
    await put(t, ["mem", "alice"], "near", { text: "n2" }, { vectors: [{ path: "text", vector: vec(9) }] });
    await put(t, ["mem", "alice"], "far", undefined);
    expect((await query({ namespacePrefix: ["mem", "alice"] })).items.map((i: any) => i.key)).toEqual(["note", "near"]);
    const vectors = await t.run(async (ctx) => (await ctx.db.query("vectors_128").collect()).length);
    expect(vectors).toBe(4);
  });
});

describe("namespaces", () => {
  test("prefix, suffix, wildcards and max depth (LangGraph's list_namespaces cases)", async () => {
    const t = componentTest();
    const all = [["a", "b", "c"], ["a", "b", "d", "e"], ["a", "b", "d", "i"], ["a", "b", "f"], ["a", "c", "f"], ["b", "a", "f"], ["users", "123"], ["users", "456", "settings"], ["admin", "users", "789"]];
    for (const [i, ns] of all.entries()) await put(t, ns, `id_${i}`, { i });
    await put(t, ["a", "z"], "other-owner", {}, {}, "bob");
    expect(await namespaces(t, { prefix: ["a", "b"] })).toEqual([["a", "b", "c"], ["a", "b", "d", "e"], ["a", "b", "d", "i"], ["a", "b", "f"]]);
    expect(await namespaces(t, { suffix: ["f"] })).toEqual([["a", "b", "f"], ["a", "c", "f"], ["b", "a", "f"]]);
    expect(await namespaces(t, { prefix: ["a"], suffix: ["f"] })).toEqual([["a", "b", "f"], ["a", "c", "f"]]);
    expect(await namespaces(t, { prefix: ["a", "b"], maxDepth: 3 })).toEqual([["a", "b", "c"], ["a", "b", "d"], ["a", "b", "f"]]);
    expect(await namespaces(t, { prefix: ["a", "*", "f"] })).toEqual([["a", "b", "f"], ["a", "c", "f"]]);
    expect(await namespaces(t, { suffix: ["*", "f"] })).toEqual([["a", "b", "f"], ["a", "c", "f"], ["b", "a", "f"]]);
    expect(await namespaces(t, { prefix: ["nonexistent"] })).toEqual([]);
    expect(await namespaces(t, { maxDepth: 1 })).toEqual([["a"], ["admin"], ["b"], ["users"]]);
    // A namespace whose last item is deleted is no longer listed.
    await put(t, ["users", "123"], "id_6", undefined);
    expect(await namespaces(t, { prefix: ["users"] })).toEqual([["users", "456", "settings"]]);
  });
});

describe("ttl", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("expired items vanish at once, touching refreshes, the sweep deletes them", async () => {
    vi.useFakeTimers();
    const t = componentTest(true);
    const start = Date.now();
    await put(t, ["ttl"], "short", { v: 1 }, { ttlMinutes: 1, vectors: [{ path: "v", vector: vec(0) }] });
    await put(t, ["ttl"], "touched", { v: 2 }, { ttlMinutes: 1 });
    await put(t, ["ttl"], "forever", { v: 3 });
    vi.setSystemTime(start + 45_000);
    await t.mutation(s.touchStoreItems, { ...alice, items: [{ namespace: ["ttl"], key: "touched" }, { namespace: ["ttl"], key: "forever" }] });
    vi.setSystemTime(start + 61_000);
    const got = await t.query(s.getStoreItems, { ...alice, items: ["short", "touched", "forever"].map((key) => ({ namespace: ["ttl"], key })) });
    expect(got.map((item: any) => item?.key ?? null)).toEqual([null, "touched", "forever"]);
    expect(got[1].expiresAt).toBe(start + 45_000 + 60_000);
    expect((await search(t, ["ttl"])).map((item) => item.key)).toEqual(["forever", "touched"]);
    expect((await t.action(s.searchStoreByVector, { ...alice, namespacePrefix: [], queryVector: vec(0), limit: 5 })).items).toEqual([]);
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const left = await t.run(async (ctx) => ({
      items: (await ctx.db.query("storeItems").collect()).map((doc) => doc.key).sort(),
      vectors: (await ctx.db.query("vectors_128").collect()).length,
      sweeps: (await ctx.db.query("storeSweeps").collect()).length,
    }));
    expect(left).toEqual({ items: ["forever"], vectors: 0, sweeps: 0 });
    expect(await t.query(s.countStoreItems, { ...alice, namespace: ["ttl"] })).toBe(1);
  });
});

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

/** Packed little-endian float32 bytes of a vector, as the SDK sends them. */
const float32 = (vector: number[]) => new Float32Array(vector).buffer as ArrayBuffer;

describe("vector storage", () => {
  test("a vector search reads its owner's namespace row, then a link and an item per result: never an embedding", async () => {
    const t = componentTest();
    const dims = 1536;
    const unit = (axis: number) => Array.from({ length: dims }, (_, i) => (i === axis ? 1 : i === axis + 1 ? 0.5 : 0));
    for (let i = 0; i < 12; i++) {
      await put(t, ["mem"], `k${i}`, { text: `fact ${i}` }, { vectors: [{ path: "text", vector: float32(unit(i)) }] });
    }
    const { result, transactions } = await recordTransactions(() =>
      t.action(s.searchStoreByVector, { ...alice, namespacePrefix: ["mem"], queryVector: float32(unit(3)), limit: 3 }),
    );
    expect(result.items.map((item: any) => item.key)).toEqual(["k3", "k2", "k4"]);
    const [space, hydrate] = transactions;
    expect(transactions).toHaveLength(2);
    expect(space.documentsRead).toBe(1);
    expect(hydrate.documentsRead).toBe(6); // 3 links + 3 items
    // One embedding alone is 1,536 x 9 bytes: all the reads together are a fraction of it.
    expect(totals(transactions).bytesRead).toBeLessThan(dims * 9);
  });

  test("float32 bytes and numbers alike; prefixes deeper than the native slots are checked on the items", async () => {
    const t = componentTest();
    const deep = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    await put(t, deep, "deep", { v: 1 }, { vectors: [{ path: "v", vector: float32(vec(0)) }] });
    await put(t, [...deep.slice(0, 9), "other"], "sibling", { v: 2 }, { vectors: [{ path: "v", vector: vec(0, 0.1) }] });
    await put(t, [...deep.slice(0, 8), "x"], "cousin", { v: 3 }, { vectors: [{ path: "v", vector: vec(0, 0.2) }] });
    const keys = async (namespacePrefix: string[]) =>
      (await t.action(s.searchStoreByVector, { ...alice, namespacePrefix, queryVector: float32(vec(0)), limit: 10 })).items.map((i: any) => i.key);
    expect(await keys(deep)).toEqual(["deep"]);
    expect(await keys(deep.slice(0, 9))).toEqual(["deep", "sibling"]);
    expect(await keys(deep.slice(0, 8))).toEqual(["deep", "sibling", "cousin"]);
    expect(await keys(["a", "b"])).toEqual(["deep", "sibling", "cousin"]);
    expect(await keys(["b"])).toEqual([]);
    // Bytes that are not whole float32 numbers, or of an unsupported length, are refused.
    expect(await codeOf(put(t, ["a"], "bad", {}, { vectors: [{ path: "v", vector: new ArrayBuffer(6) }] }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.action(s.searchStoreByVector, { ...alice, namespacePrefix: [], queryVector: new ArrayBuffer(12), limit: 1 }))).toBe("INVALID_ARGUMENT");
  });

  test("refusals carry the one LIMIT_EXCEEDED shape and write nothing", async () => {
    const t = componentTest();
    const op = (key: string, extra: Record<string, unknown> = {}) => ({ namespace: ["n"], key, value: "{}", ...extra });
    expect(await refusal(t.mutation(s.putStoreItems, { ...alice, ops: Array.from({ length: 101 }, (_, i) => op(`k${i}`)) }))).toMatchObject({
      code: "LIMIT_EXCEEDED",
      limit: "batchItems",
      max: 100,
      actual: 101,
    });
    const many = Array.from({ length: 65 }, (_, i) => ({ path: `p${i}`, vector: float32(vec(0)) }));
    expect(await refusal(t.mutation(s.putStoreItems, { ...alice, ops: [op("k", { vectors: many })] }))).toMatchObject({
      limit: "itemVectors",
      max: 64,
      actual: 65,
    });
    expect(await refusal(put(t, ["n"], "big", { big: "x".repeat(MAX_VALUE_BYTES) }))).toMatchObject({ limit: "valueBytes", max: MAX_VALUE_BYTES });
    // 6 items of 64 embeddings at 4,096 dimensions: 6 MiB of arguments, but 14 MiB to store.
    const wide = Array.from({ length: 64 }, (_, i) => ({ path: `p${i}`, vector: float32(Array.from({ length: 4096 }, (_, j) => (j === i ? 1 : 0))) }));
    const data = await refusal(t.mutation(s.putStoreItems, { ...alice, ops: Array.from({ length: 6 }, (_, i) => op(`w${i}`, { vectors: wide })) }));
    expect(data).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "transactionBytes", max: MAX_PUT_BYTES });
    expect(data.actual as number).toBeGreaterThan(MAX_PUT_BYTES);
    // Replacing counts what it reads: 3 such items fit, replacing them with 3 more does not.
    const three = Array.from({ length: 3 }, (_, i) => op(`w${i}`, { vectors: wide }));
    await t.mutation(s.putStoreItems, { ...alice, ops: three });
    expect(await refusal(t.mutation(s.putStoreItems, { ...alice, ops: three }))).toMatchObject({ limit: "transactionBytes" });
    const stored = await t.run(async (ctx) => ({
      items: (await ctx.db.query("storeItems").collect()).length,
      embeddings: (await ctx.db.query("vectors_4096").collect()).length,
      links: (await ctx.db.query("storeItemVectors").collect()).length,
    }));
    expect(stored).toEqual({ items: 3, embeddings: 192, links: 192 });
  });
});
