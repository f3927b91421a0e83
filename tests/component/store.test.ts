/// <reference types="vite/client" />
import { afterEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { codeOf, componentTest } from "../convex.js";

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
