/**
 * The peers of bench/peers, each installed from npm and used as its README documents,
 * under convex-test (transaction limits on) with the data of data.ts:
 *
 * - @mastra/convex: `ConvexStore` (its storage handler `mastraStorage`), `ConvexVector`
 *   (vectors kept by the storage handler, similarity computed in the adapter) and
 *   `ConvexNativeVector` (Convex vector search); they call the deployment over HTTP with
 *   `fetch`, which is routed here to convex-test.
 * - @convex-dev/agent: threads and messages (with embeddings) through its client functions.
 * - @convex-dev/rag: entries of chunks with their embeddings, searched with a query vector.
 */
/// <reference types="vite/client" />
import { convexTest } from "convex-test";
import { makeFunctionReference } from "convex/server";
import { vi } from "vitest";
import { chunk, messageText, queryVector, SIZES, snapshot, THREAD, USER } from "./data.js";
import { measure, unsupported, type Cost } from "./measure.js";
import type { Peer } from "./ours.js";
import { installFastQueries } from "../../local_backend/fast_queries.js";
import mastraSchema from "./apps/mastra/convex/schema.js";
import agentSchema from "./apps/agent/convex/schema.js";
import ragSchema from "./apps/rag/convex/schema.js";
import agentTest from "@convex-dev/agent/test";
import ragTest from "@convex-dev/rag/test";

const mastraModules = import.meta.glob("./apps/mastra/convex/**/*.ts");
const agentModules = import.meta.glob("./apps/agent/convex/**/*.ts");
const ragModules = import.meta.glob("./apps/rag/convex/**/*.ts");

const ref = (path: string) => makeFunctionReference<any>(path) as any;

// ---------------------------------------------------------------------------
// @mastra/convex

const DEPLOYMENT = "http://mastra.bench.invalid";

/** Routes the adapters' `fetch` calls to the deployment's HTTP API into convex-test. */
function routeFetchTo(t: any): void {
  const real = globalThis.fetch;
  vi.stubGlobal("fetch", async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(DEPLOYMENT)) return real(input, init);
    const kind = url.slice(url.lastIndexOf("/") + 1) as "query" | "mutation" | "action";
    const { path, args } = JSON.parse(String(init?.body));
    try {
      const value = await t[kind](ref(path), args);
      return new Response(JSON.stringify({ status: "success", value: value ?? null }), { status: 200 });
    } catch (error) {
      // A limit error must reach measure() as itself, not as the adapter's wrapping.
      throw error;
    }
  });
}

export async function setUpMastra(sizes: { vectors: number } = SIZES): Promise<Record<string, Peer>> {
  const { ConvexStore, ConvexVector, ConvexNativeVector } = (await import("@mastra/convex")) as any;
  const t = convexTest({ schema: mastraSchema, modules: mastraModules, transactionLimits: true }) as any;
  await installFastQueries(t); // index look-ups by hash map: seeding is not quadratic (results unchanged)
  routeFetchTo(t);
  const connection = { deploymentUrl: DEPLOYMENT, adminAuthToken: "bench-admin-key" };
  const store = new ConvexStore({ id: "bench", ...connection });
  await store.init();
  const memory = store.stores.memory;
  const workflows = store.stores.workflows;

  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < SIZES.threads; i++) {
    await memory.saveThread({
      thread: { id: `thread-${i}`, resourceId: USER, title: `thread ${i}`, createdAt: new Date(base + i), updatedAt: new Date(base + i), metadata: {} },
    });
  }
  await memory.saveThread({
    thread: { id: THREAD, resourceId: USER, title: "bench", createdAt: new Date(base), updatedAt: new Date(base), metadata: {} },
  });
  for (let i = 0; i < SIZES.messages; i += 500) {
    const messages = Array.from({ length: Math.min(500, SIZES.messages - i) }, (_, j) => ({
      id: `m-${i + j}`,
      threadId: THREAD,
      resourceId: USER,
      role: "user",
      type: "v2",
      createdAt: new Date(base + i + j),
      content: { format: 2, parts: [{ type: "text", text: messageText(i + j) }] },
    }));
    await memory.saveMessages({ messages });
  }

  const scan = new ConvexVector({ id: "bench-vectors", ...connection });
  const native = new ConvexNativeVector({
    id: "bench-native",
    ...connection,
    indexes: {
      docs384: { tableName: "docs_384", vectorIndexName: "by_embedding", dimension: 384, filterFields: ["lang"] },
      docs1536: { tableName: "docs_1536", vectorIndexName: "by_embedding", dimension: 1536, filterFields: ["lang"] },
    },
  });
  for (const dimension of [384, 1536]) {
    const indexName = `docs${dimension}`;
    await scan.createIndex({ indexName, dimension });
    await native.createIndex({ indexName, dimension }).catch(() => undefined); // tables are the schema's
    for (let i = 0; i < sizes.vectors; i += 250) {
      const chunks = Array.from({ length: Math.min(250, sizes.vectors - i) }, (_, j) => chunk(dimension, i + j));
      const args = { indexName, ids: chunks.map((c) => c.id), vectors: chunks.map((c) => c.vector), metadata: chunks.map((c) => c.metadata) };
      await scan.upsert(args);
      await native.upsert(args);
    }
  }

  const query = (adapter: any, dimension: number, filter: boolean) => async () => {
    const args = {
      indexName: `docs${dimension}`,
      queryVector: queryVector(dimension, 1).vector,
      topK: SIZES.topK,
      ...(filter ? { filter: { lang: "en" } } : {}),
    };
    return measure(async () => {
      const results = await adapter.query(args);
      if (results.length !== SIZES.topK) throw new Error(`short result: ${results.length}`);
    });
  };
  const snap = snapshot(SIZES.snapshotBytes);
  const storage: Peer = {
    listMessages: () =>
      measure(() => memory.listMessages({ threadId: THREAD, perPage: SIZES.page, page: 0, orderBy: { field: "createdAt", direction: "DESC" } })),
    listThreads: () => measure(() => memory.listThreads({ filter: { resourceId: USER }, perPage: SIZES.page, page: 0 })),
    countMessages: () =>
      measure(async () => {
        const { total } = await memory.listMessages({ threadId: THREAD, perPage: 1, page: 0 });
        if (total !== SIZES.messages) throw new Error(`total ${total}`);
      }, "listMessages' `total`"),
    persistSnapshot: () => measure(() => workflows.persistWorkflowSnapshot({ workflowName: "bench", runId: "run-1", snapshot: snap })),
    loadSnapshot: () => measure(() => workflows.loadWorkflowSnapshot({ workflowName: "bench", runId: "run-1" })),
    deleteThread: () => measure(() => memory.deleteThread({ threadId: THREAD })),
  };
  const vectors = (adapter: any): Peer => ({
    query384: query(adapter, 384, false),
    query384filter: query(adapter, 384, true),
    query1536: query(adapter, 1536, false),
    query1536filter: query(adapter, 1536, true),
  });
  return {
    "@mastra/convex ConvexStore": storage,
    "@mastra/convex ConvexVector": vectors(scan),
    "@mastra/convex ConvexNativeVector": vectors(native),
  };
}

// ---------------------------------------------------------------------------
// @convex-dev/agent

export async function setUpAgent(sizes: { vectors: number } = SIZES): Promise<Peer> {
  const t = convexTest({ schema: agentSchema, modules: agentModules, transactionLimits: true }) as any;
  await installFastQueries(t); // index look-ups by hash map: seeding is not quadratic (results unchanged)
  agentTest.register(t);
  await t.mutation(ref("ops:seedThreads"), { userId: USER, count: SIZES.threads });
  const [thread] = await t.mutation(ref("ops:seedThreads"), { userId: USER, count: 1 });
  for (let i = 0; i < SIZES.messages; i += 500) {
    const texts = Array.from({ length: Math.min(500, SIZES.messages - i) }, (_, j) => messageText(i + j));
    await t.mutation(ref("ops:seedMessages"), { threadId: thread, userId: USER, texts });
  }
  // Messages with embeddings: the data set's chunks as a second user's messages, 1,000 per thread
  // (the agent searches a user's messages, or one thread's: that is its filter).
  const owner = `${USER}-rag`;
  const threads: string[] = await t.mutation(ref("ops:seedThreads"), { userId: owner, count: Math.ceil(sizes.vectors / 1000) });
  for (let i = 0; i < sizes.vectors; i += 250) {
    const chunks = Array.from({ length: Math.min(250, sizes.vectors - i) }, (_, j) => chunk(1536, i + j));
    await t.mutation(ref("ops:seedMessages"), {
      threadId: threads[Math.floor(i / 1000)],
      userId: owner,
      texts: chunks.map((c) => c.metadata.text),
      vectors: chunks.map((c) => c.vector),
    });
  }
  const search = (filter: boolean) => async () => {
    const args = { userId: owner, vector: queryVector(1536, 1).vector, limit: SIZES.topK, ...(filter ? { threadId: threads[0] } : {}) };
    return measure(async () => {
      const found = await t.action(ref("ops:vectorSearch"), args);
      if (found.length !== SIZES.topK) throw new Error(`short result: ${found.length}`);
    }, filter ? "filter: one thread of 1,000" : "a user's messages");
  };
  return {
    listMessages: () => measure(() => t.query(ref("ops:listMessagesPage"), { threadId: thread, paginationOpts: { numItems: SIZES.page, cursor: null } })),
    listThreads: () => measure(() => t.query(ref("ops:listThreadsPage"), { userId: USER, paginationOpts: { numItems: SIZES.page, cursor: null } })),
    countMessages: () =>
      measure(async () => {
        let cursor: string | null = null;
        let count = 0;
        for (;;) {
          const page: any = await t.query(ref("ops:listMessagesPage"), { threadId: thread, paginationOpts: { numItems: 1000, cursor } });
          count += page.page.length;
          if (page.isDone) break;
          cursor = page.continueCursor;
        }
        if (count !== SIZES.messages) throw new Error(`count ${count}`);
      }, "no count: pages through listMessages"),
    query384: async () => unsupported("no 384-dimension table"),
    query384filter: async () => unsupported("no 384-dimension table"),
    query1536: search(false),
    query1536filter: search(true),
    persistSnapshot: async () => unsupported("no workflow snapshots"),
    loadSnapshot: async () => unsupported("no workflow snapshots"),
    deleteThread: () =>
      measure(async () => {
        vi.useFakeTimers();
        try {
          await t.mutation(ref("ops:deleteThread"), { threadId: thread });
          await t.finishAllScheduledFunctions(vi.runAllTimers);
        } finally {
          vi.useRealTimers();
        }
      }, "deleteThreadAsync: scheduled pages"),
  };
}

// ---------------------------------------------------------------------------
// @convex-dev/rag

export async function setUpRag(sizes: { vectors: number } = SIZES): Promise<Peer> {
  const t = convexTest({ schema: ragSchema, modules: ragModules, transactionLimits: true }) as any;
  await installFastQueries(t); // index look-ups by hash map: seeding is not quadratic (results unchanged)
  ragTest.register(t);
  const perDocument = 40;
  for (let i = 0; i < sizes.vectors; i += perDocument) {
    const chunks = Array.from({ length: Math.min(perDocument, sizes.vectors - i) }, (_, j) => chunk(1536, i + j));
    await t.action(ref("ops:addDocument"), {
      namespace: "docs",
      key: chunks[0].metadata.source,
      dimension: 1536,
      lang: (i / perDocument) % 5 === 0 ? "de" : "en",
      chunks: chunks.map((c) => ({ text: c.metadata.text, embedding: c.vector })),
    });
  }
  const search = (filter: boolean) => async () =>
    measure(async () => {
      const found = await t.action(ref("ops:search"), {
        namespace: "docs",
        dimension: 1536,
        vector: queryVector(1536, 1).vector,
        limit: SIZES.topK,
        ...(filter ? { lang: "en" } : {}),
      });
      if (found.length !== SIZES.topK) throw new Error(`short result: ${found.length}`);
    }, filter ? "filter on the entry's lang" : undefined);
  const none = async () => unsupported("vector search only");
  return {
    listMessages: none,
    listThreads: none,
    countMessages: none,
    query384: async () => unsupported("no 384-dimension table"),
    query384filter: async () => unsupported("no 384-dimension table"),
    query1536: search(false),
    query1536filter: search(true),
    persistSnapshot: none,
    loadSnapshot: none,
    deleteThread: none,
  };
}

export type { Cost };
