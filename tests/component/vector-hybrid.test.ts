/**
 * Hybrid search: a keyword query over the index's `textKey` text, fused with the
 * vector ranking by reciprocal rank fusion. The expected fused order is computed
 * here from the two rankings taken separately: brute-force cosine for the vector
 * side, and for the keyword side the order convex-test's search index returns,
 * read by a direct search query.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { metadataOf } from "../../component/model/vectors.js";
import { storedEmbeddingBytes } from "../../component/model/vectorStorage.js";
import { recordTransactions } from "../transactionMetrics.js";
import { componentTest } from "../convex.js";
import { bruteForce, codeOf, cosine, prng, randomVector, seed, seedGenerated, type Item } from "./vector-fixtures.js";

type T = ReturnType<typeof componentTest>;
type Match = { id: string; score: number; metadata: any; vector?: number[]; vectorScore?: number; vectorRank?: number; keywordRank?: number };
type Result = { results: Match[]; postFiltered: boolean; mayBeIncomplete: boolean; candidates: number; keywordCandidates?: number };

const DIM = 128;
const WORDS = ["apple", "river", "stone", "cloud", "green", "music", "table", "light", "ocean", "forest", "paper", "metal"];
const COLORS = ["red", "green", "blue"];

function bodyOf(rnd: () => number, i: number): string {
  const words = Array.from({ length: 3 + Math.floor(rnd() * 4) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
  if (i % 29 === 0) words.push("zebra");
  if (i % 41 === 0) words.push("quokka");
  return words.join(" ");
}

async function indexRowOf(t: T, name: string) {
  const row = await t.run((ctx) =>
    ctx.db
      .query("vectorIndexes")
      .withIndex("by_name_status", (q) => q.eq("name", name).eq("status", "active"))
      .unique(),
  );
  return row!;
}

/** The keyword ranking as convex-test's search index returns it (up to `limit` entries). */
async function directSearch(t: T, name: string, keywordQuery: string, limit: number, native?: { slot: number; value: unknown }) {
  const row = await indexRowOf(t, name);
  const entries = await t.run((ctx) =>
    ctx.db
      .query("vectorEntries")
      .withSearchIndex("by_text", (q) => {
        const base = q.search("text", keywordQuery).eq("ns", row.ns);
        return native === undefined ? base : base.eq(`f${native.slot}` as "f0", native.value as any);
      })
      .take(limit),
  );
  return entries.map((d) => ({ id: d.id, metadata: metadataOf(d, row.textKey) as any }));
}

/** Reciprocal rank fusion, as documented: 1/(k + vectorRank) + w/(k + keywordRank); ties by cosine, then id. */
function rrf(vectorIds: string[], keywordIds: string[], cosineOf: (id: string) => number, topK: number, k = 60, w = 1) {
  const scores = new Map<string, { score: number; vectorRank?: number; keywordRank?: number }>();
  vectorIds.forEach((id, i) => scores.set(id, { score: 1 / (k + i + 1), vectorRank: i + 1 }));
  keywordIds.forEach((id, i) => {
    const entry = scores.get(id) ?? { score: 0 };
    entry.score += w / (k + i + 1);
    entry.keywordRank = i + 1;
    scores.set(id, entry);
  });
  return [...scores.entries()]
    .map(([id, e]) => ({ id, ...e }))
    .sort((a, b) => b.score - a.score || cosineOf(b.id) - cosineOf(a.id) || (a.id < b.id ? -1 : 1))
    .slice(0, topK);
}

function expectFused(got: Result, expected: ReturnType<typeof rrf>, cosineOf: (id: string) => number, label: string) {
  expect(got.results.map((r) => r.id), label).toEqual(expected.map((e) => e.id));
  got.results.forEach((r, i) => {
    expect(r.score, label).toBeCloseTo(expected[i].score, 12);
    expect(r.vectorRank, label).toBe(expected[i].vectorRank);
    expect(r.keywordRank, label).toBe(expected[i].keywordRank);
    expect(r.vectorScore!, label).toBeCloseTo(cosineOf(r.id), 9);
  });
}

async function seedHybrid(t: T, name: string, n: number, rnd: () => number) {
  await t.mutation(api.vectors.createIndex, { name, dimension: DIM, filterableKeys: ["color"], textKey: "body" });
  return (
    await seedGenerated(t, name, n, DIM, rnd, (i) => ({
      body: bodyOf(rnd, i),
      color: COLORS[i % 3],
      size: Math.floor(rnd() * 10),
      i,
    }))
  ).items;
}

describe("fusion", () => {
  test("keyword-only matches are found and ranked; the fused order is RRF of the two rankings", async () => {
    const t = componentTest(true);
    const rnd = prng(101);
    const items = await seedHybrid(t, "h", 900, rnd);
    const byId = new Map(items.map((item) => [item.id, item]));

    let keywordOnlySeen = 0;
    let bothSeen = 0;
    for (const [keywordQuery, topK, k, w] of [
      ["zebra", 10, undefined, undefined],
      ["quokka zebra", 25, undefined, undefined],
      ["zebra", 5, 10, 3],
      ["quokka", 40, 1, 0.5],
    ] as const) {
      // One query vector among the zebra documents' own vectors, so both sides share documents.
      for (const q of [randomVector(rnd, DIM), items.find((item) => (item.metadata.body as string).includes("zebra"))!.vector]) {
        const cosineOf = (id: string) => cosine(byId.get(id)!.vector, q);
        const got: Result = await t.action(api.vectors.query, {
          indexName: "h",
          queryVector: q,
          topK,
          keywordQuery,
          ...(k === undefined ? {} : { rrfK: k }),
          ...(w === undefined ? {} : { keywordWeight: w }),
        });
        const vectorIds = bruteForce(items, q, topK).map((e) => e.id);
        const keyword = await directSearch(t, "h", keywordQuery, topK);
        const expected = rrf(vectorIds, keyword.map((d) => d.id), cosineOf, topK, k ?? 60, w ?? 1);
        expectFused(got, expected, cosineOf, `${keywordQuery} topK=${topK}`);
        expect(got.keywordCandidates).toBe(keyword.length);
        expect(got.candidates).toBe(topK);
        expect(got).toMatchObject({ postFiltered: false, mayBeIncomplete: false });
        // Every keyword match really holds a searched word; the metadata comes back whole.
        for (const r of got.results) {
          expect(r.metadata).toEqual(byId.get(r.id)!.metadata);
          if (r.keywordRank !== undefined) expect(r.metadata.body).toMatch(new RegExp(keywordQuery.split(" ").join("|")));
        }
        keywordOnlySeen += got.results.filter((r) => r.vectorRank === undefined).length;
        bothSeen += got.results.filter((r) => r.vectorRank !== undefined && r.keywordRank !== undefined).length;
      }
    }
    expect(keywordOnlySeen).toBeGreaterThan(10);
    expect(bothSeen).toBeGreaterThan(0);

    // A keyword match far from the query vector still ranks (by its keyword rank alone) and says why.
    const zebraDoc = items.find((item) => (item.metadata.body as string).includes("zebra"))!;
    const away = zebraDoc.vector.map((x) => -x);
    const got: Result = await t.action(api.vectors.query, { indexName: "h", queryVector: away, topK: 256, keywordQuery: "zebra" });
    const hit = got.results.find((r) => r.id === zebraDoc.id)!;
    expect(hit.keywordRank).toBeGreaterThan(0);
    expect(hit.vectorRank).toBeUndefined();
    expect(hit.vectorScore).toBeCloseTo(-1, 9);

    // includeVector returns the stored vectors on both sides.
    const withVectors: Result = await t.action(api.vectors.query, {
      indexName: "h",
      queryVector: away,
      topK: 20,
      keywordQuery: "zebra",
      includeVector: true,
    });
    for (const r of withVectors.results) expect(r.vector).toEqual(byId.get(r.id)!.vector);
    // Without keywordQuery nothing changes: plain cosine results, no hybrid fields.
    const plain: Result = await t.action(api.vectors.query, { indexName: "h", queryVector: away, topK: 3 });
    expect(plain.keywordCandidates).toBeUndefined();
    for (const r of plain.results) expect(Object.keys(r).sort()).toEqual(["id", "metadata", "score"]);
  });

  test("filters apply to both sides (native, post-filtered and combined), minScore to every result", async () => {
    const t = componentTest(true);
    const rnd = prng(102);
    const items = await seedHybrid(t, "h", 900, rnd);
    const byId = new Map(items.map((item) => [item.id, item]));
    const topK = 15;
    const cases: Array<[string, object, (m: any) => boolean, { slot: number; value: unknown } | undefined, boolean]> = [
      // [name, filter, predicate, native term on the keyword side, postFiltered]
      ["native eq", { color: "red" }, (m) => m.color === "red", { slot: 0, value: "red" }, false],
      ["native $in (post-filtered on the keyword side)", { color: { $in: ["red", "blue"] } }, (m) => m.color !== "green", undefined, true],
      ["post range", { size: { $gte: 5 } }, (m) => m.size >= 5, undefined, true],
      ["native + post", { color: "green", size: { $lt: 6 } }, (m) => m.color === "green" && m.size < 6, { slot: 0, value: "green" }, true],
    ];
    for (const [name, filter, keep, native, postFiltered] of cases) {
      const q = randomVector(rnd, DIM);
      const cosineOf = (id: string) => cosine(byId.get(id)!.vector, q);
      const got: Result = await t.action(api.vectors.query, {
        indexName: "h",
        queryVector: q,
        topK,
        keywordQuery: "zebra quokka",
        filter: JSON.stringify(filter),
      });
      expect(got.postFiltered, name).toBe(postFiltered);
      for (const r of got.results) expect(keep(r.metadata), name).toBe(true);
      const vectorIds = bruteForce(items, q, topK, keep).map((e) => e.id);
      const keywordIds = (await directSearch(t, "h", "zebra quokka", 256, native))
        .filter((d) => keep(d.metadata))
        .slice(0, topK)
        .map((d) => d.id);
      expectFused(got, rrf(vectorIds, keywordIds, cosineOf, topK), cosineOf, name);
      expect(got.mayBeIncomplete, name).toBe(false);
      // The vector side over-fetches only for its own post-filter.
      expect(got.candidates, name).toBe(name.startsWith("native $in") || name.startsWith("native eq") ? topK : 256);
    }

    // minScore: vector candidates below it are cut, and so are keyword matches.
    const q = randomVector(rnd, DIM);
    const cosineOf = (id: string) => cosine(byId.get(id)!.vector, q);
    const got: Result = await t.action(api.vectors.query, { indexName: "h", queryVector: q, topK, keywordQuery: "zebra", minScore: 0 });
    for (const r of got.results) expect(r.vectorScore!).toBeGreaterThanOrEqual(0);
    const vectorIds = bruteForce(items, q, topK)
      .filter((e) => e.score >= 0)
      .map((e) => e.id);
    const keywordIds = (await directSearch(t, "h", "zebra", 256))
      .filter((d) => cosineOf(d.id) >= 0)
      .slice(0, topK)
      .map((d) => d.id);
    expectFused(got, rrf(vectorIds, keywordIds, cosineOf, topK), cosineOf, "minScore");
  });
});

describe("minScore on the keyword side", () => {
  test("keyword matches below minScore make way for later ones, up to topK", async () => {
    const t = componentTest(true);
    const rnd = prng(107);
    await t.mutation(api.vectors.createIndex, { name: "m", dimension: DIM, textKey: "body" });
    const items = (await seedGenerated(t, "m", 300, DIM, rnd, (i) => ({ body: `common ${bodyOf(rnd, i)}` }))).items;
    const byId = new Map(items.map((item) => [item.id, item]));
    const q = randomVector(rnd, DIM);
    const cosineOf = (id: string) => cosine(byId.get(id)!.vector, q);
    const topK = 10;
    const minScore = 0.05;
    const got: Result = await t.action(api.vectors.query, { indexName: "m", queryVector: q, topK, keywordQuery: "common", minScore });
    const ranked = await directSearch(t, "m", "common", 300);
    // Among the first topK keyword matches some fall below minScore: later ones take their places.
    expect(ranked.slice(0, topK).some((d) => cosineOf(d.id) < minScore)).toBe(true);
    const keywordIds = ranked.filter((d) => cosineOf(d.id) >= minScore).slice(0, topK).map((d) => d.id);
    expect(got.keywordCandidates).toBe(topK);
    const vectorIds = bruteForce(items, q, topK).filter((e) => e.score >= minScore).map((e) => e.id);
    expectFused(got, rrf(vectorIds, keywordIds, cosineOf, topK), cosineOf, "minScore");
  });
});

describe("isolation", () => {
  test("keyword search never mixes indexes, and follows each index's own textKey", async () => {
    const t = componentTest(true);
    const rnd = prng(103);
    await t.mutation(api.vectors.createIndex, { name: "a", dimension: DIM, textKey: "body" });
    await t.mutation(api.vectors.createIndex, { name: "b", dimension: DIM, textKey: "body" });
    await t.mutation(api.vectors.createIndex, { name: "c", dimension: DIM });
    await t.mutation(api.vectors.createIndex, { name: "d", dimension: DIM, textKey: "title" });
    // The same ids, vectors and texts in all four (same table).
    const shared = Array.from({ length: 120 }, (_, i) => ({
      id: `v${i}`,
      vector: randomVector(rnd, DIM),
      body: bodyOf(rnd, i),
      title: i % 10 === 0 ? "zebra crossing" : "plain title",
    }));
    for (const name of ["a", "b", "c", "d"]) {
      await seed(t, name, shared.map((s) => ({ id: s.id, vector: s.vector, metadata: { body: s.body, title: s.title, owner: name } })));
    }
    const zebraBodies = shared.filter((s) => s.body.includes("zebra")).length;
    const zebraTitles = shared.filter((s) => s.title.includes("zebra")).length;
    expect(zebraBodies).toBeGreaterThan(0);
    const q = randomVector(rnd, DIM);
    for (const name of ["a", "b"]) {
      const got: Result = await t.action(api.vectors.query, { indexName: name, queryVector: q, topK: 256, keywordQuery: "zebra" });
      for (const r of got.results) expect(r.metadata.owner).toBe(name);
      expect(got.keywordCandidates).toBe(zebraBodies);
      expect(got.results.filter((r) => r.keywordRank !== undefined).every((r) => r.metadata.body.includes("zebra"))).toBe(true);
      expect(got.results).toHaveLength(120);
    }
    const d: Result = await t.action(api.vectors.query, { indexName: "d", queryVector: q, topK: 256, keywordQuery: "zebra" });
    expect(d.keywordCandidates).toBe(zebraTitles);
    expect(d.results.filter((r) => r.keywordRank !== undefined).every((r) => r.metadata.title === "zebra crossing")).toBe(true);
    for (const r of d.results) expect(r.metadata.owner).toBe("d");
    // An index without textKey takes no keyword query.
    expect(await codeOf(t.action(api.vectors.query, { indexName: "c", queryVector: q, topK: 5, keywordQuery: "zebra" }))).toBe(
      "INVALID_ARGUMENT",
    );
    // Deleting a's vectors leaves b's keyword matches whole.
    await t.mutation(api.vectors.deleteVectors, { indexName: "a", ids: shared.map((s) => s.id).slice(0, 100) });
    const b: Result = await t.action(api.vectors.query, { indexName: "b", queryVector: q, topK: 256, keywordQuery: "zebra" });
    expect(b.keywordCandidates).toBe(zebraBodies);
  });

  test("updateVector and upsert keep the searchable text in step with the metadata", async () => {
    const t = componentTest(true);
    const rnd = prng(104);
    await t.mutation(api.vectors.createIndex, { name: "u", dimension: DIM, textKey: "doc.text" });
    const items: Item[] = [
      { id: "x", vector: randomVector(rnd, DIM), metadata: { doc: { text: "old words here" } } },
      { id: "y", vector: randomVector(rnd, DIM), metadata: { doc: { text: null } } },
      { id: "z", vector: randomVector(rnd, DIM), metadata: {} },
    ];
    await seed(t, "u", items);
    const search = async (keywordQuery: string) => {
      const got: Result = await t.action(api.vectors.query, { indexName: "u", queryVector: items[0].vector, topK: 10, keywordQuery });
      return got.results.filter((r) => r.keywordRank !== undefined).map((r) => r.id);
    };
    expect(await search("old")).toEqual(["x"]);
    await t.mutation(api.vectors.updateVector, { indexName: "u", id: "x", metadata: { doc: { text: "fresh content" } } });
    expect(await search("old")).toEqual([]);
    expect(await search("fresh")).toEqual(["x"]);
    // A vector-only update keeps the text.
    await t.mutation(api.vectors.updateVector, { indexName: "u", id: "x", vector: randomVector(rnd, DIM) });
    expect(await search("fresh")).toEqual(["x"]);
    await t.mutation(api.vectors.upsert, { indexName: "u", vectors: [{ id: "y", vector: items[1].vector, metadata: { doc: { text: "fresh too" } } }] });
    expect((await search("fresh")).sort()).toEqual(["x", "y"]);
    // truncateIndex keeps the textKey.
    await t.mutation(api.vectors.truncateIndex, { indexName: "u" });
    expect(await t.query(api.vectors.describeIndex, { indexName: "u" })).toMatchObject({ textKey: "doc.text", count: 0 });
    expect(await search("fresh")).toEqual([]);
  });
});

describe("read budget", () => {
  test("hybrid query on 3,000 vectors that all match the keyword reads at most topK + 1 documents per transaction", async () => {
    const topK = 10;
    const t = componentTest({ documentsRead: topK + 1 });
    const rnd = prng(105);
    await t.mutation(api.vectors.createIndex, { name: "big", dimension: DIM, filterableKeys: ["color"], textKey: "body" });
    await seedGenerated(t, "big", 3000, DIM, rnd, (i) => ({ body: `common ${bodyOf(rnd, i)}`, color: COLORS[i % 3] }));
    for (const args of [
      { keywordQuery: "common" },
      { keywordQuery: "common zebra", filter: JSON.stringify({ color: "red" }) },
      { keywordQuery: "common", keywordWeight: 2, rrfK: 5, includeVector: true },
    ]) {
      const { result: got, transactions } = await recordTransactions(() =>
        t.action(api.vectors.query, { indexName: "big", queryVector: randomVector(rnd, DIM), topK, ...args }),
      );
      expect(got.results).toHaveLength(topK);
      expect(got.keywordCandidates).toBe(topK);
      // Keyword side and hydration read entries, never an embedding; includeVector reads the topK returned, once.
      const embeddingReads = transactions.filter((x) => x.bytesRead / x.documentsRead >= storedEmbeddingBytes(DIM) / 2);
      expect(embeddingReads.map((x) => x.documentsRead)).toEqual("includeVector" in args ? [topK] : []);
    }
    // The budget is real: one more result means one more read than it allows.
    await expect(
      t.action(api.vectors.query, { indexName: "big", queryVector: randomVector(rnd, DIM), topK: topK + 1, keywordQuery: "common" }),
    ).rejects.toThrow(/too many documents/);
  });
});

describe("typed errors, nothing written", () => {
  test("createIndex: a bad textKey, a changed textKey", async () => {
    const t = componentTest(true);
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "_body" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "a..b" }))).toBe("INVALID_ARGUMENT");
    expect(await t.run((ctx) => ctx.db.query("vectorIndexes").take(1))).toEqual([]);
    const first = await t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "body" });
    expect(first.index.textKey).toBe("body");
    expect(await t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "body" })).toEqual({ created: false, index: first.index });
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "title" }))).toBe("CONFLICT");
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM }))).toBe("CONFLICT");
    await t.mutation(api.vectors.createIndex, { name: "y", dimension: DIM });
    expect(await codeOf(t.mutation(api.vectors.createIndex, { name: "y", dimension: DIM, textKey: "body" }))).toBe("CONFLICT");
    expect((await t.query(api.vectors.describeIndex, { indexName: "y" })).textKey).toBeUndefined();
    expect(await t.run((ctx) => ctx.db.query("vectorIndexes").take(10))).toHaveLength(2);
  });

  test("a non-string text value is refused on upsert and updateVector", async () => {
    const t = componentTest(true);
    await t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, textKey: "body" });
    const rnd = prng(106);
    const good = { id: "g", vector: randomVector(rnd, DIM), metadata: { body: "fine" } };
    for (const body of [5, true, ["a"], { t: "a" }]) {
      expect(
        await codeOf(t.mutation(api.vectors.upsert, { indexName: "x", vectors: [good, { id: "b", vector: randomVector(rnd, DIM), metadata: { body } }] })),
      ).toBe("INVALID_ARGUMENT");
    }
    expect((await t.query(api.vectors.describeIndex, { indexName: "x" })).count).toBe(0);
    expect(await t.run((ctx) => ctx.db.query("vectors_128").take(1))).toEqual([]);
    await t.mutation(api.vectors.upsert, { indexName: "x", vectors: [good] });
    expect(await codeOf(t.mutation(api.vectors.updateVector, { indexName: "x", id: "g", metadata: { body: 1 } }))).toBe("INVALID_ARGUMENT");
    expect(await t.query(api.vectors.getVectors, { indexName: "x", ids: ["g"] })).toEqual([{ id: "g", metadata: { body: "fine" } }]);
  });

  test("query: bad keyword queries and fusion parameters", async () => {
    const t = componentTest(true);
    await t.mutation(api.vectors.createIndex, { name: "x", dimension: DIM, filterableKeys: ["color"], textKey: "body" });
    await t.mutation(api.vectors.createIndex, { name: "plain", dimension: DIM });
    const rnd = prng(107);
    await seed(t, "x", [{ id: "a", vector: randomVector(rnd, DIM), metadata: { body: "hello world", color: "red" } }]);
    const q = randomVector(rnd, DIM);
    const call = (args: Record<string, unknown>) =>
      codeOf(t.action(api.vectors.query, { indexName: "x", queryVector: q, topK: 5, keywordQuery: "hello", ...args }));
    expect(await call({})).toBe("no error");
    expect(await call({ indexName: "plain" })).toBe("INVALID_ARGUMENT");
    expect(await call({ indexName: "nope" })).toBe("NOT_FOUND");
    for (const keywordQuery of ["", "   ", "?!.", "x".repeat(1025), Array.from({ length: 17 }, (_, i) => `w${i}`).join(" ")]) {
      expect(await call({ keywordQuery }), JSON.stringify(keywordQuery.slice(0, 20))).toBe("INVALID_ARGUMENT");
    }
    expect(await call({ keywordQuery: Array.from({ length: 16 }, (_, i) => `w${i}`).join(" ") })).toBe("no error");
    expect(await call({ keywordWeight: -1 })).toBe("INVALID_ARGUMENT");
    expect(await call({ keywordWeight: Infinity })).toBe("INVALID_ARGUMENT");
    expect(await call({ rrfK: -1 })).toBe("INVALID_ARGUMENT");
    expect(await call({ topK: 257 })).toBe("INVALID_ARGUMENT");
    expect(await call({ topK: 0 })).toBe("INVALID_ARGUMENT");
    expect(await call({ queryVector: randomVector(rnd, 256) })).toBe("INVALID_ARGUMENT");
    // keywordWeight / rrfK without a keyword query.
    expect(await codeOf(t.action(api.vectors.query, { indexName: "x", queryVector: q, topK: 5, rrfK: 10 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(t.action(api.vectors.query, { indexName: "x", queryVector: q, topK: 5, keywordWeight: 2 }))).toBe("INVALID_ARGUMENT");
    // filterMode "native": one equality runs natively on both sides; an OR cannot run in a search filter.
    expect(await call({ filter: JSON.stringify({ color: "red" }), filterMode: "native" })).toBe("no error");
    expect(await call({ filter: JSON.stringify({ color: { $in: ["red", "blue"] } }), filterMode: "native" })).toBe("INVALID_ARGUMENT");
    expect(await call({ filter: JSON.stringify({ color: { $in: ["red", "blue"] } }) })).toBe("no error");
    // Nothing was written by any of it.
    expect((await t.query(api.vectors.describeIndex, { indexName: "x" })).count).toBe(1);
    expect(await t.query(api.vectors.getVectors, { indexName: "x", ids: ["a"] })).toEqual([{ id: "a", metadata: { body: "hello world", color: "red" } }]);
  });
});
