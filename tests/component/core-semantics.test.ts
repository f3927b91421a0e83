import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { MAX_BATCH_BYTES, MAX_BATCH_ITEMS, MAX_DOCUMENT_BYTES, MAX_PAGE_SIZE } from "../../component/model/limits.js";
import { componentTest } from "../convex.js";
import { text } from "./core-fixtures.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

const later = (ms = 1_000) => vi.setSystemTime(Date.now() + ms);
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e) => e?.data?.code ?? String(e),
  );

async function withThread(resourceId = "r1", id = "t1") {
  const t = componentTest();
  await t.mutation(api.threads.saveThread, { id, resourceId, title: "first", metadata: { a: 1, b: 2 } });
  return t;
}

describe("threads", () => {
  test("saveThread upserts: createdAt kept, title and metadata replaced; ids are per owner", async () => {
    const t = await withThread();
    const created = await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" });
    expect(created).toEqual({
      id: "t1",
      resourceId: "r1",
      title: "first",
      metadata: { a: 1, b: 2 },
      createdAt: 1_700_000_000_000,
      updatedAt: 1_700_000_000_000,
    });
    later();
    const saved = await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r1", metadata: { c: 3 } });
    expect(saved).toEqual({ id: "t1", resourceId: "r1", metadata: { c: 3 }, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_001_000 });
    expect(await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" })).toEqual(saved);
    // Another owner's thread of the same id is its own thread.
    const theirs = await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r2", title: "theirs" });
    expect(theirs).toMatchObject({ id: "t1", resourceId: "r2", title: "theirs" });
    expect(await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" })).toEqual(saved);
    expect(await t.query(api.threads.countThreads, { resourceId: "r1" })).toBe(1);
    expect(await t.query(api.threads.countThreads, { resourceId: "r2" })).toBe(1);
    expect(await t.query(api.threads.getThread, { resourceId: "r1", id: "nope" })).toBeNull();
  });

  test("updateThread sets the title and merges metadata shallowly", async () => {
    const t = await withThread();
    later();
    const updated = await t.mutation(api.threads.updateThread, { resourceId: "r1", id: "t1", metadata: { b: 20, c: { d: 1 } } });
    expect(updated).toMatchObject({ title: "first", metadata: { a: 1, b: 20, c: { d: 1 } }, updatedAt: 1_700_000_001_000 });
    const retitled = await t.mutation(api.threads.updateThread, { resourceId: "r1", id: "t1", title: "second" });
    expect(retitled).toMatchObject({ title: "second", metadata: { a: 1, b: 20, c: { d: 1 } } });
    expect(await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" })).toEqual(retitled);
    expect(await code(t.mutation(api.threads.updateThread, { resourceId: "r1", id: "nope", title: "x" }))).toBe("NOT_FOUND");
  });

  test("listThreads orders by createdAt or updatedAt, both ways", async () => {
    const t = componentTest();
    for (const id of ["a", "b", "c"]) {
      await t.mutation(api.threads.saveThread, { id, resourceId: "r1" });
      later();
    }
    await t.mutation(api.threads.saveThread, { id: "other", resourceId: "r2" });
    await t.mutation(api.threads.updateThread, { resourceId: "r1", id: "a", title: "touched" });
    const list = async (args: object) =>
      (
        await t.query(api.threads.listThreads, { resourceId: "r1", paginationOpts: { numItems: 10, cursor: null }, ...args })
      ).page.map((th: { id: string }) => th.id);
    expect(await list({})).toEqual(["c", "b", "a"]);
    expect(await list({ order: "asc" })).toEqual(["a", "b", "c"]);
    expect(await list({ orderBy: "updatedAt" })).toEqual(["a", "c", "b"]);
    expect(await list({ orderBy: "updatedAt", order: "asc" })).toEqual(["b", "c", "a"]);
    const watched = await t.query(api.threads.watchThreadsByResource, { resourceId: "r1", limit: 2 });
    expect(watched.map((th: { id: string }) => th.id)).toEqual(["a", "c"]);
    expect(await code(t.query(api.threads.listThreads, { resourceId: "r1", paginationOpts: { numItems: 0, cursor: null } }))).toBe(
      "INVALID_ARGUMENT",
    );
  });

  test("watchThread shows the thread with its message count", async () => {
    const t = await withThread();
    await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [1, 2].map((i) => ({ id: `m${i}`, threadId: "t1", role: "user", content: text("x") })),
    });
    expect(await t.query(api.threads.watchThread, { resourceId: "r1", id: "t1" })).toMatchObject({ thread: { id: "t1" }, messageCount: 2 });
    expect(await t.query(api.threads.watchThread, { resourceId: "r1", id: "nope" })).toBeNull();
  });

  test("deleting a small thread finishes at once; the id is free again", async () => {
    const t = await withThread();
    await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [1, 2, 3].map((i) => ({ id: `m${i}`, threadId: "t1", role: "user", content: text("x") })),
    });
    await t.mutation(api.threads.deleteThread, { resourceId: "r1", id: "t1" });
    await t.mutation(api.threads.deleteThread, { resourceId: "r1", id: "t1" });
    const left = await t.run(async (ctx) => ({
      messages: await ctx.db.query("messages").take(10),
      markers: await ctx.db.query("threadDeletions").take(10),
      counters: await ctx.db.query("counters").take(10),
      jobs: await ctx.db.system.query("_scheduled_functions").take(10),
    }));
    expect(left).toEqual({ messages: [], markers: [], counters: [], jobs: [] });
    await t.mutation(api.threads.saveThread, { id: "t1", resourceId: "r1" });
    expect(await t.query(api.messages.countMessages, { resourceId: "r1", threadId: "t1" })).toBe(0);
  });
});

describe("messages", () => {
  test("saveMessages fills defaults from the thread, upserts by id and bumps the thread", async () => {
    const t = await withThread();
    later();
    const saved = await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [
        { id: "m1", threadId: "t1", role: "user", content: text("hi") },
        { id: "m2", threadId: "t1", role: "assistant", type: "v3", content: { format: 2, parts: [], content: "yo", metadata: { k: [1] } }, createdAt: 5 },
      ],
    });
    expect(saved).toEqual([
      { id: "m1", threadId: "t1", resourceId: "r1", role: "user", type: "v2", content: text("hi"), createdAt: 1_700_000_001_000 },
      { id: "m2", threadId: "t1", resourceId: "r1", role: "assistant", type: "v3", content: { format: 2, parts: [], content: "yo", metadata: { k: [1] } }, createdAt: 5 },
    ]);
    expect((await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" }))!.updatedAt).toBe(1_700_000_001_000);
    later();
    const [resaved] = await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [{ id: "m1", threadId: "t1", role: "user", content: text("hi again") }],
    });
    expect(resaved).toEqual({ ...saved[0], content: text("hi again") });
    expect(await t.query(api.messages.getMessagesByIds, { resourceId: "r1", ids: ["m2", "zzz", "m1", "m2"] })).toEqual([saved[1], resaved]);
    expect(await t.query(api.messages.countMessages, { resourceId: "r1", threadId: "t1" })).toBe(2);
    expect((await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" }))!.updatedAt).toBe(1_700_000_002_000);
  });

  test("saveMessages refusals are typed and write nothing", async () => {
    const t = await withThread();
    await t.mutation(api.threads.saveThread, { id: "t2", resourceId: "r2" });
    await t.mutation(api.messages.saveMessages, { resourceId: "r2", messages: [{ id: "theirs", threadId: "t2", role: "user", content: text("x") }] });
    const snapshot = () => t.run(async (ctx) => ({
      messages: await ctx.db.query("messages").take(100),
      threads: await ctx.db.query("threads").take(100),
      counters: await ctx.db.query("counters").take(100),
    }));
    const before = await snapshot();
    const ok = { id: "fine", threadId: "t1", role: "user", content: text("x") };
    const save = (messages: unknown[]) => code(t.mutation(api.messages.saveMessages, { resourceId: "r1", messages }));

    expect(await save([ok, { ...ok, id: "m", threadId: "missing" }])).toBe("NOT_FOUND");
    // Another owner's thread is simply not one of the caller's threads.
    expect(await save([ok, { ...ok, id: "m", threadId: "t2" }])).toBe("NOT_FOUND");
    expect(await save([ok, ok])).toBe("INVALID_ARGUMENT");
    expect(await save([ok, { ...ok, id: "m", content: { format: 2, parts: ["not an object"] } }])).toBe("INVALID_ARGUMENT");
    expect(await save([ok, { ...ok, id: "m", createdAt: Number.NaN }])).toBe("INVALID_ARGUMENT");
    const many = Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) => ({ ...ok, id: `many-${i}` }));
    const tooMany = await t.mutation(api.messages.saveMessages, { resourceId: "r1", messages: many }).catch((e) => e);
    expect(tooMany.data).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "batchItems", max: MAX_BATCH_ITEMS, actual: MAX_BATCH_ITEMS + 1 });
    expect(tooMany.data.message).toMatch(/split them into batches of 1000 or fewer/);
    const big = "x".repeat(MAX_DOCUMENT_BYTES + 10);
    expect(await save([ok, { ...ok, id: "m", content: { format: 2, parts: [], content: big } }])).toBe("LIMIT_EXCEEDED");
    const chunk = "y".repeat(900_000);
    const heavy = Array.from({ length: Math.ceil(MAX_BATCH_BYTES / 900_000) + 1 }, (_, i) => ({
      ...ok,
      id: `heavy-${i}`,
      content: { format: 2, parts: [], content: chunk },
    }));
    const tooBig = await t.mutation(api.messages.saveMessages, { resourceId: "r1", messages: heavy }).catch((e) => e);
    expect(tooBig.data).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "batchBytes", max: MAX_BATCH_BYTES });
    expect(tooBig.data.message).toMatch(/split them into smaller batches/);
    // Wrong types and unknown roles are refused by the argument validators.
    await expect(save([{ ...ok, role: "robot" }])).resolves.toMatch(/Validator error/);
    await expect(save([{ ...ok, content: { format: 3, parts: [] } }])).resolves.toMatch(/Validator error/);
    await expect(save([{ ...ok, id: 7 }])).resolves.toMatch(/Validator error/);

    expect(await snapshot()).toEqual(before);
  });

  test("updateMessages changes the fields given; all-or-nothing", async () => {
    const t = await withThread();
    await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [1, 2].map((i) => ({ id: `m${i}`, threadId: "t1", role: "user", content: text(`${i}`), createdAt: i })),
    });
    expect(await code(t.mutation(api.messages.updateMessages, { resourceId: "r1", messages: [{ id: "m1", role: "tool" }, { id: "gone", role: "tool" }] }))).toBe(
      "NOT_FOUND",
    );
    expect((await t.query(api.messages.getMessagesByIds, { resourceId: "r1", ids: ["m1"] }))[0].role).toBe("user");
    later();
    const updated = await t.mutation(api.messages.updateMessages, {
      resourceId: "r1",
      messages: [{ id: "m1", role: "system", type: "custom", content: text("new") }, { id: "m2", createdAt: 0 }],
    });
    expect(updated).toEqual([
      { resourceId: "r1", id: "m1", threadId: "t1", role: "system", type: "custom", content: text("new"), createdAt: 1 },
      { id: "m2", threadId: "t1", resourceId: "r1", role: "user", type: "v2", content: text("2"), createdAt: 0 },
    ]);
    const page = await t.query(api.messages.listMessages, { resourceId: "r1", threadId: "t1", paginationOpts: { numItems: 10, cursor: null } });
    expect(page.page.map((m: { id: string }) => m.id)).toEqual(["m2", "m1"]);
    expect((await t.query(api.threads.getThread, { resourceId: "r1", id: "t1" }))!.updatedAt).toBe(1_700_000_001_000);
  });

  test("deleteMessages deletes what exists and says how many", async () => {
    const t = await withThread();
    await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [1, 2, 3].map((i) => ({ id: `m${i}`, threadId: "t1", role: "user", content: text(`${i}`) })),
    });
    expect(await t.mutation(api.messages.deleteMessages, { resourceId: "r1", ids: ["m1", "m3", "m3", "nope"] })).toBe(2);
    expect(await t.query(api.messages.countMessages, { resourceId: "r1", threadId: "t1" })).toBe(1);
    expect(await t.mutation(api.messages.deleteMessages, { resourceId: "r1", ids: ["m1"] })).toBe(0);
  });

  test("listMessagesByResource spans the resource's threads and skips deleted ones", async () => {
    const t = await withThread();
    await t.mutation(api.threads.saveThread, { id: "t2", resourceId: "r1" });
    await t.mutation(api.threads.saveThread, { id: "t3", resourceId: "r2" });
    await t.mutation(api.messages.saveMessages, { resourceId: "r2", messages: [{ id: "c", threadId: "t3", role: "user", content: text("c"), createdAt: 3 }] });
    await t.mutation(api.messages.saveMessages, {
      resourceId: "r1",
      messages: [
        { id: "a", threadId: "t1", role: "user", content: text("a"), createdAt: 1 },
        { id: "b", threadId: "t2", role: "user", content: text("b"), createdAt: 2 },
        { id: "d", threadId: "t1", role: "user", content: text("d"), createdAt: 4 },
      ],
    });
    const list = async (order?: "asc" | "desc") =>
      (await t.query(api.messages.listMessagesByResource, { resourceId: "r1", order, paginationOpts: { numItems: 10, cursor: null } })).page.map(
        (m: { id: string }) => m.id,
      );
    expect(await list()).toEqual(["a", "b", "d"]);
    expect(await list("desc")).toEqual(["d", "b", "a"]);
    await t.mutation(api.threads.deleteThread, { resourceId: "r1", id: "t2" });
    expect(await list()).toEqual(["a", "d"]);
  });

  test("page sizes and limits are integers from 1 to their maximum", async () => {
    const t = await withThread();
    const page = await t.query(api.messages.listMessages, { resourceId: "r1", threadId: "t1", paginationOpts: { numItems: MAX_PAGE_SIZE, cursor: null } });
    // splitCursor and pageStatus pass through as paginate returns them (null: the page was not cut short).
    expect(page).toEqual({ page: [], isDone: true, continueCursor: expect.any(String), splitCursor: null, pageStatus: null, included: [] });
    for (const bad of [0, -1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, MAX_PAGE_SIZE + 1]) {
      const paginationOpts = { numItems: bad, cursor: null };
      expect(await code(t.query(api.messages.listMessages, { resourceId: "r1", threadId: "t1", paginationOpts }))).toBe("INVALID_ARGUMENT");
      expect(await code(t.query(api.threads.listThreads, { resourceId: "r1", paginationOpts }))).toBe("INVALID_ARGUMENT");
      expect(await code(t.query(api.messages.watchMessages, { resourceId: "r1", threadId: "t1", limit: bad }))).toBe("INVALID_ARGUMENT");
      expect(await code(t.query(api.threads.watchThreadsByResource, { resourceId: "r1", limit: bad }))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("resources", () => {
  test("save replaces, update merges (and creates), get returns the clean object", async () => {
    const t = componentTest();
    expect(await t.query(api.resources.getResource, { resourceId: "r1" })).toBeNull();
    const created = await t.mutation(api.resources.updateResource, { resourceId: "r1", workingMemory: "# Notes", metadata: { a: 1 } });
    expect(created).toEqual({ id: "r1", workingMemory: "# Notes", metadata: { a: 1 }, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000 });
    later();
    const merged = await t.mutation(api.resources.updateResource, { resourceId: "r1", metadata: { b: 2 } });
    expect(merged).toEqual({ ...created, metadata: { a: 1, b: 2 }, updatedAt: 1_700_000_001_000 });
    const replaced = await t.mutation(api.resources.saveResource, { resourceId: "r1", metadata: { c: 3 } });
    expect(replaced).toEqual({ id: "r1", metadata: { c: 3 }, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_001_000 });
    expect(await t.query(api.resources.getResource, { resourceId: "r1" })).toEqual(replaced);
    const huge = "z".repeat(MAX_DOCUMENT_BYTES + 1);
    expect(await code(t.mutation(api.resources.updateResource, { resourceId: "r1", workingMemory: huge }))).toBe("LIMIT_EXCEEDED");
    expect(await t.query(api.resources.getResource, { resourceId: "r1" })).toEqual(replaced);
  });
});
