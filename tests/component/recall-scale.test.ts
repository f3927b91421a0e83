/**
 * Must show (issue 17): on 50 threads of one owner with 5,000 embedded messages, beside
 * 20,000 embedded messages of other owners, recall equals a brute-force computation
 * (same hit ids, order and neighbours, same groups), another owner's messages never
 * appear (not even for a query that is one of theirs), and one recall stays within its
 * read budget, `topK × (1 + before + after)` documents + 1, under convex-test's
 * transaction limits.
 *
 * The data is seeded through the component's model in a few large transactions (as
 * saveMessages with embeddings leaves it), to keep the test quick.
 */
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { addToCounter } from "../../component/model/counters.js";
import type { RecallResult } from "../../component/model/recall.js";
import { EmbeddingCounts, writeEmbedding } from "../../component/model/recallEmbeddings.js";
import { messageCountKey, threadCountKey } from "../../component/model/threads.js";
import { componentTest } from "../convex.js";
import { recordTransactions, totals } from "../transactionMetrics.js";
import { prng, randomVector } from "./vector-fixtures.js";

const OWNER = "owner";
const THREADS = 50;
const PER_THREAD = 100;
const OTHERS = 20; // other owners, 1,000 messages each
const DIMENSION = 128;

interface Seeded {
  resourceId: string;
  threadId: string;
  id: string;
  seq: number; // insertion order within the thread
  createdAt: number;
  vector: number[];
}

type T = ReturnType<typeof componentTest>;

/** Seeds one owner's threads: messages with embeddings, two messages per createdAt. */
async function seedOwner(t: T, resourceId: string, threads: number, perThread: number, rnd: () => number): Promise<Seeded[]> {
  const all: Seeded[] = [];
  for (let th = 0; th < threads; th++) {
    const threadId = `${resourceId}-t${th}`;
    const rows: Seeded[] = Array.from({ length: perThread }, (_, i) => ({
      resourceId,
      threadId,
      id: `${threadId}-m${i}`,
      seq: i,
      createdAt: 1_000_000 + th * 7 + Math.floor(i / 2) * 1_000,
      vector: randomVector(rnd, DIMENSION),
    }));
    all.push(...rows);
  }
  const byThread = new Map<string, Seeded[]>();
  for (const row of all) byThread.set(row.threadId, [...(byThread.get(row.threadId) ?? []), row]);
  const threadIds = [...byThread.keys()];
  for (let from = 0; from < threadIds.length; from += 10) {
    await t.run(async ({ db }) => {
      const counts = new EmbeddingCounts(resourceId);
      for (const threadId of threadIds.slice(from, from + 10)) {
        const rows = byThread.get(threadId)!;
        await db.insert("threads", { resourceId, id: threadId, createdAt: 1, updatedAt: 1 });
        await addToCounter(db, threadCountKey(resourceId), 1);
        await addToCounter(db, messageCountKey(resourceId, threadId), rows.length);
        for (const row of rows) {
          const content = { format: 2 as const, parts: [{ type: "text", text: `message ${row.id}` }] };
          const recall = await writeEmbedding(
            db,
            { resourceId, messageId: row.id, threadId, content },
            row.vector,
            {},
          );
          await db.insert("messages", {
            resourceId, id: row.id, threadId, role: "user", type: "v2", content, createdAt: row.createdAt, ...recall,
          });  // prettier-ignore
          counts.add(threadId, 1);
        }
      }
      await counts.apply(db);
    });
  }
  return all;
}

/** convex-test's cosine, computed the same way (so the brute force ranks exactly as the search). */
function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / (Math.sqrt(na) * Math.sqrt(nb));
}

interface Expected {
  hits: string[];
  neighbours: Map<string, { before: string[]; after: string[] }>;
  groups: Array<{ threadId: string; hitIds: string[]; messages: string[] }>;
}

/** The brute force: every embedded message of the owner scored, ranked, and its neighbours taken by index. */
function bruteForce(
  rows: Seeded[],
  q: number[],
  o: { topK: number; before: number; after: number; threadId?: string; excludeThreadId?: string; minScore?: number },
): Expected {
  const candidates = rows
    .filter((r) => (o.threadId === undefined || r.threadId === o.threadId) && r.threadId !== o.excludeThreadId)
    .map((r) => ({ r, score: cosine(q, r.vector) }))
    .filter((c) => o.minScore === undefined || c.score >= o.minScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, o.topK);
  const ordered = new Map<string, Seeded[]>();
  for (const r of rows) ordered.set(r.threadId, [...(ordered.get(r.threadId) ?? []), r]);
  for (const list of ordered.values()) list.sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq);
  const neighbours = new Map<string, { before: string[]; after: string[] }>();
  const ranges = new Map<string, Array<{ start: number; end: number; hits: string[] }>>();
  for (const { r } of candidates) {
    const list = ordered.get(r.threadId)!;
    const at = list.indexOf(r);
    const start = Math.max(0, at - o.before);
    const end = Math.min(list.length - 1, at + o.after);
    neighbours.set(r.id, {
      before: list.slice(start, at).reverse().map((x) => x.id),
      after: list.slice(at + 1, end + 1).map((x) => x.id),
    });
    ranges.set(r.threadId, [...(ranges.get(r.threadId) ?? []), { start, end, hits: [r.id] }]);
  }
  const rank = new Map(candidates.map(({ r }, i) => [r.id, i]));
  const groups: Expected["groups"] = [];
  const perThread: Array<{ threadId: string; first: number; groups: Expected["groups"] }> = [];
  for (const [threadId, list] of ranges) {
    list.sort((a, b) => a.start - b.start);
    const merged: Array<{ start: number; end: number; hits: string[] }> = [];
    for (const range of list) {
      const last = merged[merged.length - 1];
      if (last !== undefined && range.start <= last.end) {
        last.end = Math.max(last.end, range.end);
        last.hits.push(...range.hits);
      } else merged.push({ ...range, hits: [...range.hits] });
    }
    const thread = ordered.get(threadId)!;
    perThread.push({
      threadId,
      first: thread[merged[0].start].createdAt,
      groups: merged.map((m) => ({
        threadId,
        hitIds: m.hits.sort((a, b) => rank.get(a)! - rank.get(b)!),
        messages: thread.slice(m.start, m.end + 1).map((x) => x.id),
      })),
    });
  }
  perThread.sort((a, b) => a.first - b.first || (a.threadId < b.threadId ? -1 : 1));
  for (const t of perThread) groups.push(...t.groups);
  return { hits: candidates.map(({ r }) => r.id), neighbours, groups };
}

describe("recall at scale", () => {
  test("equals the brute force, never reaches another owner, and stays within its read budget", async () => {
    const t = componentTest(true);
    const rnd = prng(17);
    const start = Date.now();
    const mine = await seedOwner(t, OWNER, THREADS, PER_THREAD, rnd);
    const others: Seeded[] = [];
    for (let o = 0; o < OTHERS; o++) others.push(...(await seedOwner(t, `other-${o}`, 4, 250, rnd)));
    console.log(`seeded ${mine.length} + ${OTHERS * 1000} embedded messages in ${Date.now() - start} ms`);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: OWNER })).toBe(5_000);
    expect(await t.query(api.recall.countMessageEmbeddings, { resourceId: OWNER, threadId: `${OWNER}-t3` })).toBe(100);
    expect(await t.query(api.messages.countMessages, { resourceId: OWNER, threadId: `${OWNER}-t3` })).toBe(100);

    const cases = [
      { topK: 10, before: 2, after: 1 },
      { topK: 25, before: 0, after: 0 },
      { topK: 16, before: 3, after: 3 },
      { topK: 8, before: 1, after: 2, threadId: `${OWNER}-t7` },
      { topK: 12, before: 1, after: 1, excludeThreadId: `${OWNER}-t0` },
      { topK: 15, before: 1, after: 0, minScore: 0.2 },
      // Another owner's message itself as the query: its owner's messages are the nearest of all.
      { topK: 20, before: 1, after: 1, probeOther: true },
    ];
    const rows: Array<Record<string, unknown>> = [];
    for (const { probeOther, ...c } of cases) {
      // A query near one of the owner's messages, so that hits cluster (neighbours overlap).
      const near = mine[Math.floor(rnd() * mine.length)].vector;
      const q = probeOther ? others[Math.floor(rnd() * others.length)].vector : near.map((x) => x + (rnd() - 0.5) * 0.8);
      const expected = bruteForce(mine, q, c);
      const began = Date.now();
      const { result, transactions } = await recordTransactions(
        (): Promise<RecallResult> => t.action(api.recall.recallMessages, { resourceId: OWNER, queryVector: q, ...c }),
      );
      expect(result.hits.map((h) => h.id)).toEqual(expected.hits);
      expect(result.hits.every((h) => h.id.startsWith(`${OWNER}-`))).toBe(true);
      const scores = result.hits.map((h) => h.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(
        result.groups.map((g) => ({ threadId: g.threadId, hitIds: g.hitIds, messages: g.messages.map((m) => m.id) })),
      ).toEqual(expected.groups);
      for (const group of result.groups) {
        for (const m of group.messages) expect(m.resourceId).toBe(OWNER);
      }
      // Each hit's neighbours, as the brute force took them: adjacent to it in its group.
      for (const hit of result.hits) {
        const ids = result.groups.find((g) => g.hitIds.includes(hit.id))!.messages.map((m) => m.id);
        const at = ids.indexOf(hit.id);
        const { before, after } = expected.neighbours.get(hit.id)!;
        expect(ids.slice(Math.max(0, at - before.length), at).reverse()).toEqual(before);
        expect(ids.slice(at + 1, at + 1 + after.length)).toEqual(after);
      }
      expect(result.truncated).toBe(false);
      const budget = c.topK * (1 + c.before + c.after) + 1;
      const sum = totals(transactions);
      expect(sum.documentsRead).toBeLessThanOrEqual(budget);
      for (const tx of transactions) expect(tx.documentsRead).toBeLessThanOrEqual(budget);
      rows.push({ ms: Date.now() - began, ...c, hits: result.hits.length, groups: result.groups.length, transactions: sum.transactions, documentsRead: sum.documentsRead, budget, bytesRead: sum.bytesRead });
    }
    console.table(rows);

    // Hybrid: every message of the owner (and of the others) matches the words; the keyword
    // side reads at most topK matches more, and only the owner's come back.
    {
      const h = { topK: 10, before: 1, after: 1, keywordQuery: "message owner" };
      const q = mine[Math.floor(rnd() * mine.length)].vector;
      const { result, transactions } = await recordTransactions(
        (): Promise<RecallResult> => t.action(api.recall.recallMessages, { resourceId: OWNER, queryVector: q, ...h }),
      );
      expect(result.hits).toHaveLength(h.topK);
      expect(result.keywordCandidates).toBe(h.topK);
      expect(result.groups.flatMap((g) => g.messages).every((m) => m.resourceId === OWNER)).toBe(true);
      const sum = totals(transactions);
      const budget = h.topK * (1 + h.before + h.after) + 1 + h.topK;
      console.log(`hybrid recall: ${sum.documentsRead} documents (budget ${budget}), ${sum.bytesRead} bytes, ${sum.transactions} transactions`);
      expect(sum.documentsRead).toBeLessThanOrEqual(budget);
    }

    // Under convex-test's limits set to the budget itself: the recall still runs.
    const c = { topK: 20, before: 2, after: 2 };
    const tight = componentTest({ documentsRead: c.topK * (1 + c.before + c.after) + 1 });
    const small = await seedOwner(tight, OWNER, 5, 60, rnd);
    const q = randomVector(rnd, DIMENSION);
    const result: RecallResult = await tight.action(api.recall.recallMessages, { resourceId: OWNER, queryVector: q, ...c });
    expect(result.hits.map((h) => h.id)).toEqual(bruteForce(small, q, c).hits);
  });
});
