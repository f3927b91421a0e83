import type { GenericDatabaseWriter } from "convex/server";
import type { DataModel } from "../../component/_generated/dataModel.js";
import { addToCounter } from "../../component/model/counters.js";
import { messageCountKey, threadCountKey } from "../../component/model/threads.js";
import type { Message } from "../../component/model/messages.js";

type Db = GenericDatabaseWriter<DataModel>;
/** Runs `fn` in one transaction of the test instance (t.run or runInComponent). */
export type Run = <T>(fn: (ctx: { db: Db }) => Promise<T>) => Promise<T>;

export const text = (t: string) => ({ format: 2 as const, parts: [{ type: "text", text: t }] });

export const messageId = (threadId: string, i: number) => `${threadId}-m${String(i).padStart(6, "0")}`;

export function makeMessage(threadId: string, resourceId: string, i: number, createdAt = 1_000_000 + i): Message {
  return {
    id: messageId(threadId, i),
    threadId,
    resourceId,
    role: i % 2 === 0 ? "user" : "assistant",
    type: "v2",
    content: text(`message ${i} of ${threadId}`),
    createdAt,
  };
}

/**
 * Seeds big data straight into the tables (as saveMessages would leave them,
 * counters included), in transactions of `batch` inserts that read almost nothing.
 */
export async function seedThread(
  run: Run,
  opts: { threadId: string; resourceId: string; messages: number; batch?: number; createdAt?: number },
): Promise<void> {
  const batch = opts.batch ?? 2_000;
  await run(async ({ db }) => {
    const now = opts.createdAt ?? 1_000_000;
    await db.insert("threads", { id: opts.threadId, resourceId: opts.resourceId, createdAt: now, updatedAt: now });
    await addToCounter(db, threadCountKey(opts.resourceId), 1);
  });
  for (let from = 0; from < opts.messages; from += batch) {
    const to = Math.min(opts.messages, from + batch);
    await run(async ({ db }) => {
      for (let i = from; i < to; i++) await db.insert("messages", makeMessage(opts.threadId, opts.resourceId, i));
      await addToCounter(db, messageCountKey(opts.resourceId, opts.threadId), to - from);
    });
  }
}

/** Seeds `count` threads of one resource, `batch` per transaction. */
export async function seedThreads(
  run: Run,
  opts: { resourceId: string; count: number; prefix?: string; batch?: number },
): Promise<void> {
  const batch = opts.batch ?? 2_000;
  const prefix = opts.prefix ?? `${opts.resourceId}-t`;
  for (let from = 0; from < opts.count; from += batch) {
    const to = Math.min(opts.count, from + batch);
    await run(async ({ db }) => {
      for (let i = from; i < to; i++) {
        const at = 1_000_000 + i;
        await db.insert("threads", { id: `${prefix}${i}`, resourceId: opts.resourceId, createdAt: at, updatedAt: at });
      }
      await addToCounter(db, threadCountKey(opts.resourceId), to - from);
    });
  }
}
