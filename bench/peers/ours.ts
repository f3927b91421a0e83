/**
 * This project's side of bench/peers: the component under convex-test (transaction
 * limits on), seeded with bench/peers/data.ts, and the benchmark's operations as a user
 * calls them. tests/component/cost-figures.test.ts runs the same and fails when a figure grows.
 */
import { vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { componentTest } from "../../tests/convex.js";
import { chunk, DIMENSIONS, messageText, queryVector, SIZES, snapshot, THREAD, USER } from "./data.js";
import { measure, type Cost } from "./measure.js";
import { ROWS } from "./table.js";

/** The benchmark's operations, in table order (labels and physical limits: table.ts). */
export const OPERATIONS = ROWS;
export type OperationKey = (typeof OPERATIONS)[number]["key"];

export type Peer = Partial<Record<OperationKey, () => Promise<Cost>>>;

const indexName = (dimension: number) => `docs-${dimension}`;
const SNAPSHOT_TEXT = JSON.stringify(snapshot(SIZES.snapshotBytes));

/** Seeds the component; returns the operations. `fastQueries` (the local backend's index maps) speeds seeding. */
export async function setUpOurs(
  sizes: { vectors: number } = SIZES,
  fastQueries?: (t: ReturnType<typeof componentTest>) => Promise<unknown>,
): Promise<Peer> {
  const t = componentTest(true);
  await fastQueries?.(t);
  for (let i = 0; i < SIZES.threads; i++) await t.mutation(api.threads.saveThread, { id: `thread-${i}`, resourceId: USER });
  await t.mutation(api.threads.saveThread, { id: THREAD, resourceId: USER });
  for (let i = 0; i < SIZES.messages; i += 1000) {
    const messages = Array.from({ length: Math.min(1000, SIZES.messages - i) }, (_, j) => ({
      id: `m-${i + j}`,
      threadId: THREAD,
      role: "user" as const,
      content: { format: 2, parts: [{ type: "text", text: messageText(i + j) }] },
      createdAt: 1_700_000_000_000 + i + j,
    }));
    await t.mutation(api.messages.saveMessages, { resourceId: USER, messages });
  }
  for (const dimension of DIMENSIONS) {
    await t.mutation(api.vectors.createIndex, { name: indexName(dimension), dimension, filterableKeys: ["lang"] });
    const batch = dimension > 1024 ? 500 : 1000;
    for (let i = 0; i < sizes.vectors; i += batch) {
      // Ids left to the server: no look-up per vector (convex-test scans a table for each).
      const vectors = Array.from({ length: Math.min(batch, sizes.vectors - i) }, (_, j) => {
        const c = chunk(dimension, i + j);
        return { vector: c.packed, metadata: c.metadata };
      });
      await t.mutation(api.vectors.upsert, { indexName: indexName(dimension), vectors });
    }
  }

  const query = async (dimension: number, filter: boolean) => {
    const args = {
      indexName: indexName(dimension),
      queryVector: queryVector(dimension, 1).packed,
      topK: SIZES.topK,
      ...(filter ? { filter: JSON.stringify({ lang: "en" }) } : {}),
    };
    await t.action(api.vectors.query, args); // the action has seen the index: steady state
    return measure(async () => {
      const result = await t.action(api.vectors.query, args);
      if (result.results.length !== SIZES.topK) throw new Error("short result");
    });
  };
  return {
    listMessages: () =>
      measure(() => t.query(api.messages.listMessages, { resourceId: USER, threadId: THREAD, paginationOpts: { numItems: SIZES.page, cursor: null } })),
    listThreads: () =>
      measure(() => t.query(api.threads.listThreads, { resourceId: USER, paginationOpts: { numItems: SIZES.page, cursor: null } })),
    countMessages: () => measure(() => t.query(api.messages.countMessages, { resourceId: USER, threadId: THREAD })),
    query384: () => query(384, false),
    query384filter: () => query(384, true),
    query1536: () => query(1536, false),
    query1536filter: () => query(1536, true),
    persistSnapshot: () =>
      measure(() => t.mutation(api.workflows.persistWorkflowSnapshot, {
          resourceId: USER,
          workflowName: "bench",
          runId: "run-1",
          snapshot: SNAPSHOT_TEXT,
        })),
    loadSnapshot: () =>
      measure(async () => {
        const loaded = await t.query(api.workflows.loadWorkflowSnapshot, { resourceId: USER, workflowName: "bench", runId: "run-1" });
        if (loaded !== SNAPSHOT_TEXT) throw new Error("snapshot changed");
      }),
    deleteThread: async () => {
      const cost = await measure(async () => {
        vi.useFakeTimers();
        try {
          await t.mutation(api.threads.deleteThread, { resourceId: USER, id: THREAD });
          await t.finishAllScheduledFunctions(vi.runAllTimers);
        } finally {
          vi.useRealTimers();
        }
      }, "one batch now, the rest scheduled");
      if ((await t.query(api.messages.countMessages, { resourceId: USER, threadId: THREAD })) !== 0) throw new Error("not deleted");
      return cost;
    },
  };
}
