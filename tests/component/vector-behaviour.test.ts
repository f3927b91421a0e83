import { describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { componentTest } from "../convex.js";
import { bruteForce, codeOf, cosine, prng, randomVector, seed, seedGenerated, type Item } from "./vector-fixtures.js";

const ids = (r: { results: Array<{ id: string }> }) => r.results.map((x) => x.id);

async function countOf(t: ReturnType<typeof componentTest>, indexName: string) {
  return (await t.query(api.vectors.describeIndex, { indexName })).count as number;
}

describe("typed errors, nothing written", () => {
  test("createIndex: unsupported dimension, conflicts, idempotence", async () => {
    const t = componentTest();
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: 100 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: 128, filterableKeys: ["_a"] }))).toBe(
      "INVALID_ARGUMENT",
    );
    const first = await t.mutation(api.vectors.createIndex, { name: "x", dimension: 128, filterableKeys: ["a", "b"] });
    expect(first.created).toBe(true);
    const again = await t.mutation(api.vectors.createIndex, { name: "x", dimension: 128, filterableKeys: ["b", "a"] });
    expect(again).toEqual({ created: false, index: first.index });
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: 256 }))).toBe("CONFLICT");
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: 128, filterableKeys: ["a"] }))).toBe(
      "CONFLICT",
    );
    const listed = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 10, cursor: null } });
    expect(listed.page).toHaveLength(1);
  });

  test("wrong dimension, bad metadata, oversize batches, unknown index: refused and nothing written", async () => {
    const t = componentTest();
    await t.mutation(api.vectors.createIndex, { name: "i", dimension: 128 });
    const rnd = prng(1);
    const good = (id: string) => ({ id, vector: randomVector(rnd, 128), metadata: { ok: true } });
    const cases: Array<[string, unknown[]]> = [
      ["INVALID_ARGUMENT", [good("a"), { id: "b", vector: randomVector(rnd, 127) }]],
      ["INVALID_ARGUMENT", [good("a"), { ...good("b"), metadata: { _secret: 1 } }]],
      ["INVALID_ARGUMENT", [good("a"), { ...good("b"), metadata: { nested: { _x: 1 } } }]],
      ["INVALID_ARGUMENT", [good("a"), { ...good("b"), metadata: { "a.b": 1 } }]],
      ["INVALID_ARGUMENT", [good("a"), good("a")]],
      ["LIMIT_EXCEEDED", Array.from({ length: 1001 }, (_, i) => good(`v${i}`))],
    ];
    for (const [code, vectors] of cases) {
      expect(await codeOf(t.mutation(api.vectors.upsert, { indexName: "i", vectors }))).toBe(code);
    }
    expect(await codeOf(t.mutation(api.vectors.upsert, { indexName: "nope", vectors: [good("a")] }))).toBe("NOT_FOUND");
    expect(await countOf(t, "i")).toBe(0);
    expect(await t.query(api.vectors.getVectors, { indexName: "i", ids: ["a", "b"] })).toEqual([]);
    expect(await t.run((ctx) => ctx.db.query("vectors_128").take(1))).toEqual([]);
  });

  test("query: wrong dimension, topK 0 / 257 / 1.5, unknown index, native-only on an undeclared key", async () => {
    const t = componentTest();
    await t.mutation(api.vectors.createIndex, { name: "i", dimension: 128, filterableKeys: ["color"] });
    const rnd = prng(2);
    await seed(t, "i", [{ id: "a", vector: randomVector(rnd, 128), metadata: { color: "red", size: 1 } }]);
    const q = randomVector(rnd, 128);
    const call = (args: Record<string, unknown>) =>
      codeOf(t.action(api.vectors.query, { indexName: "i", queryVector: q, topK: 5, ...args }));
    expect(await call({ queryVector: randomVector(rnd, 256) })).toBe("INVALID_ARGUMENT");
    expect(await call({ topK: 0 })).toBe("INVALID_ARGUMENT");
    expect(await call({ topK: 257 })).toBe("INVALID_ARGUMENT");
    expect(await call({ topK: 1.5 })).toBe("INVALID_ARGUMENT");
    expect(await call({ indexName: "nope" })).toBe("NOT_FOUND");
    expect(await call({ filter: JSON.stringify({ size: 1 }), filterMode: "native" })).toBe("INVALID_ARGUMENT");
    expect(await call({ filter: JSON.stringify({ color: { $ne: "x" } }), filterMode: "native" })).toBe("INVALID_ARGUMENT");
    expect(await call({ filter: JSON.stringify({ color: { $regex: "r" } }) })).toBe("INVALID_ARGUMENT");
    expect(await call({ filter: "{not json" })).toBe("INVALID_ARGUMENT");
    // The same filters run when allowed to post-filter, and native mode runs what it can.
    expect(ids(await t.action(api.vectors.query, { indexName: "i", queryVector: q, topK: 5, filter: JSON.stringify({ size: 1 }) }))).toEqual(["a"]);
    expect(
      ids(await t.action(api.vectors.query, { indexName: "i", queryVector: q, topK: 5, filter: JSON.stringify({ color: "red" }), filterMode: "native" })),
    ).toEqual(["a"]);
    // Bad filters on deleteVectors are refused before anything is deleted.
    expect(await codeOf(t.mutation(api.vectors.deleteVectors, { indexName: "i", filter: JSON.stringify({ $bad: 1 }) }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await codeOf(t.mutation(api.vectors.deleteVectors, { indexName: "i" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(api.vectors.updateVector, { indexName: "i", id: "a", vector: randomVector(rnd, 64) }))).toBe(
      "INVALID_ARGUMENT",
    );
    expect(await codeOf(t.mutation(api.vectors.updateVector, { indexName: "i", id: "zz", metadata: {} }))).toBe("NOT_FOUND");
    expect(await countOf(t, "i")).toBe(1);
    expect(await codeOf(t.query(api.vectors.describeIndex, { indexName: "nope" }))).toBe("NOT_FOUND");
    expect(await codeOf(t.mutation(api.vectors.deleteIndex, { indexName: "nope" }))).toBe("NOT_FOUND");
  });
});

describe("index isolation", () => {
  test("indexes of different and of the same dimension never return each other's vectors", async () => {
    const t = componentTest();
    const rnd = prng(3);
    await t.mutation(api.vectors.createIndex, { name: "a128", dimension: 128, filterableKeys: ["color"] });
    await t.mutation(api.vectors.createIndex, { name: "b128", dimension: 128, filterableKeys: ["color"] });
    await t.mutation(api.vectors.createIndex, { name: "c256", dimension: 256, filterableKeys: ["color"] });
    // The same ids, the same vectors and the same filterable values in a128 and b128.
    const shared = Array.from({ length: 50 }, (_, i) => ({ id: `v${i}`, vector: randomVector(rnd, 128), color: i % 2 ? "red" : "blue" }));
    await seed(t, "a128", shared.map((s) => ({ id: s.id, vector: s.vector, metadata: { color: s.color, owner: "a" } })));
    await seed(t, "b128", shared.map((s) => ({ id: s.id, vector: s.vector, metadata: { color: s.color, owner: "b" } })));
    await seed(t, "c256", shared.map((s) => ({ id: s.id, vector: [...s.vector, ...s.vector], metadata: { color: s.color, owner: "c" } })));
    for (const [name, owner, dim] of [["a128", "a", 128], ["b128", "b", 128], ["c256", "c", 256]] as const) {
      const q = randomVector(rnd, dim);
      for (const filter of [undefined, JSON.stringify({ color: "red" }), JSON.stringify({ color: { $in: ["red", "blue"] } })]) {
        const r = await t.action(api.vectors.query, { indexName: name, queryVector: q, topK: 256, filter });
        expect(r.results.length).toBe(filter === JSON.stringify({ color: "red" }) ? 25 : 50);
        for (const m of r.results) expect(m.metadata.owner).toBe(owner);
      }
      expect(await countOf(t, name)).toBe(50);
      const got = await t.query(api.vectors.getVectors, { indexName: name, ids: ["v1"] });
      expect(got.map((g: { metadata: { owner: string } }) => g.metadata.owner)).toEqual([owner]);
    }
    // Deleting from one index leaves the other untouched.
    await t.mutation(api.vectors.deleteVectors, { indexName: "a128", ids: ["v1", "v2"] });
    expect(await countOf(t, "a128")).toBe(48);
    expect(await countOf(t, "b128")).toBe(50);
  });
});

describe("filters against brute force", () => {
  const DIM = 128;
  const COLORS = ["red", "green", "blue", "white", "black"];
  const SHAPES = ["circle", "square", "star"];

  test("native, post and combined filters return exactly the matching top-k", async () => {
    const t = componentTest();
    await t.mutation(api.vectors.createIndex, { name: "f", dimension: DIM, filterableKeys: ["color", "shape", "nested.level"] });
    const rnd = prng(4);
    const meta = (i: number) => {
      const m: Record<string, unknown> = {
        color: COLORS[i % 5],
        shape: SHAPES[Math.floor(i / 5) % 3],
        size: Math.floor(rnd() * 10),
        nested: { level: i % 4 },
      };
      if (i % 3 === 0) m.tag = "t";
      return m;
    };
    const { items } = await seedGenerated(t, "f", 3000, DIM, rnd, meta);

    const cases: Array<[string, object, (m: any) => boolean, boolean]> = [
      // [name, filter, predicate, expected postFiltered]
      ["native eq", { color: "red" }, (m) => m.color === "red", false],
      ["native $eq nested", { "nested.level": { $eq: 2 } }, (m) => m.nested.level === 2, false],
      ["native $in", { color: { $in: ["red", "blue"] } }, (m) => ["red", "blue"].includes(m.color), false],
      ["native $or across keys", { $or: [{ color: "red" }, { shape: "star" }] }, (m) => m.color === "red" || m.shape === "star", false],
      ["post range", { size: { $gte: 7 } }, (m) => m.size >= 7, true],
      ["post $ne", { color: { $ne: "red" } }, (m) => m.color !== "red", true],
      ["post $nin", { shape: { $nin: ["circle"] } }, (m) => m.shape !== "circle", true],
      ["post $exists", { tag: { $exists: false } }, (m) => m.tag === undefined, true],
      ["post $not", { $not: { size: { $lt: 5 } } }, (m) => !(m.size < 5), true],
      ["native + post", { color: "green", size: { $gt: 4 } }, (m) => m.color === "green" && m.size > 4, true],
      [
        "native $in + post $and",
        { $and: [{ shape: { $in: ["square", "star"] } }, { "nested.level": { $lte: 1 } }, { tag: { $exists: true } }] },
        (m) => ["square", "star"].includes(m.shape) && m.nested.level <= 1 && m.tag !== undefined,
        true,
      ],
      ["post $or mixing keys", { $or: [{ color: "white" }, { size: 9 }] }, (m) => m.color === "white" || m.size === 9, true],
      ["two native conjuncts", { color: "black", shape: "circle" }, (m) => m.color === "black" && m.shape === "circle", true],
      ["sparse post filter", { color: "red", size: 3, "nested.level": 0 }, (m) => m.color === "red" && m.size === 3 && m.nested.level === 0, true],
    ];
    for (const [name, filter, keep, postFiltered] of cases) {
      for (const topK of [1, 10, 40]) {
        const q = randomVector(rnd, DIM);
        const expected = bruteForce(items, q, topK, keep);
        const got = await t.action(api.vectors.query, { indexName: "f", queryVector: q, topK, filter: JSON.stringify(filter) });
        expect(got.postFiltered, name).toBe(postFiltered);
        for (const m of got.results) expect(keep(m.metadata), name).toBe(true);
        // Whatever comes back is the true best-first prefix; complete unless the result says otherwise.
        expect(ids(got), `${name} topK=${topK}`).toEqual(expected.slice(0, got.results.length).map((e) => e.id));
        if (!got.mayBeIncomplete) expect(got.results.length, `${name} topK=${topK}`).toBe(expected.length);
      }
    }
    // minScore cuts by score, on top of a filter.
    const q = randomVector(rnd, DIM);
    const expected = bruteForce(items, q, 50, (m) => m.color === "red").filter((e) => e.score >= 0.1);
    const got = await t.action(api.vectors.query, {
      indexName: "f",
      queryVector: q,
      topK: 50,
      filter: JSON.stringify({ color: "red" }),
      minScore: 0.1,
    });
    expect(ids(got)).toEqual(expected.map((e) => e.id));
    expect(got.mayBeIncomplete).toBe(false);
  });

  test("a post filter too sparse for 256 candidates says it may be incomplete", async () => {
    const t = componentTest();
    await t.mutation(api.vectors.createIndex, { name: "s", dimension: DIM });
    const rnd = prng(6);
    const { items } = await seedGenerated(t, "s", 1000, DIM, rnd, (i) => ({ rare: i % 200 === 0 }));
    const q = randomVector(rnd, DIM);
    const got = await t.action(api.vectors.query, { indexName: "s", queryVector: q, topK: 5, filter: JSON.stringify({ rare: true }) });
    const expected = bruteForce(items, q, 5, (m) => m.rare);
    expect(ids(got)).toEqual(expected.slice(0, got.results.length).map((e) => e.id));
    expect(got.candidates).toBe(256);
    // 5 rare vectors in 1,000: the 256 nearest hold fewer than 5 of them, and the result says so.
    expect(got.results.length).toBeLessThan(5);
    expect(got.mayBeIncomplete).toBe(true);
    expect(got.postFiltered).toBe(true);
    // Declaring the key makes the same filter native, exact and complete.
    await t.mutation(api.vectors.createIndex, { name: "s2", dimension: DIM, filterableKeys: ["rare"] });
    await seed(t, "s2", items);
    const native = await t.action(api.vectors.query, { indexName: "s2", queryVector: q, topK: 5, filter: JSON.stringify({ rare: true }) });
    expect(ids(native)).toEqual(expected.map((e) => e.id));
    expect(native).toMatchObject({ postFiltered: false, mayBeIncomplete: false });
  });
});

describe("vector CRUD", () => {
  test("upsert replaces, updateVector, getVectors, deleteVectors by ids; counts stay exact", async () => {
    const t = componentTest();
    await t.mutation(api.vectors.createIndex, { name: "c", dimension: 128, filterableKeys: ["kind"] });
    const rnd = prng(7);
    const items: Item[] = Array.from({ length: 20 }, (_, i) => ({ id: `v${i}`, vector: randomVector(rnd, 128), metadata: { kind: "a", i } }));
    await seed(t, "c", items);
    expect(await countOf(t, "c")).toBe(20);
    // Replace two, add one: count 21.
    const v0 = randomVector(rnd, 128);
    const { ids: upserted } = await t.mutation(api.vectors.upsert, {
      indexName: "c",
      vectors: [{ id: "v0", vector: v0, metadata: { kind: "b" } }, { id: "v1", vector: items[1].vector }, { vector: randomVector(rnd, 128) }],
    });
    expect(upserted.slice(0, 2)).toEqual(["v0", "v1"]);
    expect(upserted[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await countOf(t, "c")).toBe(21);
    const got = await t.query(api.vectors.getVectors, { indexName: "c", ids: ["v0", "v1", "missing"], includeVector: true });
    expect(got).toEqual([
      { id: "v0", metadata: { kind: "b" }, vector: v0 },
      { id: "v1", metadata: {}, vector: items[1].vector },
    ]);
    const plain = await t.query(api.vectors.getVectors, { indexName: "c", ids: ["v2"] });
    expect(plain).toEqual([{ id: "v2", metadata: { kind: "a", i: 2 } }]);

    // updateVector changes the metadata (and its native filter field) and the vector.
    await t.mutation(api.vectors.updateVector, { indexName: "c", id: "v2", metadata: { kind: "z" } });
    const byKind = await t.action(api.vectors.query, {
      indexName: "c",
      queryVector: randomVector(rnd, 128),
      topK: 10,
      filter: JSON.stringify({ kind: "z" }),
      filterMode: "native",
    });
    expect(ids(byKind)).toEqual(["v2"]);
    const target = randomVector(rnd, 128);
    await t.mutation(api.vectors.updateVector, { indexName: "c", id: "v3", vector: target });
    const nearest = await t.action(api.vectors.query, { indexName: "c", queryVector: target, topK: 1 });
    expect(nearest.results[0].id).toBe("v3");
    expect(nearest.results[0].score).toBeCloseTo(1, 9);
    expect(cosine(target, target)).toBeCloseTo(1, 9);

    const del = await t.mutation(api.vectors.deleteVectors, { indexName: "c", ids: ["v4", "v5", "v5", "nope"] });
    expect(del).toEqual({ deleted: 2, continuing: false });
    expect(await countOf(t, "c")).toBe(19);
    expect(await t.query(api.vectors.getVectors, { indexName: "c", ids: ["v4", "v5"] })).toEqual([]);
  });

  test("deleteVectors by filter: bounded batches, the rest scheduled", async () => {
    vi.useFakeTimers();
    try {
      const t = componentTest();
      await t.mutation(api.vectors.createIndex, { name: "d", dimension: 128 });
      const rnd = prng(8);
      const { items } = await seedGenerated(t, "d", 2500, 128, rnd, (i) => ({ parity: i % 2 }));
      const first = await t.mutation(api.vectors.deleteVectors, { indexName: "d", filter: JSON.stringify({ parity: 1 }) });
      expect(first.continuing).toBe(true);
      expect(first.deleted).toBeGreaterThan(0);
      // One scan batch (DELETE_BATCH_SIZE rows) in this transaction, not all 1,250 matches.
      expect(first.deleted).toBeLessThan(1250);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(await countOf(t, "d")).toBe(1250);
      const q = randomVector(rnd, 128);
      const r = await t.action(api.vectors.query, { indexName: "d", queryVector: q, topK: 20 });
      expect(ids(r)).toEqual(bruteForce(items, q, 20, (m) => m.parity === 0).map((e) => e.id));
      // Deleting the rest (1,250 > one batch) also continues in the background.
      const again = await t.mutation(api.vectors.deleteVectors, { indexName: "d", filter: JSON.stringify({ parity: 0 }) });
      expect(again.continuing).toBe(true);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(await countOf(t, "d")).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  test("truncateIndex empties at once and keeps the index usable; listIndexes pages", async () => {
    vi.useFakeTimers();
    try {
      const t = componentTest();
      for (const name of ["t1", "t2", "t3"]) await t.mutation(api.vectors.createIndex, { name, dimension: 256, filterableKeys: ["k"] });
      const rnd = prng(9);
      await seedGenerated(t, "t1", 1500, 256, rnd, () => ({ k: 1 }));
      const before = await t.query(api.vectors.describeIndex, { indexName: "t1" });
      await t.mutation(api.vectors.truncateIndex, { indexName: "t1" });
      const after = await t.query(api.vectors.describeIndex, { indexName: "t1" });
      expect(after).toMatchObject({ count: 0, dimension: 256, filterableKeys: ["k"], createdAt: before.createdAt });
      const q = randomVector(rnd, 256);
      expect((await t.action(api.vectors.query, { indexName: "t1", queryVector: q, topK: 10 })).results).toEqual([]);
      await t.mutation(api.vectors.upsert, { indexName: "t1", vectors: [{ id: "new", vector: q, metadata: { k: 2 } }] });
      expect(ids(await t.action(api.vectors.query, { indexName: "t1", queryVector: q, topK: 10 }))).toEqual(["new"]);
      await t.finishAllScheduledFunctions(vi.runAllTimers);
      expect(await t.run((ctx) => ctx.db.query("vectors_256").take(2000))).toHaveLength(1);
      expect(await countOf(t, "t1")).toBe(1);

      const page1 = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 2, cursor: null } });
      expect(page1.page.map((p: { name: string }) => p.name)).toEqual(["t1", "t2"]);
      expect(page1.isDone).toBe(false);
      const page2 = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 2, cursor: page1.continueCursor } });
      expect(page2.page.map((p: { name: string }) => p.name)).toEqual(["t3"]);
    } finally {
      vi.useRealTimers();
    }
  });
});
