/**
 * Tables, signatures and helpers of the threads domain. A thread is keyed by its
 * owner and the caller's id (`resourceId`, `id`): two owners may use the same id
 * without ever seeing or disturbing each other's thread.
 */
import { defineTable, paginationOptsValidator } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter, PaginationOptions, Scheduler } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { addToCounter, counterKey, deleteCounter, readCounter } from "./counters.js";
import { conflict, notFound } from "./errors.js";
import { approximateSize, checkDocument, DELETE_BATCH_SIZE } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { deletingEmbeddingsKey, dropEmbedding, embeddingCountKey, messageEmbeddingBytes } from "./recallEmbeddings.js";
import {
  checkName,
  checkPlainObject,
  checkTime,
  vMetadata,
  vOrder,
  vOwner,
  watchLimit,
  withoutSystemFields,
  withoutUndefinedFields,
  type Metadata,
  type Order,
} from "./shared.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

export const threadFields = {
  /** The owner (tenant) of the thread and of its messages. */
  resourceId: vOwner,
  /** The caller's own id for the thread, unique per owner. */
  id: v.string(),
  title: v.optional(v.string()),
  metadata: v.optional(vMetadata),
  /** Milliseconds since the epoch. */
  createdAt: v.number(),
  updatedAt: v.number(),
};

export const threadTables = {
  threads: defineTable(threadFields)
    .index("by_resource_id", ["resourceId", "id"])
    .index("by_resource_created", ["resourceId", "createdAt"])
    .index("by_resource_updated", ["resourceId", "updatedAt"]),
  /**
   * Threads whose messages are still being deleted by scheduled batches. The
   * thread itself is already gone; its owner cannot reuse its id until the marker is.
   */
  threadDeletions: defineTable({
    resourceId: vOwner,
    threadId: v.string(),
    startedAt: v.number(),
  }).index("by_resource_thread", ["resourceId", "threadId"]),
};

export const vThread = v.object(threadFields);
export type Thread = Infer<typeof vThread>;

export const vThreadOrderBy = v.union(v.literal("createdAt"), v.literal("updatedAt"));

/** The owner and id that address one thread. */
const threadKey = { resourceId: vOwner, id: v.string() };

/** Arguments of every threads function, shared by the component and the client helper. */
export const threadArgs = {
  getThread: threadKey,
  saveThread: {
    ...threadKey,
    title: v.optional(v.string()),
    metadata: v.optional(vMetadata),
    /** Creation time (ms) to record when the thread is new; default now. */
    createdAt: v.optional(v.number()),
  },
  updateThread: { ...threadKey, title: v.optional(v.string()), metadata: v.optional(vMetadata) },
  deleteThread: threadKey,
  listThreads: {
    resourceId: vOwner,
    paginationOpts: paginationOptsValidator,
    orderBy: v.optional(vThreadOrderBy),
    order: v.optional(vOrder),
  },
  countThreads: { resourceId: vOwner },
  watchThread: threadKey,
  watchThreadsByResource: { resourceId: vOwner, limit: v.optional(v.number()) },
};

/** Results of every threads function. */
export const threadReturns = {
  getThread: v.union(vThread, v.null()),
  saveThread: vThread,
  updateThread: vThread,
  deleteThread: v.null(),
  listThreads: vPage(vThread),
  countThreads: v.number(),
  watchThread: v.union(v.object({ thread: vThread, messageCount: v.number() }), v.null()),
  watchThreadsByResource: v.array(vThread),
};

type ArgsOf<K extends keyof typeof threadArgs> = ObjectType<(typeof threadArgs)[K]>;

/** The counter of an owner's threads. */
export const threadCountKey = (resourceId: string) => counterKey("threads", "resource", resourceId);
/** The counter of a thread's messages. */
export const messageCountKey = (resourceId: string, threadId: string) =>
  counterKey("messages", "thread", resourceId, threadId);

/** A stored thread as a result. */
export function toThread(doc: Doc<"threads">): Thread {
  return withoutSystemFields(doc);
}

/** Checks the owner and id that address a thread. */
export function checkThreadKey(resourceId: string, id: string, field = "id"): void {
  checkName(resourceId, "resourceId");
  checkName(id, field);
}

/** The owner's thread with this id, or null. */
export async function findThread(db: Reader, resourceId: string, id: string): Promise<Doc<"threads"> | null> {
  return db
    .query("threads")
    .withIndex("by_resource_id", (q) => q.eq("resourceId", resourceId).eq("id", id))
    .unique();
}

/** The owner's thread with this id; NOT_FOUND (naming only the id asked for) when there is none. */
export async function requireThread(db: Reader, resourceId: string, id: string): Promise<Doc<"threads">> {
  const doc = await findThread(db, resourceId, id);
  if (doc === null) return notFound(`thread "${id}" does not exist`, { threadId: id });
  return doc;
}

async function deletionMarker(db: Reader, resourceId: string, threadId: string) {
  return db
    .query("threadDeletions")
    .withIndex("by_resource_thread", (q) => q.eq("resourceId", resourceId).eq("threadId", threadId))
    .first();
}

/** Refuses to reuse one of the owner's thread ids while the messages of its previous life are being deleted. */
async function assertNotBeingDeleted(db: Reader, resourceId: string, threadId: string): Promise<void> {
  if ((await deletionMarker(db, resourceId, threadId)) !== null) {
    conflict(`thread "${threadId}" is still being deleted; retry with this id once its deletion finishes`, {
      threadId,
    });
  }
}

/** The thread, or null when the owner has none with this id. */
export async function getThread(db: Reader, args: ArgsOf<"getThread">): Promise<Thread | null> {
  checkThreadKey(args.resourceId, args.id);
  const doc = await findThread(db, args.resourceId, args.id);
  return doc === null ? null : toThread(doc);
}

/** Creates or replaces the owner's thread (title and metadata become what is given; createdAt is kept). */
export async function saveThread(db: Writer, args: ArgsOf<"saveThread">): Promise<Thread> {
  checkThreadKey(args.resourceId, args.id);
  checkTime(args.createdAt, "createdAt");
  if (args.metadata !== undefined) checkPlainObject(args.metadata, "metadata");
  const existing = await findThread(db, args.resourceId, args.id);
  const now = Date.now();
  if (existing === null) await assertNotBeingDeleted(db, args.resourceId, args.id);
  const thread: Thread = withoutUndefinedFields({
    resourceId: args.resourceId,
    id: args.id,
    title: args.title,
    metadata: args.metadata,
    createdAt: args.createdAt ?? existing?.createdAt ?? now,
    updatedAt: now,
  });
  checkDocument(`thread "${args.id}"`, thread);
  if (existing === null) {
    await db.insert("threads", thread);
    await addToCounter(db, threadCountKey(args.resourceId), 1);
  } else {
    await db.replace(existing._id, thread);
  }
  return thread;
}

/** Sets the title when given and merges metadata shallowly; NOT_FOUND when the owner has no such thread. */
export async function updateThread(db: Writer, args: ArgsOf<"updateThread">): Promise<Thread> {
  checkThreadKey(args.resourceId, args.id);
  if (args.metadata !== undefined) checkPlainObject(args.metadata, "metadata");
  const existing = await requireThread(db, args.resourceId, args.id);
  const patch: Partial<Thread> = { updatedAt: Date.now() };
  if (args.title !== undefined) patch.title = args.title;
  if (args.metadata !== undefined) patch.metadata = { ...(existing.metadata ?? {}), ...args.metadata } as Metadata;
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
 * Deletes the owner's thread at once (and its counters); its messages go in
 * batches of DELETE_BATCH_SIZE, the first one now and the rest through the
 * scheduler. A missing thread is a no-op.
 */
export async function deleteThread(db: Writer, scheduler: Scheduler, args: ArgsOf<"deleteThread">): Promise<null> {
  checkThreadKey(args.resourceId, args.id);
  const { resourceId, id } = args;
  const existing = await findThread(db, resourceId, id);
  if (existing === null) return null;
  await db.delete(existing._id);
  await deleteCounter(db, messageCountKey(resourceId, id));
  await addToCounter(db, threadCountKey(resourceId), -1);
  // The thread's embeddings stop counting at once (and stop being recalled: see the
  // deletion marker); the batches below delete them with their messages.
  const embedded = await readCounter(db, embeddingCountKey(resourceId, id));
  if (embedded > 0) {
    await addToCounter(db, embeddingCountKey(resourceId), -embedded);
    await deleteCounter(db, embeddingCountKey(resourceId, id));
    await addToCounter(db, deletingEmbeddingsKey(resourceId), embedded);
  }
  const done = await deleteMessageBatch(db, resourceId, id);
  if (!done) {
    await db.insert("threadDeletions", { resourceId, threadId: id, startedAt: Date.now() });
    await scheduler.runAfter(0, internal.threads.deleteThreadMessages, { resourceId, threadId: id });
  }
  return null;
}

/** One scheduled batch of a thread deletion; reschedules itself until no message is left. */
export async function continueThreadDeletion(
  db: Writer,
  scheduler: Scheduler,
  args: { resourceId: string; threadId: string },
): Promise<null> {
  const done = await deleteMessageBatch(db, args.resourceId, args.threadId);
  if (!done) {
    await scheduler.runAfter(0, internal.threads.deleteThreadMessages, args);
    return null;
  }
  const marker = await deletionMarker(db, args.resourceId, args.threadId);
  if (marker !== null) await db.delete(marker._id);
  return null;
}

/** Bytes one deletion batch reads at most (messages and the embeddings it deletes), plus one message. */
export const DELETE_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Deletes up to DELETE_BATCH_SIZE messages of the owner's thread, with their
 * embeddings, stopping once DELETE_BATCH_BYTES have been read (deleting an embedding
 * reads it); true when none is left.
 */
async function deleteMessageBatch(db: Writer, resourceId: string, threadId: string): Promise<boolean> {
  const messages = db
    .query("messages")
    .withIndex("by_thread_created", (q) => q.eq("resourceId", resourceId).eq("threadId", threadId));
  let deleted = 0;
  let embeddings = 0;
  let bytes = 0;
  let done = true;
  for await (const message of messages) {
    bytes += approximateSize(message);
    if (message.embeddingId !== undefined) {
      await dropEmbedding(db, message);
      bytes += messageEmbeddingBytes(message.embeddingDimension ?? 0, message.content);
      embeddings++;
    }
    await db.delete(message._id);
    deleted++;
    if (deleted >= DELETE_BATCH_SIZE || bytes >= DELETE_BATCH_BYTES) {
      done = false;
      break;
    }
  }
  await addToCounter(db, deletingEmbeddingsKey(resourceId), -embeddings);
  return done;
}

/** A page of the owner's threads by createdAt (default) or updatedAt, newest first unless order is "asc". */
export async function listThreads(db: Reader, args: ArgsOf<"listThreads">) {
  checkName(args.resourceId, "resourceId");
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const index = args.orderBy === "updatedAt" ? "by_resource_updated" : "by_resource_created";
  const query = db
    .query("threads")
    .withIndex(index, (q) => q.eq("resourceId", args.resourceId))
    .order((args.order ?? "desc") as Order);
  const result = await paginateChecked(query, opts);
  return pageOf(result, result.page.map(toThread));
}

/** The exact number of the owner's threads (one read). */
export async function countThreads(db: Reader, args: ArgsOf<"countThreads">): Promise<number> {
  checkName(args.resourceId, "resourceId");
  return readCounter(db, threadCountKey(args.resourceId));
}

/** One thread with its message count, or null. */
export async function watchThread(db: Reader, args: ArgsOf<"watchThread">) {
  const thread = await getThread(db, args);
  if (thread === null) return null;
  return { thread, messageCount: await readCounter(db, messageCountKey(args.resourceId, args.id)) };
}

/** The owner's most recently updated threads (`limit` 1 to 1,000, default 50). */
export async function latestThreads(db: Reader, args: ArgsOf<"watchThreadsByResource">): Promise<Thread[]> {
  checkName(args.resourceId, "resourceId");
  const limit = watchLimit(args.limit);
  const docs = await db
    .query("threads")
    .withIndex("by_resource_updated", (q) => q.eq("resourceId", args.resourceId))
    .order("desc")
    .take(limit);
  return docs.map(toThread);
}
