/** Tables, validators and helpers of the threads domain. */
import { defineTable, paginationOptsValidator } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter, PaginationOptions, Scheduler } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { addToCounter, counterKey, deleteCounter, readCounter } from "./counters.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { checkDocument, DELETE_BATCH_SIZE, MAX_PAGE_SIZE } from "./limits.js";
import { checkTime } from "./jsonText.js";
import { boundedPage, pageOf, vPage } from "./pagination.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** Free-form JSON metadata; updates merge it shallowly (top-level keys). */
export const vMetadata = v.record(v.string(), v.any());

export const threadFields = {
  /** The caller's own id for the thread (unique). */
  id: v.string(),
  /** The owner (tenant) of the thread and of its messages. */
  resourceId: v.string(),
  title: v.optional(v.string()),
  metadata: v.optional(vMetadata),
  /** Milliseconds since the epoch. */
  createdAt: v.number(),
  updatedAt: v.number(),
};

export const threadTables = {
  threads: defineTable(threadFields)
    .index("by_external_id", ["id"])
    .index("by_resource_created", ["resourceId", "createdAt"])
    .index("by_resource_updated", ["resourceId", "updatedAt"]),
  /**
   * Threads whose messages are still being deleted by scheduled batches. The
   * thread itself is already gone; its id cannot be reused until the marker is.
   */
  threadDeletions: defineTable({
    threadId: v.string(),
    resourceId: v.string(),
    startedAt: v.number(),
  }).index("by_thread", ["threadId"]),
};

export const vThread = v.object(threadFields);
export type Thread = Infer<typeof vThread>;

export const vOrder = v.union(v.literal("asc"), v.literal("desc"));
export const vThreadOrderBy = v.union(v.literal("createdAt"), v.literal("updatedAt"));

/** Default and largest `limit` of the watch* queries. */
export const DEFAULT_WATCH_LIMIT = 50;

/** Args and returns of every threads function, shared by the component and the client helper. */
export const threadSignatures = {
  getThread: {
    args: { id: v.string() },
    returns: v.union(vThread, v.null()),
  },
  saveThread: {
    args: {
      id: v.string(),
      resourceId: v.string(),
      title: v.optional(v.string()),
      metadata: v.optional(vMetadata),
      createdAt: v.optional(v.number()),
    },
    returns: vThread,
  },
  updateThread: {
    args: { id: v.string(), title: v.optional(v.string()), metadata: v.optional(vMetadata) },
    returns: vThread,
  },
  deleteThread: {
    args: { id: v.string() },
    returns: v.null(),
  },
  listThreads: {
    args: {
      resourceId: v.string(),
      paginationOpts: paginationOptsValidator,
      orderBy: v.optional(vThreadOrderBy),
      order: v.optional(vOrder),
    },
    returns: vPage(vThread),
  },
  countThreads: {
    args: { resourceId: v.string() },
    returns: v.number(),
  },
  watchThread: {
    args: { id: v.string() },
    returns: v.union(v.object({ thread: vThread, messageCount: v.number() }), v.null()),
  },
  watchThreadsByResource: {
    args: { resourceId: v.string(), limit: v.optional(v.number()) },
    returns: v.array(vThread),
  },
};

export const threadCountKey = (resourceId: string) => counterKey("threads", "resource", resourceId);
export const messageCountKey = (threadId: string) => counterKey("messages", "thread", threadId);

export function toThread(doc: Doc<"threads">): Thread {
  const { _id, _creationTime, ...thread } = doc;
  return thread;
}

export async function findThread(db: Reader, id: string): Promise<Doc<"threads"> | null> {
  return db
    .query("threads")
    .withIndex("by_external_id", (q) => q.eq("id", id))
    .unique();
}

export async function getThread(db: Reader, id: string): Promise<Thread | null> {
  const doc = await findThread(db, id);
  return doc === null ? null : toThread(doc);
}

export async function requireThread(db: Reader, id: string): Promise<Doc<"threads">> {
  const doc = await findThread(db, id);
  if (doc === null) return notFound(`thread "${id}" does not exist`, { threadId: id });
  return doc;
}

/** Refuses to reuse a thread id while the messages of its previous life are being deleted. */
export async function assertNotBeingDeleted(db: Reader, threadId: string): Promise<void> {
  const marker = await db
    .query("threadDeletions")
    .withIndex("by_thread", (q) => q.eq("threadId", threadId))
    .first();
  if (marker !== null) {
    conflict(`thread "${threadId}" is still being deleted; retry with this id once its deletion finishes`, {
      threadId,
    });
  }
}

export function watchLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_WATCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1) invalidArgument(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_PAGE_SIZE);
}

export async function saveThread(
  db: Writer,
  args: ObjectType<typeof threadSignatures.saveThread.args>,
): Promise<Thread> {
  checkTime(args.createdAt, "createdAt");
  const existing = await findThread(db, args.id);
  const now = Date.now();
  if (existing === null) {
    await assertNotBeingDeleted(db, args.id);
    const thread: Thread = {
      id: args.id,
      resourceId: args.resourceId,
      title: args.title,
      metadata: args.metadata,
      createdAt: args.createdAt ?? now,
      updatedAt: now,
    };
    checkDocument(`thread "${args.id}"`, thread);
    await db.insert("threads", thread);
    await addToCounter(db, threadCountKey(args.resourceId), 1);
    return clean(thread);
  }
  if (existing.resourceId !== args.resourceId) {
    conflict(`thread "${args.id}" belongs to another resource; a thread cannot change its resource`, {
      threadId: args.id,
    });
  }
  const thread: Thread = {
    id: args.id,
    resourceId: args.resourceId,
    title: args.title,
    metadata: args.metadata,
    createdAt: args.createdAt ?? existing.createdAt,
    updatedAt: now,
  };
  checkDocument(`thread "${args.id}"`, thread);
  await db.replace(existing._id, thread);
  return clean(thread);
}

export async function updateThread(
  db: Writer,
  args: { id: string; title?: string; metadata?: Record<string, any> },
): Promise<Thread> {
  const existing = await requireThread(db, args.id);
  const patch: Partial<Thread> = { updatedAt: Date.now() };
  if (args.title !== undefined) patch.title = args.title;
  if (args.metadata !== undefined) patch.metadata = { ...(existing.metadata ?? {}), ...args.metadata };
  const next = toThread({ ...existing, ...patch });
  checkDocument(`thread "${args.id}"`, next);
  await db.patch(existing._id, patch);
  return next;
}

/** Marks the thread as touched (a message was saved, changed or deleted in it). */
export async function touchThread(db: Writer, thread: Doc<"threads">, now = Date.now()): Promise<void> {
  if (thread.updatedAt !== now) await db.patch(thread._id, { updatedAt: now });
}

/**
 * Deletes the thread at once (and its counters); its messages go in batches of
 * DELETE_BATCH_SIZE, the first one now and the rest through the scheduler.
 */
export async function deleteThread(db: Writer, scheduler: Scheduler, id: string): Promise<void> {
  const existing = await findThread(db, id);
  if (existing === null) return;
  await db.delete(existing._id);
  await deleteCounter(db, messageCountKey(id));
  await addToCounter(db, threadCountKey(existing.resourceId), -1);
  const done = await deleteMessageBatch(db, id);
  if (!done) {
    await db.insert("threadDeletions", { threadId: id, resourceId: existing.resourceId, startedAt: Date.now() });
    await scheduler.runAfter(0, internal.threads.deleteThreadMessages, { threadId: id });
  }
}

/** One scheduled batch of a thread deletion; reschedules itself until no message is left. */
export async function continueThreadDeletion(db: Writer, scheduler: Scheduler, threadId: string): Promise<void> {
  const done = await deleteMessageBatch(db, threadId);
  if (!done) {
    await scheduler.runAfter(0, internal.threads.deleteThreadMessages, { threadId });
    return;
  }
  const marker = await db
    .query("threadDeletions")
    .withIndex("by_thread", (q) => q.eq("threadId", threadId))
    .first();
  if (marker !== null) await db.delete(marker._id);
}

/** Deletes up to DELETE_BATCH_SIZE messages of the thread; true when none is left. */
async function deleteMessageBatch(db: Writer, threadId: string): Promise<boolean> {
  const batch = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => q.eq("threadId", threadId))
    .take(DELETE_BATCH_SIZE);
  for (const message of batch) await db.delete(message._id);
  return batch.length < DELETE_BATCH_SIZE;
}

export async function listThreads(
  db: Reader,
  args: { resourceId: string; paginationOpts: PaginationOptions; orderBy?: "createdAt" | "updatedAt"; order?: "asc" | "desc" },
) {
  const index = args.orderBy === "updatedAt" ? "by_resource_updated" : "by_resource_created";
  const result = await db
    .query("threads")
    .withIndex(index, (q) => q.eq("resourceId", args.resourceId))
    .order(args.order ?? "desc")
    .paginate(boundedPage(args.paginationOpts));
  return pageOf(result, result.page.map(toThread));
}

export async function countThreads(db: Reader, resourceId: string): Promise<number> {
  return readCounter(db, threadCountKey(resourceId));
}

export async function watchThread(db: Reader, id: string) {
  const thread = await getThread(db, id);
  if (thread === null) return null;
  return { thread, messageCount: await readCounter(db, messageCountKey(id)) };
}

export async function latestThreads(db: Reader, resourceId: string, limit: number | undefined): Promise<Thread[]> {
  const docs = await db
    .query("threads")
    .withIndex("by_resource_updated", (q) => q.eq("resourceId", resourceId))
    .order("desc")
    .take(watchLimit(limit));
  return docs.map(toThread);
}

/** Drops fields that are undefined so results match what a read returns. */
export function clean<T extends Record<string, unknown>>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}
