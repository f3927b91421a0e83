import { afterEach, describe, expect, test, vi } from "vitest";
import { anyApi, componentsGeneric } from "convex/server";
import { appTest, runInComponent, SERVICE, userIdentity } from "../convex.js";
import { makeMessage, messageId, seedThread, seedThreads, text, type Run } from "../component/core-fixtures.js";

// Through the example app as a client would, and through the component directly.
const app = anyApi.memory;
const component = componentsGeneric().agentMemory as any;

const ALICE = userIdentity("alice");
const PAGE = 50;

function setUp(limits: Parameters<typeof appTest>[0]) {
  const t = appTest(limits);
  const run: Run = (fn) => runInComponent(t, fn as any);
  return { t, run, alice: t.withIdentity(ALICE), service: t.withIdentity(SERVICE) };
}

describe("a page costs its own size in reads", () => {
  test("listMessages on a 5,000-message thread beside 20,000 others, listThreads among 10,000 others", async () => {
    const { t, run, alice, service } = setUp({ documentsRead: PAGE + 10 });
    await seedThread(run, { threadId: "big", resourceId: "alice", messages: 5_000 });
    for (let k = 0; k < 4; k++) {
      await seedThread(run, { threadId: `other-${k}`, resourceId: `bob-${k}`, messages: 5_000 });
    }
    await seedThreads(run, { resourceId: "crowd", count: 10_000 });
    await seedThreads(run, { resourceId: "alice", count: 120, prefix: "alice-t" });

    // The budget is real: reading page size + 11 documents in one transaction fails.
    await expect(run(({ db }) => db.query("messages").take(PAGE + 11))).rejects.toThrow(/too many documents/);

    const ids = (page: Array<{ id: string }>) => page.map((m) => m.id);
    const expected = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => messageId("big", from + i));

    for (const caller of [alice, service, t]) {
      const fn = caller === t ? component.messages.listMessages : app.listMessages;
      const first = await caller.query(fn, { resourceId: "alice", threadId: "big", paginationOpts: { numItems: PAGE, cursor: null } });
      expect(ids(first.page)).toEqual(expected(0, PAGE));
      expect(first.isDone).toBe(false);
      const second = await caller.query(fn, {
        resourceId: "alice",
        threadId: "big",
        paginationOpts: { numItems: PAGE, cursor: first.continueCursor },
      });
      expect(ids(second.page)).toEqual(expected(PAGE, 2 * PAGE));
      const newest = await caller.query(fn, {
        resourceId: "alice",
        threadId: "big",
        order: "desc",
        paginationOpts: { numItems: PAGE, cursor: null },
      });
      expect(ids(newest.page)).toEqual(expected(5_000 - PAGE, 5_000).reverse());
      const ranged = await caller.query(fn, {
        resourceId: "alice",
        threadId: "big",
        startDate: 1_000_000 + 2_000,
        endDate: 1_000_000 + 2_009,
        paginationOpts: { numItems: PAGE, cursor: null },
      });
      expect(ids(ranged.page)).toEqual(expected(2_000, 2_010));
      expect(ranged.isDone).toBe(true);
    }

    for (const caller of [alice, t]) {
      const call = (name: string, module: string, args: Record<string, unknown>) =>
        caller === t ? t.query(component[module][name], args) : alice.query(app[name], args);
      const threads = await call("listThreads", "threads", { resourceId: "alice", paginationOpts: { numItems: PAGE, cursor: null } });
      expect(threads.page).toHaveLength(PAGE);
      expect(threads.page.every((th: { resourceId: string }) => th.resourceId === "alice")).toBe(true);
      const byUpdate = await call("listThreads", "threads", {
        resourceId: "alice",
        orderBy: "updatedAt",
        order: "asc",
        paginationOpts: { numItems: PAGE, cursor: null },
      });
      expect(byUpdate.page).toHaveLength(PAGE);
      const watched = await call("watchThreadsByResource", "threads", { resourceId: "alice", limit: PAGE });
      expect(watched).toHaveLength(PAGE);
      const latest = await call("watchMessages", "messages", { resourceId: "alice", threadId: "big", limit: PAGE });
      expect(ids(latest)).toEqual(expected(5_000 - PAGE, 5_000));
      const byResource = await call("listMessagesByResource", "messages", {
        resourceId: "alice",
        paginationOpts: { numItems: PAGE, cursor: null },
      });
      expect(ids(byResource.page)).toEqual(expected(0, PAGE));
    }
  });
});

test("counts cost O(1) reads and stay exact after inserts, re-saves and deletes", async () => {
  // convex-test reads this object at the start of every transaction: the counts run
  // under a 5-read budget, the writes between them under Convex's own limits.
  const budget = { documentsRead: 32_000 };
  const { t, run, alice, service } = setUp(budget);
  await seedThread(run, { threadId: "big", resourceId: "alice", messages: 5_000 });
  await seedThread(run, { threadId: "side", resourceId: "alice", messages: 10 });
  await seedThreads(run, { resourceId: "crowd", count: 10_000 });

  const counts = async (expected: { big: number; side: number; aliceThreads: number; crowdThreads: number }) => {
    budget.documentsRead = 5;
    try {
      await expect(run(({ db }) => db.query("messages").take(6))).rejects.toThrow(/too many documents/);
      for (const caller of [alice, service]) {
        expect(await caller.query(app.countMessages, { resourceId: "alice", threadId: "big" })).toBe(expected.big);
        expect(await caller.query(app.countMessages, { resourceId: "alice", threadId: "side" })).toBe(expected.side);
        expect(await caller.query(app.countThreads, { resourceId: "alice" })).toBe(expected.aliceThreads);
      }
      expect(await service.query(app.countThreads, { resourceId: "crowd" })).toBe(expected.crowdThreads);
      expect(await t.query(component.messages.countMessages, { resourceId: "alice", threadId: "big" })).toBe(expected.big);
      expect(await t.query(component.threads.countThreads, { resourceId: "crowd" })).toBe(expected.crowdThreads);
    } finally {
      budget.documentsRead = 32_000;
    }
  };
  await counts({ big: 5_000, side: 10, aliceThreads: 2, crowdThreads: 10_000 });

  const save = (messages: unknown[]) => alice.mutation(app.saveMessages, { resourceId: "alice", messages });
  await save([0, 1, 2].map((i) => ({ id: `new-${i}`, threadId: "big", role: "user", content: text(`n${i}`) })));
  await counts({ big: 5_003, side: 10, aliceThreads: 2, crowdThreads: 10_000 });

  // Re-saving existing ids changes nothing but those messages.
  await save([
    { id: messageId("big", 7), threadId: "big", role: "assistant", content: text("edited") },
    { id: "new-1", threadId: "big", role: "user", content: text("edited too") },
  ]);
  await t.mutation(component.messages.saveMessages, {
    resourceId: "alice",
    messages: [{ id: messageId("big", 7), threadId: "big", role: "assistant", content: text("edited twice") }],
  });
  await counts({ big: 5_003, side: 10, aliceThreads: 2, crowdThreads: 10_000 });

  // Moving a message to another thread moves it between the counts.
  await save([{ id: messageId("big", 8), threadId: "side", role: "user", content: text("moved") }]);
  await counts({ big: 5_002, side: 11, aliceThreads: 2, crowdThreads: 10_000 });

  await alice.mutation(app.deleteMessages, { resourceId: "alice", ids: [messageId("big", 9)] });
  await t.mutation(component.messages.deleteMessages, { resourceId: "alice", ids: ["new-0", "never-existed"] });
  await alice.mutation(app.deleteMessages, { resourceId: "alice", ids: [messageId("big", 9)] }); // already gone: no change
  await counts({ big: 5_000, side: 11, aliceThreads: 2, crowdThreads: 10_000 });

  await service.mutation(app.saveThread, { id: "crowd-new", resourceId: "crowd" });
  await service.mutation(app.saveThread, { id: "crowd-new", resourceId: "crowd", title: "re-saved" });
  await t.mutation(component.threads.deleteThread, { resourceId: "crowd", id: "crowd-t5" });
  await counts({ big: 5_000, side: 11, aliceThreads: 2, crowdThreads: 10_000 });
  await service.mutation(app.deleteThread, { resourceId: "crowd", id: "crowd-t6" });
  await service.mutation(app.deleteThread, { resourceId: "crowd", id: "crowd-t6" }); // already gone: no change
  await counts({ big: 5_000, side: 11, aliceThreads: 2, crowdThreads: 9_999 });
});

describe("deleteThread", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("a thread of 20,000 messages goes in scheduled batches, within every limit", async () => {
    vi.useFakeTimers();
    const { t, run, alice } = setUp(true);
    await seedThread(run, { threadId: "huge", resourceId: "alice", messages: 20_000 });
    await seedThread(run, { threadId: "kept", resourceId: "alice", messages: 1_500 });
    expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "huge" })).toBe(20_000);

    await alice.mutation(app.deleteThread, { resourceId: "alice", id: "huge" });

    // Gone for readers at once, while batches are still pending.
    expect(await alice.query(app.getThread, { resourceId: "alice", id: "huge" })).toBeNull();
    expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "huge" })).toBe(0);
    expect(await alice.query(app.countThreads, { resourceId: "alice" })).toBe(1);
    const empty = await alice.query(app.listMessages, { resourceId: "alice", threadId: "huge", paginationOpts: { numItems: 10, cursor: null } });
    expect(empty).toEqual({ page: [], isDone: true, continueCursor: "", included: [] });
    expect(await alice.query(app.watchMessages, { resourceId: "alice", threadId: "huge" })).toEqual([]);
    expect(await alice.query(app.getMessagesByIds, { resourceId: "alice", ids: [messageId("huge", 19_999)] })).toEqual([]);
    const leftBefore = await run(({ db }) =>
      db.query("messages").withIndex("by_thread_created", (q) => q.eq("resourceId", "alice").eq("threadId", "huge")).take(1),
    );
    expect(leftBefore).toHaveLength(1);
    // The id cannot be reused until the old messages are gone.
    await expect(alice.mutation(app.saveThread, { id: "huge", resourceId: "alice" })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });

    await t.finishAllScheduledFunctions(vi.runAllTimers);

    const after = await run(async ({ db }) => ({
      left: await db.query("messages").withIndex("by_thread_created", (q) => q.eq("resourceId", "alice").eq("threadId", "huge")).take(1),
      markers: await db.query("threadDeletions").take(1),
      jobs: await db.system.query("_scheduled_functions").take(100),
    }));
    expect(after.left).toEqual([]);
    expect(after.markers).toEqual([]);
    // 1,000 deleted inline, then 19 batches of 1,000 and the one that finds nothing left.
    expect(after.jobs.length).toBeGreaterThanOrEqual(19);
    expect(after.jobs.every((job) => job.state.kind === "success")).toBe(true);

    expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "kept" })).toBe(1_500);
    const kept = await alice.query(app.listMessages, { resourceId: "alice", threadId: "kept", paginationOpts: { numItems: 1_000, cursor: null } });
    expect(kept.page).toHaveLength(1_000);
    // And now the id is free again.
    await alice.mutation(app.saveThread, { id: "huge", resourceId: "alice" });
    expect(await alice.query(app.countMessages, { resourceId: "alice", threadId: "huge" })).toBe(0);
  });
});

test("seeding helper matches saveMessages", () => {
  expect(makeMessage("t", "r", 3)).toMatchObject({ id: "t-m000003", role: "assistant", type: "v2", createdAt: 1_000_003 });
});
