/**
 * Recall's behaviour on small data: embeddings written with messages and later,
 * kept, moved and dropped with their messages; the scope of a search (owner, thread,
 * excluded thread, minScore); hybrid recall; deleting a thread removes its
 * embeddings (recall no longer returns them, counts exact, also through the scheduled
 * batches); refusals.
 */
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { DELETE_BATCH_SIZE } from "../../component/model/limits.js";
import type { RecallResult } from "../../component/model/recall.js";
import { readCounter } from "../../component/model/counters.js";
import { deletingEmbeddingsKey, MAX_EMBEDDING_BYTES_PER_CALL } from "../../component/model/recallEmbeddings.js";
import { componentTest, codeOf } from "../convex.js";
import { text } from "./core-fixtures.js";

const DIM = 128;
const R = "owner";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(1_700_000_000_000);
});
afterEach(() => vi.useRealTimers());

/** A vector pointing mostly along `axis` (topics are axes), a little along `tilt`. */
function topic(axis: number, tilt = 0, amount = 0.1): number[] {
  const v = new Array<number>(DIM).fill(0);
  v[axis] = 1;
  v[(axis + 1 + tilt) % DIM] += amount;
  return v;
}

type T = ReturnType<typeof componentTest>;

async function conversation(t: T, threadId: string, lines: Array<[string, number | null]>, resourceId = R) {
  await t.mutation(api.threads.saveThread, { resourceId, id: threadId });
  await t.mutation(api.messages.saveMessages, {
    resourceId,
    messages: lines.map(([line, axis], i) => ({
      id: `${threadId}-${i}`,
      threadId,
      role: i % 2 === 0 ? ("user" as const) : ("assistant" as const),
      content: text(line),
      createdAt: 1_000 + i,
      ...(axis === null ? {} : { embedding: topic(axis, i) }),
    })),
  });
}

const recall = (t: T, args: Record<string, unknown>): Promise<RecallResult> =>
  t.action(api.recall.recallMessages, { resourceId: R, queryVector: topic(0), topK: 3, ...args } as never);

const hitIds = (r: { hits: Array<{ id: string }> }) => r.hits.map((h) => h.id);

async function trip(t: T) {
  await conversation(t, "trip", [
    ["Find me a quiet hotel in Lisbon", 0],
    ["Here are three quiet hotels", 0],
    ["The second one, please", null],
    ["Booked. Anything else?", null],
    ["What about restaurants nearby", 1],
  ]);
  await conversation(t, "work", [
    ["Schedule the quarterly review", 2],
    ["Done: Thursday 10am", 2],
    ["Also remind me about the hotel invoice", 0],
  ]);
}

describe("recall", () => {
  test("best matches of every thread with neighbours, grouped by thread; counts exact", async () => {
    const t = componentTest();
    await trip(t);
    const result = await recall(t, { topK: 3, before: 1, after: 1 });
    expect(hitIds(result).sort()).toEqual(["trip-0", "trip-1", "work-2"]);
    expect(result.groups.map((g) => [g.threadId, g.messages.map((m) => m.id)])).toEqual([
      ["trip", ["trip-0", "trip-1", "trip-2"]],
      ["work", ["work-1", "work-2"]],
    ]);
    expect(result.groups[0].messages[0]).toEqual({
      resourceId: R,
      id: "trip-0",
      threadId: "trip",
      role: "user",
      type: "v2",
      content: text("Find me a quiet hotel in Lisbon"),
      createdAt: 1_000,
    });
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(6);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "trip" })).toBe(3);
    // Results of other reads carry no recall fields.
    const page = await t.query(api.messages.listMessages, { resourceId: R, threadId: "work", paginationOpts: { numItems: 10, cursor: null } });
    expect(Object.keys(page.page[2]).sort()).toEqual(["content", "createdAt", "id", "resourceId", "role", "threadId", "type"]);
  });

  test("one thread, another thread left out, minScore", async () => {
    const t = componentTest();
    await trip(t);
    expect(hitIds(await recall(t, { threadId: "work", topK: 5 }))).toEqual(["work-2", "work-0", "work-1"]);
    expect(hitIds(await recall(t, { excludeThreadId: "trip", topK: 5 }))).toEqual(["work-2", "work-0", "work-1"]);
    const close = await recall(t, { topK: 5, minScore: 0.9 });
    expect(hitIds(close).sort()).toEqual(["trip-0", "trip-1", "work-2"]);
    expect(close.mayBeIncomplete).toBe(false);
  });

  test("another owner's messages never appear, even with the same thread ids", async () => {
    const t = componentTest();
    await trip(t);
    await conversation(t, "trip", [["someone else's hotel", 0]], "intruder");
    const mine = await recall(t, { topK: 10 });
    expect(mine.hits.every((h) => h.id !== "trip-0" || h.threadId === "trip")).toBe(true);
    expect(mine.groups.flatMap((g) => g.messages).every((m) => m.resourceId === R)).toBe(true);
    expect(hitIds(mine)).toHaveLength(6);
    const theirs: RecallResult = await t.action(api.recall.recallMessages, { resourceId: "intruder", queryVector: topic(0), topK: 10 });
    expect(theirs.groups.flatMap((g) => g.messages.map((m) => m.content))).toEqual([text("someone else's hotel")]);
  });

  test("an embedding follows its message: kept when the content is the same, moved with it, dropped when it changes", async () => {
    const t = componentTest();
    await trip(t);
    await t.mutation(api.threads.saveThread, { resourceId: R, id: "archive" });
    // Same content, another thread: the embedding moves.
    await t.mutation(api.messages.saveMessages, {
      resourceId: R,
      messages: [{ id: "trip-0", threadId: "archive", role: "user", content: text("Find me a quiet hotel in Lisbon") }],
    });
    expect(hitIds(await recall(t, { threadId: "archive", topK: 2 }))).toEqual(["trip-0"]);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "archive" })).toBe(1);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "trip" })).toBe(2);
    // Other content, no embedding given: dropped.
    await t.mutation(api.messages.saveMessages, {
      resourceId: R,
      messages: [{ id: "trip-0", threadId: "archive", role: "user", content: text("edited") }],
    });
    expect(hitIds(await recall(t, { topK: 10 }))).not.toContain("trip-0");
    // updateMessages with other content drops it too.
    await t.mutation(api.messages.updateMessages, { resourceId: R, messages: [{ id: "trip-1", content: text("changed") }] });
    expect(hitIds(await recall(t, { topK: 10 }))).not.toContain("trip-1");
    // A new embedding given with the save replaces the old one (another dimension too).
    await t.mutation(api.messages.saveMessages, {
      resourceId: R,
      messages: [{ id: "work-0", threadId: "work", role: "user", content: text("Schedule the quarterly review"), embedding: topic(5) }],
    });
    expect(hitIds(await recall(t, { queryVector: topic(5), topK: 1 }))).toEqual(["work-0"]);
    const big = new Array<number>(256).fill(0);
    big[3] = 1;
    await t.mutation(api.messages.saveMessages, {
      resourceId: R,
      messages: [{ id: "work-0", threadId: "work", role: "user", content: text("Schedule the quarterly review"), embedding: big }],
    });
    expect(hitIds(await recall(t, { queryVector: topic(5), topK: 5 }))).not.toContain("work-0");
    expect(hitIds(await recall(t, { queryVector: big, topK: 5 }))).toEqual(["work-0"]);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(4);
    // deleteMessages deletes the embedding.
    await t.mutation(api.messages.deleteMessages, { resourceId: R, ids: ["work-2"] });
    expect(hitIds(await recall(t, { topK: 10 }))).not.toContain("work-2");
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(3);
    const left = await t.run((ctx) => ctx.db.query("vectors_128").collect());
    expect(left).toHaveLength(2);
    // Each embedded message's text, in step with it (trip-0 moved, then lost its embedding).
    const texts = await t.run((ctx) => ctx.db.query("messageSearchTexts").collect());
    expect(texts.map((row) => [row.messageId, row.threadId, row.embeddingDimension, row.text]).sort()).toEqual([
      ["trip-4", "trip", 128, "What about restaurants nearby"],
      ["work-0", "work", 256, "Schedule the quarterly review"],
      ["work-1", "work", 128, "Done: Thursday 10am"],
    ]);
  });

  test("setMessageEmbeddings sets and removes, all or nothing", async () => {
    const t = componentTest();
    await conversation(t, "late", [
      ["first", null],
      ["second", null],
      ["third", null],
    ]);
    expect(hitIds(await recall(t, { topK: 3 }))).toEqual([]);
    expect(
      await t.mutation(api.recall.setMessageEmbeddings, {
        resourceId: R,
        embeddings: [
          { id: "late-0", embedding: topic(0) },
          { id: "late-2", embedding: new Float32Array(topic(9)).buffer },
        ],
      }),
    ).toEqual({ set: 2, removed: 0 });
    expect(hitIds(await recall(t, { topK: 1 }))).toEqual(["late-0"]);
    expect(hitIds(await recall(t, { queryVector: topic(9), topK: 1 }))).toEqual(["late-2"]);
    expect(
      await codeOf(
        t.mutation(api.recall.setMessageEmbeddings, {
          resourceId: R,
          embeddings: [
            { id: "late-1", embedding: topic(1) },
            { id: "missing", embedding: topic(1) },
          ],
        }),
      ),
    ).toBe("NOT_FOUND");
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(2);
    expect(
      await t.mutation(api.recall.setMessageEmbeddings, { resourceId: R, embeddings: [{ id: "late-0", embedding: null }, { id: "late-1", embedding: null }] }),
    ).toEqual({ set: 0, removed: 1 });
    expect(hitIds(await recall(t, { topK: 3 }))).toEqual(["late-2"]);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "late" })).toBe(1);
  });

  test("hybrid recall fuses a keyword search of the messages' text", async () => {
    const t = componentTest();
    await trip(t);
    // "invoice" is only in work-2's text; the vector favours trip messages.
    const fused = await recall(t, { queryVector: topic(1), topK: 2, keywordQuery: "invoice" });
    expect(fused.keywordCandidates).toBe(1);
    const invoice = fused.hits.find((h) => h.id === "work-2");
    expect(invoice).toMatchObject({ keywordRank: 1 });
    expect(invoice?.vectorScore).toBeCloseTo(0, 5);
    expect(fused.hits[0].id).toBe("trip-4");
    // Keyword matches are only messages with an embedding of the query's dimension.
    const none = await recall(t, { topK: 3, keywordQuery: "Booked" });
    expect(none.keywordCandidates).toBe(0);
    // Scoped like the vector side.
    const scoped = await recall(t, { topK: 3, keywordQuery: "hotel", excludeThreadId: "trip" });
    expect(hitIds(scoped)).toContain("work-2");
    expect(scoped.hits.every((h) => h.threadId === "work")).toBe(true);
  });

  test("deleting a thread removes its embeddings: at once for recall and counts, then in batches", async () => {
    const t = componentTest();
    const n = DELETE_BATCH_SIZE + 300;
    await t.mutation(api.threads.saveThread, { resourceId: R, id: "long" });
    for (let from = 0; from < n; from += 500) {
      await t.mutation(api.messages.saveMessages, {
        resourceId: R,
        messages: Array.from({ length: Math.min(500, n - from) }, (_, j) => ({
          id: `long-${from + j}`,
          threadId: "long",
          role: "user" as const,
          content: text(`line ${from + j}`),
          embedding: topic((from + j) % 7),
        })),
      });
    }
    await conversation(t, "kept", [["kept hotel", 0]]);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(n + 1);
    await t.mutation(api.threads.deleteThread, { resourceId: R, id: "long" });
    // The thread's embeddings no longer count nor come back, while batches still run.
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(1);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "long" })).toBe(0);
    // Looked past: topK plus the embeddings the batches have yet to delete are searched.
    expect(await t.run((ctx) => readCounter(ctx.db, deletingEmbeddingsKey(R)))).toBe(300);
    const during = await recall(t, { topK: 5, before: 2 });
    expect(hitIds(during)).toEqual(["kept-0"]);
    expect(await t.run((ctx) => ctx.db.query("vectors_128").collect()).then((r) => r.length)).toBeGreaterThan(1);
    vi.useFakeTimers();
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    const embeddings = await t.run((ctx) => ctx.db.query("vectors_128").collect());
    expect(embeddings).toHaveLength(1);
    const texts = await t.run((ctx) => ctx.db.query("messageSearchTexts").collect());
    expect(texts.map((row) => row.messageId)).toEqual(["kept-0"]);
    expect(await t.run((ctx) => readCounter(ctx.db, deletingEmbeddingsKey(R)))).toBe(0);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(1);
    // The id is free again, with no embedding left behind.
    await conversation(t, "long", [["a new life", 0]]);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "long" })).toBe(1);
  });

  test("a message saved out of a thread being deleted takes its embedding along, and the deletion no longer waits for it", async () => {
    const t = componentTest();
    const n = DELETE_BATCH_SIZE + 10;
    await t.mutation(api.threads.saveThread, { resourceId: R, id: "old" });
    for (let from = 0; from < n; from += 500) {
      await t.mutation(api.messages.saveMessages, {
        resourceId: R,
        messages: Array.from({ length: Math.min(500, n - from) }, (_, j) => ({
          id: `old-${from + j}`,
          threadId: "old",
          role: "user" as const,
          content: text(`line ${from + j}`),
          embedding: topic(((from + j) % 7) + 1),
        })),
      });
    }
    await t.mutation(api.threads.saveThread, { resourceId: R, id: "new" });
    await t.mutation(api.threads.deleteThread, { resourceId: R, id: "old" });
    const pending = () => t.run((ctx) => readCounter(ctx.db, deletingEmbeddingsKey(R)));
    expect(await pending()).toBe(10);
    // The last message (not yet deleted by the batches) is saved again, into another thread.
    const last = `old-${n - 1}`;
    await t.mutation(api.messages.saveMessages, {
      resourceId: R,
      messages: [{ id: last, threadId: "new", role: "user", content: text(`line ${n - 1}`) }],
    });
    expect(await pending()).toBe(9);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(1);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R, threadId: "new" })).toBe(1);
    vi.useFakeTimers();
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await pending()).toBe(0);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: R })).toBe(1);
    expect(hitIds(await recall(t, { queryVector: topic(((n - 1) % 7) + 1), topK: 3 }))).toEqual([last]);
    expect(await t.run((ctx) => ctx.db.query("vectors_128").collect()).then((r) => r.length)).toBe(1);
  });

  test("refusals", async () => {
    const t = componentTest();
    await trip(t);
    const odd = new Array<number>(100).fill(1);
    expect(await codeOf(recall(t, { queryVector: odd }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { topK: 0 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { topK: 257 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { before: 1.5 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { after: 101 }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { topK: 100, before: 20, after: 20 }))).toBe("LIMIT_EXCEEDED");
    expect(await codeOf(recall(t, { threadId: "trip", excludeThreadId: "work" }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { keywordQuery: "   " }))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(recall(t, { minScore: Number.NaN }))).toBe("INVALID_ARGUMENT");
    // A dimension nothing was embedded in: an empty result.
    const empty = await recall(t, { queryVector: new Array<number>(384).fill(0.5) });
    expect(empty).toEqual({ groups: [], hits: [], candidates: 0, mayBeIncomplete: false, truncated: false });
    const save = (embedding: number[]) =>
      t.mutation(api.messages.saveMessages, {
        resourceId: R,
        messages: [{ id: "x", threadId: "trip", role: "user", content: text("x"), embedding }],
      });
    expect(await codeOf(save(new Array<number>(100).fill(1)))).toBe("INVALID_ARGUMENT");
    expect(await codeOf(save([Number.POSITIVE_INFINITY, ...new Array<number>(127).fill(0)]))).toBe("INVALID_ARGUMENT");
    const heavy = Array.from({ length: 400 }, (_, i) => ({
      id: `h-${i}`,
      threadId: "trip",
      role: "user" as const,
      content: text("h"),
      embedding: new Float32Array(4096).fill(0.5).buffer,
    }));
    expect(MAX_EMBEDDING_BYTES_PER_CALL).toBeLessThan(400 * 4096 * 9);
    expect(await codeOf(t.mutation(api.messages.saveMessages, { resourceId: R, messages: heavy }))).toBe("LIMIT_EXCEEDED");
    expect(await t.query(api.messages.countMessages, { resourceId: R, threadId: "trip" })).toBe(5);
  });
});
