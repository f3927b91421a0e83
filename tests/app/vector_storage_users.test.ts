/**
 * The three users of the shared per-dimension embedding tables side by side, through
 * the example app's exposed functions: a vector index's vectors, recall's message
 * embeddings and the LangGraph store's item embeddings, all in `vectors_128`.
 * Each lives in a namespace of its own: the exposed vector functions reach neither the
 * messages' nor the store's embeddings (even for a service, whatever index name it
 * picks), and deleting or truncating one user's data (an index, a store item, a thread)
 * leaves the others' embeddings searchable and in place.
 */
import { anyApi } from "convex/server";
import { beforeEach, expect, test } from "vitest";
import { appTest, codeOf, runInComponent, SERVICE, userIdentity } from "../convex.js";
import { text } from "../component/core-fixtures.js";

const m = anyApi.memory;
const page = { paginationOpts: { numItems: 10, cursor: null } };
const axis = (i: number) => Array.from({ length: 128 }, (_, j) => (j === i ? 1 : 0));
/** Close to every axis used here: every embedding of the table is a near neighbour. */
const everywhere = Array.from({ length: 128 }, (_, j) => (j < 3 ? 1 : 0.01));

let t: ReturnType<typeof appTest>;
let alice: ReturnType<ReturnType<typeof appTest>["withIdentity"]>;
let service: ReturnType<ReturnType<typeof appTest>["withIdentity"]>;

const storeItem = { namespace: ["memories", "alice"], key: "fact" };
const putStoreItem = () =>
  alice.mutation(m.putStoreItems, {
    resourceId: "alice",
    ops: [{ ...storeItem, value: JSON.stringify({ text: "alice likes tea" }), vectors: [{ path: "text", vector: axis(1) }] }],
  });
const recalled = async () =>
  ((await alice.action(m.recallMessages, { resourceId: "alice", queryVector: everywhere, topK: 10 })).hits as Array<{ id: string }>).map(
    (hit) => hit.id,
  );
const storeHits = async () =>
  ((await alice.action(m.searchStoreByVector, { resourceId: "alice", namespacePrefix: [], queryVector: everywhere, limit: 10 })).items as Array<{ key: string }>).map(
    (item) => item.key,
  );
const indexHits = async (indexName: string) =>
  ((await service.action(m.query, { indexName, queryVector: everywhere, topK: 10 })).results as Array<{ id: string }>).map((r) => r.id);
const embeddingsIn128 = () => runInComponent(t, async (ctx) => (await ctx.db.query("vectors_128").collect()).map((doc: any) => doc.ns as number));

beforeEach(async () => {
  t = appTest();
  alice = t.withIdentity(userIdentity("alice"));
  service = t.withIdentity(SERVICE);
  await alice.mutation(m.saveThread, { resourceId: "alice", id: "chat" });
  await alice.mutation(m.saveMessages, {
    resourceId: "alice",
    messages: [{ id: "msg", threadId: "chat", role: "user", content: text("I like tea"), createdAt: 1, embedding: axis(0) }],
  });
  await putStoreItem();
  await service.mutation(m.createIndex, { name: "docs", dimension: 128, filterableKeys: ["o"] });
  await service.mutation(m.upsert, { indexName: "docs", vectors: [{ id: "v", vector: axis(2), metadata: { o: "x" } }] });
});

test("message, store and index embeddings share vectors_128 under three distinct namespaces", async () => {
  const namespaces = await embeddingsIn128();
  expect(namespaces).toHaveLength(3);
  expect(new Set(namespaces).size).toBe(3);
  expect(await recalled()).toEqual(["msg"]);
  expect(await storeHits()).toEqual(["fact"]);
  expect(await indexHits("docs")).toEqual(["v"]);
});

test("the messages' and the store's embeddings are out of reach of the exposed vector functions, even for a service", async () => {
  // Neither recall nor the store has a registry row or a vector entry: only "docs" is listed.
  expect((await service.query(m.listIndexes, page)).page.map((index: any) => index.name)).toEqual(["docs"]);
  for (const name of ["recall-128", "messages", "langgraph-store-128"]) {
    expect(await codeOf(service.query(m.describeIndex, { indexName: name })), name).toBe("NOT_FOUND");
    expect(await codeOf(service.action(m.query, { indexName: name, queryVector: everywhere, topK: 10 })), name).toBe("NOT_FOUND");
    expect(await codeOf(service.query(m.getVectors, { indexName: name, ids: ["msg", "fact"] })), name).toBe("NOT_FOUND");
  }
  // The index's search, with every embedding of the table a near neighbour, finds its own vector only,
  // and its ids are its own: the message's and the item's ids name nothing in it (absent ids are left out).
  expect(await indexHits("docs")).toEqual(["v"]);
  expect(await service.query(m.getVectors, { indexName: "docs", ids: ["msg", "fact"] })).toEqual([]);
  // Any name is an ordinary index of the caller's: created empty, its searches see only its own vectors.
  for (const name of ["recall-128", "mine"]) {
    expect((await service.mutation(m.createIndex, { name, dimension: 128, filterableKeys: ["o"] })).created).toBe(true);
    expect(await indexHits(name)).toEqual([]);
    await service.mutation(m.deleteVectors, { indexName: name, ids: ["msg", "fact", "v"] });
    await service.mutation(m.truncateIndex, { indexName: name });
    await service.mutation(m.deleteIndex, { indexName: name });
  }
  await t.finishAllScheduledFunctions(() => {});
  expect(await recalled()).toEqual(["msg"]);
  expect(await storeHits()).toEqual(["fact"]);
  expect(await embeddingsIn128()).toHaveLength(3);
});

test("truncating and deleting an index leaves the message and store embeddings", async () => {
  await service.mutation(m.truncateIndex, { indexName: "docs" });
  await t.finishAllScheduledFunctions(() => {});
  expect(await embeddingsIn128()).toHaveLength(2);
  await service.mutation(m.deleteIndex, { indexName: "docs" });
  await t.finishAllScheduledFunctions(() => {});
  expect(await recalled()).toEqual(["msg"]);
  expect(await storeHits()).toEqual(["fact"]);
  expect(await embeddingsIn128()).toHaveLength(2);
});

test("deleting a store item leaves the message embedding; deleting the thread leaves the store's", async () => {
  await alice.mutation(m.putStoreItems, { resourceId: "alice", ops: [storeItem] });
  expect(await storeHits()).toEqual([]);
  expect(await recalled()).toEqual(["msg"]);
  expect(await indexHits("docs")).toEqual(["v"]);
  expect(await embeddingsIn128()).toHaveLength(2);

  await putStoreItem();
  await alice.mutation(m.deleteThread, { resourceId: "alice", id: "chat" });
  await t.finishAllScheduledFunctions(() => {});
  expect(await recalled()).toEqual([]);
  expect(await alice.query(m.countMessageEmbeddings, { resourceId: "alice" })).toBe(0);
  expect(await storeHits()).toEqual(["fact"]);
  expect(await indexHits("docs")).toEqual(["v"]);
  expect(await embeddingsIn128()).toHaveLength(2);
});

test("removing a message's embedding leaves the others", async () => {
  await alice.mutation(m.setMessageEmbeddings, { resourceId: "alice", embeddings: [{ id: "msg", embedding: null }] });
  expect(await recalled()).toEqual([]);
  expect(await storeHits()).toEqual(["fact"]);
  expect(await indexHits("docs")).toEqual(["v"]);
  expect(await embeddingsIn128()).toHaveLength(2);
});
