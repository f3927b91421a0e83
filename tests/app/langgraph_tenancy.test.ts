/**
 * Two tenants and the LangGraph domains, through the example app's exposed
 * functions: bob can neither read, list, resume, copy, prune nor delete
 * alice's threads, nor see her store items, whichever arguments he passes.
 */
import { anyApi } from "convex/server";
import { beforeEach, expect, test } from "vitest";
import { appTest, codeOf, runInComponent, SERVICE, userIdentity } from "../convex.js";

const m = anyApi.memory;
const bytes = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;
let t: ReturnType<typeof appTest>;
let alice: ReturnType<ReturnType<typeof appTest>["withIdentity"]>;
let bob: ReturnType<ReturnType<typeof appTest>["withIdentity"]>;

const checkpoint = (resourceId: string, threadId: string, checkpointId: string) => ({
  resourceId,
  threadId,
  checkpointNs: "",
  checkpointId,
  type: "msgpack",
  checkpoint: bytes("state"),
  metadata: JSON.stringify({ source: "loop", step: 1, run_id: "run-1" }),
  channelVersions: [{ channel: "messages", version: "1" }],
  blobs: [{ channel: "messages", version: "1", type: "msgpack", data: bytes("secret of alice") }],
});

beforeEach(async () => {
  t = appTest();
  alice = t.withIdentity(userIdentity("alice"));
  bob = t.withIdentity(userIdentity("bob"));
  await alice.mutation(m.putCheckpoint, checkpoint("alice", "shared-name", "cp-1"));
  await alice.mutation(m.putCheckpointWrites, {
    resourceId: "alice",
    threadId: "shared-name",
    checkpointNs: "",
    checkpointId: "cp-1",
    taskId: "task",
    taskPath: "",
    writes: [{ idx: -3, channel: "__interrupt__", type: "msgpack", data: bytes("approve?") }],
  });
  const vector = Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0));
  await alice.mutation(m.putStoreItems, {
    resourceId: "alice",
    ops: [{ namespace: ["memories", "alice"], key: "fact", value: JSON.stringify({ text: "alice likes tea" }), vectors: [{ path: "text", vector }] }],
  });
});

const aliceThread = { resourceId: "alice", threadId: "shared-name" };
const page = { paginationOpts: { numItems: 10, cursor: null } };

test("every exposed function refuses another owner's resourceId before reading (same answer whether it exists)", async () => {
  const calls: Array<[string, "query" | "mutation" | "action", Record<string, unknown>]> = [
    ["getCheckpoint", "query", { ...aliceThread, checkpointNs: "" }],
    ["listCheckpoints", "query", { ...aliceThread, checkpointNs: "", ...page }],
    ["listCheckpointWrites", "query", { ...aliceThread, checkpointNs: "", fromCheckpointId: "a", toCheckpointId: "z", ...page }],
    ["getCheckpointValues", "query", { ...aliceThread, blobs: [{ checkpointNs: "", channel: "messages", version: "1" }], writes: [] }],
    ["countCheckpoints", "query", { ...aliceThread, checkpointNs: "" }],
    ["listCheckpointNamespaces", "query", { ...aliceThread, ...page }],
    ["listCheckpointThreads", "query", { resourceId: "alice", ...page }],
    ["putCheckpoint", "mutation", checkpoint("alice", "shared-name", "cp-2")],
    ["putCheckpointBlobs", "mutation", { ...aliceThread, checkpointNs: "", blobs: [] }],
    ["putCheckpointWrites", "mutation", { ...aliceThread, checkpointNs: "", checkpointId: "cp-1", taskId: "x", taskPath: "", writes: [] }],
    ["deleteCheckpointThread", "mutation", aliceThread],
    ["deleteCheckpointsForRuns", "mutation", { resourceId: "alice", runIds: ["run-1"] }],
    ["copyCheckpointThread", "mutation", { resourceId: "alice", sourceThreadId: "shared-name", targetThreadId: "stolen" }],
    ["pruneCheckpoints", "mutation", { resourceId: "alice", threadIds: ["shared-name"], strategy: "delete" }],
    ["putStoreItems", "mutation", { resourceId: "alice", ops: [{ namespace: ["memories", "alice"], key: "fact" }] }],
    ["getStoreItems", "query", { resourceId: "alice", items: [{ namespace: ["memories", "alice"], key: "fact" }] }],
    ["touchStoreItems", "mutation", { resourceId: "alice", items: [{ namespace: ["memories", "alice"], key: "fact" }] }],
    ["searchStoreItems", "query", { resourceId: "alice", namespacePrefix: [], ...page }],
    ["searchStoreByVector", "action", { resourceId: "alice", namespacePrefix: [], queryVector: Array(128).fill(0.1), limit: 5 }],
    ["listStoreNamespaces", "query", { resourceId: "alice", ...page }],
    ["countStoreItems", "query", { resourceId: "alice", namespace: ["memories", "alice"] }],
  ];
  const call = (who: any, kind: string, name: string, args: Record<string, unknown>) => who[kind](m[name], args) as Promise<unknown>;
  for (const [name, kind, args] of calls) {
    expect(await codeOf(call(bob, kind, name, args)), name).toBe("FORBIDDEN");
    expect(await codeOf(call(t, kind, name, args)), name).toBe("UNAUTHENTICATED");
  }
  // A thread that does not exist is refused the same way: the refusal tells nothing.
  expect(await codeOf(bob.query(m.getCheckpoint, { resourceId: "alice", threadId: "nope", checkpointNs: "" }))).toBe("FORBIDDEN");
  // And nothing changed.
  const state = await alice.query(m.getCheckpoint, { ...aliceThread, checkpointNs: "" });
  expect(new TextDecoder().decode(state.blobs[0].data)).toBe("secret of alice");
  expect(state.writes).toHaveLength(1);
});

test("under his own resourceId, the same thread id and namespaces are bob's own, empty ones", async () => {
  const bobThread = { resourceId: "bob", threadId: "shared-name" };
  expect(await bob.query(m.getCheckpoint, { ...bobThread, checkpointNs: "" })).toBeNull();
  expect((await bob.query(m.listCheckpoints, { ...bobThread, checkpointNs: "", ...page })).page).toEqual([]);
  expect((await bob.query(m.listCheckpointThreads, { resourceId: "bob", ...page })).page).toEqual([]);
  const values = await bob.query(m.getCheckpointValues, { ...bobThread, blobs: [{ checkpointNs: "", channel: "messages", version: "1" }], writes: [] });
  expect(values.blobs).toEqual([]);
  expect(await bob.mutation(m.copyCheckpointThread, { resourceId: "bob", sourceThreadId: "shared-name", targetThreadId: "mine" })).toEqual({ done: true });
  await bob.mutation(m.deleteCheckpointThread, bobThread);
  await bob.mutation(m.deleteCheckpointsForRuns, { resourceId: "bob", runIds: ["run-1"] });
  await bob.mutation(m.pruneCheckpoints, { resourceId: "bob", threadIds: ["shared-name"], strategy: "keep_latest" });
  // Bob resumes "his" thread: a fresh one, alice's stays as it was.
  await bob.mutation(m.putCheckpoint, { ...checkpoint("bob", "shared-name", "cp-9"), blobs: [] });
  const own = await bob.query(m.getCheckpoint, { ...bobThread, checkpointNs: "" });
  expect(own.checkpoint.checkpointId).toBe("cp-9");
  expect(own.blobs).toEqual([]);
  const hers = await alice.query(m.getCheckpoint, { ...aliceThread, checkpointNs: "" });
  expect(hers.checkpoint.checkpointId).toBe("cp-1");
  expect((await alice.query(m.listCheckpoints, { ...aliceThread, checkpointNs: "", filter: JSON.stringify({ run_id: "run-1" }), ...page })).page).toHaveLength(1);

  expect(await bob.query(m.getStoreItems, { resourceId: "bob", items: [{ namespace: ["memories", "alice"], key: "fact" }] })).toEqual([null]);
  expect((await bob.query(m.searchStoreItems, { resourceId: "bob", namespacePrefix: [], ...page })).page).toEqual([]);
  expect((await bob.query(m.listStoreNamespaces, { resourceId: "bob", ...page })).page).toEqual([]);
  const vector = Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0));
  expect((await bob.action(m.searchStoreByVector, { resourceId: "bob", namespacePrefix: [], queryVector: vector, limit: 5 })).items).toEqual([]);
  expect((await alice.action(m.searchStoreByVector, { resourceId: "alice", namespacePrefix: [], queryVector: vector, limit: 5 })).items).toHaveLength(1);
});

test("the store's embeddings are out of reach of the exposed vector functions, even for a service", async () => {
  // The store keeps its embeddings in the shared per-dimension tables under namespaces of its
  // own, with no registry row and no vector entry: no vector index lists, names or finds them.
  const service = t.withIdentity(SERVICE);
  const vector = Array.from({ length: 128 }, (_, i) => (i === 0 ? 1 : 0));
  expect((await service.query(m.listIndexes, page)).page).toEqual([]);
  expect(await codeOf(service.query(m.describeIndex, { indexName: "langgraph-store-128" }))).toBe("NOT_FOUND");
  // Any name is an ordinary index of the caller's: created empty, its searches see only its own vectors.
  for (const name of ["langgraph-store-128", "mine"]) {
    expect((await service.mutation(m.createIndex, { name, dimension: 128, filterableKeys: ["o"] })).created).toBe(true);
    expect((await bob.action(m.query, { indexName: name, queryVector: vector, topK: 10 })).results).toEqual([]);
    await service.mutation(m.upsert, { indexName: name, vectors: [{ id: "v", vector, metadata: { o: "x" } }] });
    expect((await bob.action(m.query, { indexName: name, queryVector: vector, topK: 10 })).results.map((r: any) => r.id)).toEqual(["v"]);
    await service.mutation(m.truncateIndex, { indexName: name });
    await service.mutation(m.deleteIndex, { indexName: name });
  }
  await t.finishAllScheduledFunctions(() => {});
  const listed = await service.query(m.listIndexes, page);
  expect(listed.page).toEqual([]);
  // The store's own vector still answers its owner, and its embedding is still there.
  const hits = await alice.action(m.searchStoreByVector, { resourceId: "alice", namespacePrefix: [], queryVector: vector, limit: 5 });
  expect(hits.items.map((item: any) => item.key)).toEqual(["fact"]);
  expect(await runInComponent(t, async (ctx) => (await ctx.db.query("vectors_128").collect()).length)).toBe(1);
});
