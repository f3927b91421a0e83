import { anyApi } from "convex/server";
import { expect, test } from "vitest";
import { appTest, runInComponent, SERVICE, userIdentity } from "../convex.js";
import { codeOf, prng, randomVector } from "../component/vector-fixtures.js";

const memory = anyApi.memory;

test("unauthenticated calls fail; users read, only services write", async () => {
  const t = appTest();
  const rnd = prng(11);
  const q = randomVector(rnd, 128);
  const anon = t;
  const user = t.withIdentity(userIdentity("alice"));
  const service = t.withIdentity(SERVICE);

  // Nobody may do anything without an identity.
  expect(await codeOf(anon.mutation(memory.createIndex, { name: "docs", dimension: 128 }))).toBe("UNAUTHENTICATED");
  expect(await codeOf(anon.query(memory.listIndexes, { paginationOpts: { numItems: 5, cursor: null } }))).toBe("UNAUTHENTICATED");

  // A user may not create, write or delete indexes; nothing is written.
  expect(await codeOf(user.mutation(memory.createIndex, { name: "docs", dimension: 128 }))).toBe("FORBIDDEN");
  expect(await runInComponent(t, (ctx) => ctx.db.query("vectorIndexes").take(1))).toEqual([]);

  // A service creates and fills it.
  const created = await service.mutation(memory.createIndex, { name: "docs", dimension: 128, filterableKeys: ["lang"] });
  expect(created.created).toBe(true);
  await service.mutation(memory.upsert, {
    indexName: "docs",
    vectors: [
      { id: "en1", vector: q, metadata: { lang: "en", text: "hello" } },
      { id: "fr1", vector: randomVector(rnd, 128), metadata: { lang: "fr", text: "bonjour" } },
    ],
  });

  for (const [name, args] of [
    ["upsert", { indexName: "docs", vectors: [{ vector: q }] }],
    ["updateVector", { indexName: "docs", id: "en1", metadata: {} }],
    ["deleteVectors", { indexName: "docs", ids: ["en1"] }],
    ["truncateIndex", { indexName: "docs" }],
    ["deleteIndex", { indexName: "docs" }],
  ] as const) {
    expect(await codeOf(user.mutation(memory[name], args)), name).toBe("FORBIDDEN");
    expect(await codeOf(anon.mutation(memory[name], args)), name).toBe("UNAUTHENTICATED");
  }
  expect(await codeOf(anon.action(memory.query, { indexName: "docs", queryVector: q, topK: 1 }))).toBe("UNAUTHENTICATED");

  // Users read: describe, list, get, query (an action through the app into the component's action).
  expect(await user.query(memory.describeIndex, { indexName: "docs" })).toMatchObject({ count: 2, dimension: 128 });
  const listed = await user.query(memory.listIndexes, { paginationOpts: { numItems: 5, cursor: null } });
  expect(listed.page.map((i: { name: string }) => i.name)).toEqual(["docs"]);
  expect(await user.query(memory.getVectors, { indexName: "docs", ids: ["fr1"] })).toEqual([
    { id: "fr1", metadata: { lang: "fr", text: "bonjour" } },
  ]);
  const found = await user.action(memory.query, { indexName: "docs", queryVector: q, topK: 2, filter: JSON.stringify({ lang: "en" }) });
  expect(found.results.map((r: { id: string }) => r.id)).toEqual(["en1"]);
  expect(found.results[0].score).toBeCloseTo(1, 9);

  // Typed errors cross the app boundary unchanged.
  expect(await codeOf(user.action(memory.query, { indexName: "docs", queryVector: q, topK: 0 }))).toBe("INVALID_ARGUMENT");
  expect(await codeOf(user.query(memory.describeIndex, { indexName: "nope" }))).toBe("NOT_FOUND");

  // Hybrid search through the app: the same authorize hook, the fused result fields come back.
  await service.mutation(memory.createIndex, { name: "notes", dimension: 128, textKey: "text" });
  await service.mutation(memory.upsert, {
    indexName: "notes",
    vectors: [
      { id: "near", vector: q, metadata: { text: "nothing to see" } },
      { id: "word", vector: randomVector(rnd, 128), metadata: { text: "the zebra note" } },
    ],
  });
  expect(await codeOf(anon.action(memory.query, { indexName: "notes", queryVector: q, topK: 2, keywordQuery: "zebra" }))).toBe(
    "UNAUTHENTICATED",
  );
  const hybrid = await user.action(memory.query, { indexName: "notes", queryVector: q, topK: 2, keywordQuery: "zebra" });
  expect(hybrid.keywordCandidates).toBe(1);
  expect(hybrid.results.map((r: { id: string; vectorRank?: number; keywordRank?: number }) => [r.id, r.vectorRank, r.keywordRank])).toEqual([
    ["word", 2, 1],
    ["near", 1, undefined],
  ]);
  expect(await codeOf(user.action(memory.query, { indexName: "docs", queryVector: q, topK: 2, keywordQuery: "zebra" }))).toBe(
    "INVALID_ARGUMENT",
  );

  // Service deletes the index; readers see it gone at once.
  await service.mutation(memory.deleteIndex, { indexName: "docs" });
  expect(await codeOf(user.query(memory.describeIndex, { indexName: "docs" }))).toBe("NOT_FOUND");
});

test("each exposed vector function has the component function's name, args and returns", async () => {
  const app = (await import("../../example/convex/memory.js")) as Record<string, any>;
  const component = (await import("../../component/vectors.js")) as Record<string, any>;
  const names = ["createIndex", "listIndexes", "describeIndex", "deleteIndex", "truncateIndex", "upsert", "updateVector", "deleteVectors", "getVectors", "query"];
  for (const name of names) {
    expect(app[name], name).toBeDefined();
    expect(app[name].exportArgs(), name).toBe(component[name].exportArgs());
    expect(app[name].exportReturns(), name).toBe(component[name].exportReturns());
    expect(app[name].isPublic && component[name].isPublic, name).toBe(true);
    for (const kind of ["isQuery", "isMutation", "isAction"]) expect(!!app[name][kind], `${name} ${kind}`).toBe(!!component[name][kind]);
  }
});
