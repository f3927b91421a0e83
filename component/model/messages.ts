/**
 * Tables, signatures and helpers of the messages domain. A message is keyed by
 * its owner and the caller's id (`resourceId`, `id`) and belongs to one of that
 * owner's threads: every function takes the owner, and a thread id or message id
 * is only ever looked up among the owner's own rows.
 */
import { defineTable, paginationOptsValidator } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter, PaginationOptions } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { addToCounter, readCounter } from "./counters.js";
import { invalidArgument, notFound } from "./errors.js";
import { checkBatch, checkDocument, limitExceeded } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import {
  checkName,
  checkPlainObject,
  checkTime,
  vOrder,
  vOwner,
  watchLimit,
  withoutSystemFields,
  type Order,
} from "./shared.js";
import { findThread, messageCountKey, requireThread, touchThread } from "./threads.js";
import {
  checkEmbeddingBytes,
  decodeEmbedding,
  dropEmbedding,
  EmbeddingCounts,
  embeddingDimensionOf,
  messageRecallFields,
  moveEmbedding,
  messageEmbeddingBytes,
  NO_EMBEDDING,
  recallFieldsOf,
  writeEmbedding,
  type RecallFields,
} from "./recallEmbeddings.js";
import { vVectorValue } from "./vectorStorage.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

export const vRole = v.union(v.literal("user"), v.literal("assistant"), v.literal("system"), v.literal("tool"));
export type Role = Infer<typeof vRole>;

/** Mastra's message format 2: `parts` are JSON objects such as `{type: "text", text: "..."}`. */
export const vMessageContent = v.object({
  format: v.literal(2),
  parts: v.array(v.any()),
  content: v.optional(v.string()),
  metadata: v.optional(v.any()),
});

export const messageFields = {
  /** The owner: always the owner of the message's thread. */
  resourceId: vOwner,
  /** The caller's own id for the message, unique per owner. */
  id: v.string(),
  /** One of the owner's threads. */
  threadId: v.string(),
  role: vRole,
  /** The message format's name; "v2" unless the caller says otherwise. */
  type: v.string(),
  content: vMessageContent,
  /** Milliseconds since the epoch; messages of a thread are ordered by it. */
  createdAt: v.number(),
};

export const messageTables = {
  messages: defineTable({ ...messageFields, ...messageRecallFields })
    .index("by_resource_id", ["resourceId", "id"])
    .index("by_thread_created", ["resourceId", "threadId", "createdAt"])
    .index("by_resource_created", ["resourceId", "createdAt"])
    // Recall (recallEmbeddings.ts): a vector search hit is read as its message.
    .index("by_embedding", ["embeddingId"]),
};

export const vMessage = v.object(messageFields);
export type Message = Infer<typeof vMessage>;

/** The message format a saved message gets when it names none. */
export const DEFAULT_MESSAGE_TYPE = "v2";

/** A message to save; its owner is the call's `resourceId`. */
export const vMessageInput = v.object({
  id: v.string(),
  /** One of the owner's threads. */
  threadId: v.string(),
  role: vRole,
  type: v.optional(v.string()),
  content: vMessageContent,
  /** Default: now for a new message, unchanged for a re-saved one. */
  createdAt: v.optional(v.number()),
  /**
   * The message's embedding for recall (float64 numbers, or packed little-endian
   * float32 bytes; a supported dimension). Without it, a re-saved message keeps its
   * embedding only if its content is unchanged.
   */
  embedding: v.optional(vVectorValue),
});
export type MessageInput = Infer<typeof vMessageInput>;

export const vMessageUpdate = v.object({
  id: v.string(),
  role: v.optional(vRole),
  type: v.optional(v.string()),
  content: v.optional(vMessageContent),
  createdAt: v.optional(v.number()),
});
export type MessageUpdate = Infer<typeof vMessageUpdate>;

export const vInclude = v.object({
  id: v.string(),
  withPreviousMessages: v.optional(v.number()),
  withNextMessages: v.optional(v.number()),
});
export type Include = Infer<typeof vInclude>;

/** At most this many `include` entries in one listMessages call. */
export const MAX_INCLUDE_ITEMS = 100;
/** At most this many neighbours on each side of one included message. */
export const MAX_CONTEXT_MESSAGES = 100;

/** Arguments of every messages function, shared by the component and the client helper. */
export const messageArgs = {
  saveMessages: { resourceId: vOwner, messages: v.array(vMessageInput) },
  getMessagesByIds: { resourceId: vOwner, ids: v.array(v.string()) },
  listMessages: {
    resourceId: vOwner,
    threadId: v.string(),
    paginationOpts: paginationOptsValidator,
    order: v.optional(vOrder),
    /** Inclusive bounds on createdAt (ms). */
    startDate: v.optional(v.number()),
    endDate: v.optional(v.number()),
    include: v.optional(v.array(vInclude)),
  },
  listMessagesByResource: { resourceId: vOwner, paginationOpts: paginationOptsValidator, order: v.optional(vOrder) },
  updateMessages: { resourceId: vOwner, messages: v.array(vMessageUpdate) },
  deleteMessages: { resourceId: vOwner, ids: v.array(v.string()) },
  countMessages: { resourceId: vOwner, threadId: v.string() },
  watchMessages: { resourceId: vOwner, threadId: v.string(), limit: v.optional(v.number()) },
};

/** Results of every messages function. */
export const messageReturns = {
  saveMessages: v.array(vMessage),
  getMessagesByIds: v.array(vMessage),
  listMessages: v.object({
    ...vPage(vMessage).fields,
    /** The `include`d messages with their neighbours, chronological, each once. */
    included: v.array(vMessage),
  }),
  listMessagesByResource: vPage(vMessage),
  updateMessages: v.array(vMessage),
  deleteMessages: v.number(),
  countMessages: v.number(),
  watchMessages: v.array(vMessage),
};

type ArgsOf<K extends keyof typeof messageArgs> = ObjectType<(typeof messageArgs)[K]>;

/** A stored message as a result (without its recall fields). */
export function toMessage(doc: Doc<"messages">): Message {
  const { embeddingId: _e, embeddingDimension: _d, ...message } = withoutSystemFields(doc);
  return message;
}

/** Whether two message contents are the same JSON value (object keys in any order). */
export function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    if (!(a instanceof ArrayBuffer && b instanceof ArrayBuffer) || a.byteLength !== b.byteLength) return false;
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    return x.every((byte, i) => byte === y[i]);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => sameContent(item, other[i]));
  }
  const ak = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const bk = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return (
    ak.length === bk.length &&
    ak.every((k) => sameContent((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

async function findMessage(db: Reader, resourceId: string, id: string): Promise<Doc<"messages"> | null> {
  return db
    .query("messages")
    .withIndex("by_resource_id", (q) => q.eq("resourceId", resourceId).eq("id", id))
    .unique();
}

/**
 * The owner's threads, read once each. Messages whose thread is gone are
 * invisible (a deleted thread's messages are removed by scheduled batches after
 * the thread itself).
 */
class LiveThreads {
  private readonly found = new Map<string, Doc<"threads"> | null>();
  constructor(
    private readonly db: Reader,
    private readonly resourceId: string,
  ) {}
  async get(threadId: string): Promise<Doc<"threads"> | null> {
    if (!this.found.has(threadId)) this.found.set(threadId, await findThread(this.db, this.resourceId, threadId));
    return this.found.get(threadId)!;
  }
  async isLive(message: Doc<"messages">): Promise<boolean> {
    return (await this.get(message.threadId)) !== null;
  }
}

function checkIds(ids: string[], field: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    checkName(id, field);
    if (seen.has(id)) invalidArgument(`message id "${id}" appears more than once in the batch`, { messageId: id });
    seen.add(id);
  }
}

function checkContent(id: string, content: Message["content"]): void {
  content.parts.forEach((part, index) => {
    if (typeof part !== "object" || part === null || Array.isArray(part)) {
      invalidArgument(`message "${id}": content.parts[${index}] must be a JSON object`, { messageId: id });
    }
  });
  checkPlainObject(content, "content");
}

/**
 * Upserts the owner's messages by id into the owner's threads. A re-saved id
 * replaces that message only; moving it to another thread moves it between the
 * threads' counts. Every thread touched gets a new updatedAt.
 */
export async function saveMessages(db: Writer, args: ArgsOf<"saveMessages">): Promise<Message[]> {
  const { resourceId, messages: inputs } = args;
  checkName(resourceId, "resourceId");
  checkBatch("messages", inputs);
  checkIds(
    inputs.map((m) => m.id),
    "messages[].id",
  );
  for (const input of inputs) {
    checkName(input.threadId, "messages[].threadId");
    checkTime(input.createdAt, "createdAt");
    checkContent(input.id, input.content);
  }
  checkEmbeddingBytes(
    inputs.flatMap((m) =>
      m.embedding === undefined ? [] : [messageEmbeddingBytes(embeddingDimensionOf(m.embedding, `message "${m.id}"`), m.content)],
    ),
  );
  const embeddings = inputs.map((m) => (m.embedding === undefined ? undefined : decodeEmbedding(m.embedding, `message "${m.id}"`)));

  // Read and check everything before the first write.
  const threads = new Map<string, Doc<"threads">>();
  for (const input of inputs) {
    if (!threads.has(input.threadId)) threads.set(input.threadId, await requireThread(db, resourceId, input.threadId));
  }
  const now = Date.now();
  const planned: Array<{ existing: Doc<"messages"> | null; message: Message; embedding?: number[] }> = [];
  for (const [i, input] of inputs.entries()) {
    const existing = await findMessage(db, resourceId, input.id);
    const message: Message = {
      resourceId,
      id: input.id,
      threadId: input.threadId,
      role: input.role,
      type: input.type ?? DEFAULT_MESSAGE_TYPE,
      content: input.content,
      createdAt: input.createdAt ?? existing?.createdAt ?? now,
    };
    const embedding = embeddings[i];
    checkDocument(`message "${input.id}"`, message);
    planned.push({ existing, message, ...(embedding === undefined ? {} : { embedding }) });
  }

  const deltas = new Map<string, number>();
  const bump = (threadId: string, delta: number) => deltas.set(threadId, (deltas.get(threadId) ?? 0) + delta);
  const touched = new Set<string>();
  const embedded = new EmbeddingCounts(resourceId);
  for (const { existing, message, embedding } of planned) {
    touched.add(message.threadId);
    if (existing === null) {
      const recall = await recallFieldsForSave(db, null, false, message, embedding, embedded);
      await db.insert("messages", { ...message, ...recall });
      bump(message.threadId, 1);
      continue;
    }
    let previousLive = true;
    if (existing.threadId !== message.threadId) {
      const previous = threads.get(existing.threadId) ?? (await findThread(db, resourceId, existing.threadId));
      // A message of a thread being deleted is no longer counted there.
      previousLive = previous !== null;
      if (previous !== null) {
        threads.set(previous.id, previous);
        bump(previous.id, -1);
        touched.add(previous.id);
      }
      bump(message.threadId, 1);
    }
    const recall = await recallFieldsForSave(db, existing, previousLive, message, embedding, embedded);
    await db.replace(existing._id, { ...message, ...recall });
  }
  for (const [threadId, delta] of deltas) await addToCounter(db, messageCountKey(resourceId, threadId), delta);
  await embedded.apply(db);
  for (const threadId of touched) await touchThread(db, threads.get(threadId)!, now);
  return planned.map(({ message }) => message);
}

/**
 * The recall fields of a message being saved: a new embedding when one is given; the
 * one it had when its content is unchanged (following it to another thread); none
 * otherwise. Counts the owner's embedded messages per thread.
 */
async function recallFieldsForSave(
  db: Writer,
  existing: Doc<"messages"> | null,
  existingCounted: boolean,
  message: Message,
  embedding: number[] | undefined,
  counts: EmbeddingCounts,
): Promise<RecallFields> {
  const current: RecallFields = existing === null ? { ...NO_EMBEDDING } : recallFieldsOf(existing);
  const had = current.embeddingId !== undefined;
  // A thread being deleted no longer counts its embeddings (deleteThread took them off, and
  // counts them as pending until its batches delete them): this one leaves it.
  if (had && existingCounted) counts.add(existing!.threadId, -1);
  if (had && !existingCounted) counts.leaveDeletion();
  let next: RecallFields;
  if (embedding !== undefined) {
    next = await writeEmbedding(
      db,
      { resourceId: message.resourceId, messageId: message.id, threadId: message.threadId, content: message.content },
      embedding,
      current,
    );
  } else if (had && sameContent(existing!.content, message.content)) {
    if (existing!.threadId !== message.threadId) await moveEmbedding(db, current, message.resourceId, message.threadId);
    next = current;
  } else {
    next = await dropEmbedding(db, current);
  }
  if (next.embeddingId !== undefined) counts.add(message.threadId, 1);
  return next;
}

/** The owner's messages (of live threads) among `ids`, in the order of `ids`, each once. */
export async function getMessagesByIds(db: Reader, args: ArgsOf<"getMessagesByIds">): Promise<Message[]> {
  checkName(args.resourceId, "resourceId");
  checkBatch("message ids", args.ids);
  for (const id of args.ids) checkName(id, "ids[]");
  const live = new LiveThreads(db, args.resourceId);
  const found: Message[] = [];
  for (const id of new Set(args.ids)) {
    const doc = await findMessage(db, args.resourceId, id);
    if (doc !== null && (await live.isLive(doc))) found.push(toMessage(doc));
  }
  return found;
}

/** Changes role, type, content or createdAt of the owner's messages; NOT_FOUND (nothing written) if any is missing. */
export async function updateMessages(db: Writer, args: ArgsOf<"updateMessages">): Promise<Message[]> {
  const { resourceId, messages: updates } = args;
  checkName(resourceId, "resourceId");
  checkBatch("message updates", updates);
  checkIds(
    updates.map((m) => m.id),
    "messages[].id",
  );
  const live = new LiveThreads(db, resourceId);
  const planned: Array<{ doc: Doc<"messages">; message: Message }> = [];
  for (const update of updates) {
    checkTime(update.createdAt, "createdAt");
    if (update.content !== undefined) checkContent(update.id, update.content);
    const doc = await findMessage(db, resourceId, update.id);
    if (doc === null || !(await live.isLive(doc))) {
      return notFound(`message "${update.id}" does not exist`, { messageId: update.id });
    }
    const message = toMessage(doc);
    if (update.role !== undefined) message.role = update.role;
    if (update.type !== undefined) message.type = update.type;
    if (update.content !== undefined) message.content = update.content;
    if (update.createdAt !== undefined) message.createdAt = update.createdAt;
    checkDocument(`message "${update.id}"`, message);
    planned.push({ doc, message });
  }
  const now = Date.now();
  const touched = new Set<string>();
  const embedded = new EmbeddingCounts(resourceId);
  for (const { doc, message } of planned) {
    let recall = recallFieldsOf(doc);
    if (recall.embeddingId !== undefined && !sameContent(doc.content, message.content)) {
      recall = await dropEmbedding(db, recall); // it described the old content
      embedded.add(doc.threadId, -1);
    }
    await db.replace(doc._id, { ...message, ...recall });
    touched.add(message.threadId);
  }
  await embedded.apply(db);
  for (const threadId of touched) await touchThread(db, (await live.get(threadId))!, now);
  return planned.map(({ message }) => message);
}

/** Deletes the owner's messages that exist among `ids`; returns how many were deleted. */
export async function deleteMessages(db: Writer, args: ArgsOf<"deleteMessages">): Promise<number> {
  checkName(args.resourceId, "resourceId");
  checkBatch("message ids", args.ids);
  for (const id of args.ids) checkName(id, "ids[]");
  const live = new LiveThreads(db, args.resourceId);
  const deltas = new Map<string, number>();
  const embedded = new EmbeddingCounts(args.resourceId);
  for (const id of new Set(args.ids)) {
    const doc = await findMessage(db, args.resourceId, id);
    if (doc === null || !(await live.isLive(doc))) continue;
    if (doc.embeddingId !== undefined) {
      await dropEmbedding(db, doc);
      embedded.add(doc.threadId, -1);
    }
    await db.delete(doc._id);
    deltas.set(doc.threadId, (deltas.get(doc.threadId) ?? 0) - 1);
  }
  await embedded.apply(db);
  const now = Date.now();
  let deleted = 0;
  for (const [threadId, delta] of deltas) {
    deleted -= delta;
    await addToCounter(db, messageCountKey(args.resourceId, threadId), delta);
    await touchThread(db, (await live.get(threadId))!, now);
  }
  return deleted;
}

/** The exact number of messages of the owner's thread (0 for a missing thread; one read). */
export async function countMessages(db: Reader, args: ArgsOf<"countMessages">): Promise<number> {
  checkName(args.resourceId, "resourceId");
  checkName(args.threadId, "threadId");
  return readCounter(db, messageCountKey(args.resourceId, args.threadId));
}

/**
 * A page of the owner's thread's messages by createdAt (asc by default),
 * optionally within [startDate, endDate], with the `include`d messages and
 * their neighbours. A missing (or deleted) thread has no messages.
 */
export async function listMessages(db: Reader, args: ArgsOf<"listMessages">) {
  const { resourceId, threadId, startDate, endDate } = args;
  checkName(resourceId, "resourceId");
  checkName(threadId, "threadId");
  checkTime(startDate, "startDate");
  checkTime(endDate, "endDate");
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const include = args.include ?? [];
  checkIncludes(include);
  const thread = await findThread(db, resourceId, threadId);
  if (thread === null) {
    return { page: [], isDone: true, continueCursor: args.paginationOpts.cursor ?? "", included: [] };
  }
  const query = db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const inThread = q.eq("resourceId", resourceId).eq("threadId", threadId);
      if (startDate !== undefined && endDate !== undefined) {
        return inThread.gte("createdAt", startDate).lte("createdAt", endDate);
      }
      if (startDate !== undefined) return inThread.gte("createdAt", startDate);
      if (endDate !== undefined) return inThread.lte("createdAt", endDate);
      return inThread;
    })
    .order((args.order ?? "asc") as Order);
  const result = await paginateChecked(query, opts);
  return {
    ...pageOf(result, result.page.map(toMessage)),
    included: await includedMessages(db, thread, include),
  };
}

function checkIncludes(include: Include[]): void {
  if (include.length > MAX_INCLUDE_ITEMS) {
    limitExceeded(`include names ${include.length} messages; at most ${MAX_INCLUDE_ITEMS} are allowed: split the call`, {
      limit: "includeItems",
      max: MAX_INCLUDE_ITEMS,
      actual: include.length,
    });
  }
  for (const item of include) {
    checkName(item.id, "include[].id");
    for (const [name, value] of [
      ["withPreviousMessages", item.withPreviousMessages],
      ["withNextMessages", item.withNextMessages],
    ] as const) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0) {
        invalidArgument(`include[].${name} must be a non-negative integer`, { field: `include.${name}` });
      }
      if (value > MAX_CONTEXT_MESSAGES) {
        limitExceeded(`include[].${name} is ${value}; at most ${MAX_CONTEXT_MESSAGES} are allowed`, {
          limit: "contextMessages",
          max: MAX_CONTEXT_MESSAGES,
          actual: value,
        });
      }
    }
  }
}

/**
 * Each included message of the thread with up to N messages before and M after
 * it (in thread order: createdAt, then insertion), deduplicated, chronological.
 * Ids that are not messages of this thread are skipped.
 */
async function includedMessages(db: Reader, thread: Doc<"threads">, include: Include[]): Promise<Message[]> {
  const byId = new Map<string, Doc<"messages">>();
  for (const item of include) {
    const target = await findMessage(db, thread.resourceId, item.id);
    if (target === null || target.threadId !== thread.id) continue;
    byId.set(target.id, target);
    for (const doc of await neighbours(db, target, "before", item.withPreviousMessages ?? 0)) byId.set(doc.id, doc);
    for (const doc of await neighbours(db, target, "after", item.withNextMessages ?? 0)) byId.set(doc.id, doc);
  }
  return [...byId.values()]
    .sort((a, b) => a.createdAt - b.createdAt || a._creationTime - b._creationTime)
    .map(toMessage);
}

async function neighbours(db: Reader, target: Doc<"messages">, side: "before" | "after", count: number) {
  if (count === 0) return [];
  const order = side === "before" ? "desc" : "asc";
  // Messages with the same createdAt, on the right side of the target in index order...
  const sameTime = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const at = q.eq("resourceId", target.resourceId).eq("threadId", target.threadId).eq("createdAt", target.createdAt);
      return side === "before"
        ? at.lt("_creationTime", target._creationTime)
        : at.gt("_creationTime", target._creationTime);
    })
    .order(order)
    .take(count);
  if (sameTime.length === count) return sameTime;
  // ...then those strictly earlier or later.
  const rest = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const inThread = q.eq("resourceId", target.resourceId).eq("threadId", target.threadId);
      return side === "before" ? inThread.lt("createdAt", target.createdAt) : inThread.gt("createdAt", target.createdAt);
    })
    .order(order)
    .take(count - sameTime.length);
  return [...sameTime, ...rest];
}

/** A page of the owner's messages across its threads (messages of deleted threads are left out). */
export async function listMessagesByResource(db: Reader, args: ArgsOf<"listMessagesByResource">) {
  checkName(args.resourceId, "resourceId");
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const query = db
    .query("messages")
    .withIndex("by_resource_created", (q) => q.eq("resourceId", args.resourceId))
    .order((args.order ?? "asc") as Order);
  const result = await paginateChecked(query, opts);
  const live = new LiveThreads(db, args.resourceId);
  const page: Message[] = [];
  for (const doc of result.page) if (await live.isLive(doc)) page.push(toMessage(doc));
  return pageOf(result, page);
}

/** The latest `limit` messages (1 to 1,000, default 50) of the owner's thread, in chronological order. */
export async function latestMessages(db: Reader, args: ArgsOf<"watchMessages">): Promise<Message[]> {
  checkName(args.resourceId, "resourceId");
  checkName(args.threadId, "threadId");
  const limit = watchLimit(args.limit);
  if ((await findThread(db, args.resourceId, args.threadId)) === null) return [];
  const docs = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => q.eq("resourceId", args.resourceId).eq("threadId", args.threadId))
    .order("desc")
    .take(limit);
  return docs.reverse().map(toMessage);
}
