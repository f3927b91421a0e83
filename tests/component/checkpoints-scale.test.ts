/// <reference types="vite/client" />
/**
 * A thread of 10,000 checkpoints: put through the component's own function,
 * listed back whole in pages that each read their own size + 3 documents,
 * filtered by metadata through the index, and deleted in bounded batches.
 * (convex-test answers index ranges by scanning; the local backend's index maps
 * make the 10,000 puts take seconds instead of minutes, results unchanged.)
 */
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import * as C from "../../component/model/checkpointReads.js";
import { installFastQueries } from "../../local_backend/fast_queries.js";
import { componentTest } from "../convex.js";

const N = 10_000;
const PAGE = 500;
const thread = { resourceId: "alice", threadId: "big" };
const id = (i: number) => `cp-${String(i).padStart(6, "0")}`;
const t = componentTest(true);

/** Documents read by `fn` inside one transaction (convex-test's own metrics). */
async function readsOf<R>(fn: (ctx: any) => Promise<R>): Promise<{ result: R; reads: number }> {
  const metrics = async () =>
    JSON.parse(await (globalThis as any).Convex.asyncSyscall("1.0/getTransactionMetrics", "{}")).documentsRead.used as number;
  return t.run(async (ctx) => {
    const before = await metrics();
    const result = await fn(ctx);
    return { result, reads: (await metrics()) - before };
  });
}

beforeAll(async () => {
  expect(await installFastQueries(t as any)).toBe(true);
  vi.useFakeTimers();
  for (let i = 0; i < N; i++) {
    await t.mutation(api.checkpoints.putCheckpoint, {
      ...thread,
      checkpointNs: "",
      checkpointId: id(i),
      ...(i === 0 ? {} : { parentCheckpointId: id(i - 1) }),
      type: "msgpack",
      checkpoint: new TextEncoder().encode(`checkpoint ${i}`).buffer,
      metadata: JSON.stringify({ source: i === 0 ? "input" : "loop", step: i - 1, parents: {}, run_id: `run-${Math.floor(i / 1000)}` }),
      channelVersions: [
        { channel: "messages", version: String(i) },
        { channel: "config", version: "0" },
      ],
      blobs: [
        { channel: "messages", version: String(i), type: "msgpack", data: new TextEncoder().encode(`message ${i}`).buffer },
        ...(i === 0 ? [{ channel: "config", version: "0", type: "msgpack", data: new TextEncoder().encode("config").buffer }] : []),
      ],
    });
  }
}, 300_000);

afterAll(() => {
  vi.useRealTimers();
});

test("10,000 checkpoints list back newest first; a page reads its size + 3 documents", async () => {
  expect(await t.query(api.checkpoints.countCheckpoints, { ...thread, checkpointNs: "" })).toBe(N);
  const seen: string[] = [];
  let cursor: string | null = null;
  for (;;) {
    const { result, reads }: { result: any; reads: number } = await readsOf((ctx) =>
      C.listCheckpoints(ctx.db, { ...thread, checkpointNs: "", paginationOpts: { numItems: PAGE, cursor } }),
    );
    // thread + namespace + the page + one more row to know whether the list goes on.
    expect(reads).toBe(result.page.length + (result.isDone ? 2 : 3));
    seen.push(...result.page.map((row: any) => row.checkpointId));
    if (result.isDone) break;
    cursor = result.continueCursor;
  }
  expect(seen).toEqual(Array.from({ length: N }, (_, i) => id(N - 1 - i)));

  // A filter is an index range: the checkpoints of one run, whatever the thread's size.
  const { result: run, reads } = await readsOf((ctx) =>
    C.listCheckpoints(ctx.db, { ...thread, checkpointNs: "", filter: JSON.stringify({ run_id: "run-7" }), paginationOpts: { numItems: 1000, cursor: null } }),
  );
  expect(run.page.map((row: any) => row.checkpointId)).toEqual(Array.from({ length: 1000 }, (_, i) => id(7999 - i)));
  expect(reads).toBe(2 + 2 * 1000); // thread, namespace, the run's 1,000 tags and their rows

  // A checkpoint in the middle comes back with the blob of each of its channel versions.
  const middle = await t.query(api.checkpoints.getCheckpoint, { ...thread, checkpointNs: "", checkpointId: id(4321) });
  expect(middle.checkpoint.parentCheckpointId).toBe(id(4320));
  expect(middle.blobs.map((b: any) => new TextDecoder().decode(b.data)).sort()).toEqual(["config", "message 4321"]);
}, 300_000);

test("deleting the thread: gone at once, then purged in batches of at most 1,000 documents", async () => {
  await t.mutation(api.checkpoints.deleteCheckpointThread, thread);
  expect(await t.query(api.checkpoints.getCheckpoint, { ...thread, checkpointNs: "" })).toBeNull();
  expect(await t.query(api.checkpoints.countCheckpoints, { ...thread, checkpointNs: "" })).toBe(0);
  await t.finishAllScheduledFunctions(vi.runAllTimers);
  const left = await t.run(async (ctx) => ({
    checkpoints: (await ctx.db.query("checkpoints").take(1)).length,
    tags: (await ctx.db.query("checkpointTags").take(1)).length,
    blobs: (await ctx.db.query("checkpointBlobs").take(1)).length,
    jobs: await ctx.db.system.query("_scheduled_functions").collect(),
  }));
  expect([left.checkpoints, left.tags, left.blobs]).toEqual([0, 0, 0]);
  // 10,000 checkpoints + 40,000 tags + 10,001 blobs + 1 namespace, 1,000 per batch (every one within the production limits).
  expect(left.jobs.every((job: any) => job.state.kind === "success")).toBe(true);
  expect(left.jobs.length).toBeGreaterThanOrEqual(61);
  expect(left.jobs.length).toBeLessThanOrEqual(70);
}, 300_000);
