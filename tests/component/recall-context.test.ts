import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { groupContext, readContext, type HitContext } from "../../component/model/recallContext.js";
import { componentTest } from "../convex.js";
import { recordTransactions } from "../transactionMetrics.js";
import { text } from "./core-fixtures.js";

const R = "owner";

/** A thread of `n` messages `${thread}-<i>`, some sharing a createdAt (insertion order breaks ties). */
async function thread(t: ReturnType<typeof componentTest>, id: string, n: number, resourceId = R) {
  await t.mutation(api.threads.saveThread, { resourceId, id });
  const messages = Array.from({ length: n }, (_, i) => ({
    id: `${id}-${i}`,
    threadId: id,
    role: "user" as const,
    content: text(`${id} message ${i}`),
    createdAt: 1_000 + Math.floor(i / 3) * 10, // three messages per time
  }));
  await t.mutation(api.messages.saveMessages, { resourceId, messages });
}

const ids = (c: HitContext) => ({
  hit: c.hit?.message.id,
  before: c.before.map((p) => p.message.id),
  after: c.after.map((p) => p.message.id),
});

describe("readContext", () => {
  test("each hit with its neighbours in thread order, across equal createdAt; reads exactly those", async () => {
    const t = componentTest();
    await thread(t, "a", 12);
    await thread(t, "b", 4);
    const { result, transactions } = await recordTransactions(() =>
      t.run((ctx) =>
        readContext(ctx.db, {
          resourceId: R,
          hits: [{ key: "a-4" }, { key: "b-0" }, { key: "a-11" }, { key: "missing" }],
          before: 2,
          after: 3,
        }),
      ),
    );
    expect(result.truncated).toBe(false);
    expect(result.hits.map(ids)).toEqual([
      { hit: "a-4", before: ["a-3", "a-2"], after: ["a-5", "a-6", "a-7"] },
      { hit: "b-0", before: [], after: ["b-1", "b-2", "b-3"] },
      { hit: "a-11", before: ["a-10", "a-9"], after: [] },
      { hit: undefined, before: [], after: [] },
    ]);
    expect(result.documentsRead).toBe(3 + 5 + 3 + 2);
    expect(transactions[0].documentsRead).toBe(result.documentsRead);
  });

  test("another owner's message is not found; a thread being deleted is skipped", async () => {
    const t = componentTest();
    await thread(t, "a", 3);
    await thread(t, "a", 3, "other");
    await t.run(async (ctx) => {
      await ctx.db.insert("threadDeletions", { resourceId: R, threadId: "a", startedAt: 0 });
    });
    const read = await t.run((ctx) => readContext(ctx.db, { resourceId: R, hits: [{ key: "a-1" }], before: 1, after: 1 }));
    expect(read.hits.map(ids)).toEqual([{ hit: undefined, before: [], after: [] }]);
    const other = await t.run((ctx) =>
      readContext(ctx.db, { resourceId: "other", hits: [{ key: "a-1" }], before: 1, after: 1 }),
    );
    expect(other.hits.map(ids)).toEqual([{ hit: "a-1", before: ["a-0"], after: ["a-2"] }]);
  });

  test("the byte budget stops the read and says so", async () => {
    const t = componentTest();
    await thread(t, "a", 30);
    const read = await t.run((ctx) =>
      readContext(ctx.db, {
        resourceId: R,
        hits: [{ key: "a-5" }, { key: "a-20" }],
        before: 5,
        after: 5,
        byteBudget: 2_000,
      }),
    );
    expect(read.truncated).toBe(true);
    const [first] = read.hits;
    expect(first.hit?.message.id).toBe("a-5");
    expect(read.documentsRead).toBeLessThan(11);
  });
});

describe("groupContext", () => {
  test("overlapping ranges merge, threads by their earliest message, hits best first", async () => {
    const t = componentTest();
    await thread(t, "a", 20);
    await thread(t, "b", 5);
    const hits = [{ key: "a-10" }, { key: "b-2" }, { key: "a-12" }, { key: "a-2" }, { key: "a-16" }];
    const read = await t.run((ctx) => readContext(ctx.db, { resourceId: R, hits, before: 1, after: 1 }));
    const groups = groupContext(read.hits, [0.9, 0.8, 0.7, 0.6, 0.5]);
    expect(
      groups.map((g) => ({ thread: g.threadId, score: g.score, hits: g.hitIds, messages: g.messages.map((m) => m.id) })),
    ).toEqual([
      { thread: "a", score: 0.6, hits: ["a-2"], messages: ["a-1", "a-2", "a-3"] },
      { thread: "a", score: 0.9, hits: ["a-10", "a-12"], messages: ["a-9", "a-10", "a-11", "a-12", "a-13"] },
      { thread: "a", score: 0.5, hits: ["a-16"], messages: ["a-15", "a-16", "a-17"] },
      { thread: "b", score: 0.8, hits: ["b-2"], messages: ["b-1", "b-2", "b-3"] },
    ]);
  });
});
