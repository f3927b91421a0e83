/** Tables, validators and helpers of the messages domain. */
import { defineTable, paginationOptsValidator } from "convex/server";
import type { GenericDatabaseReader, GenericDatabaseWriter, PaginationOptions } from "convex/server";
import { v, type Infer } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { addToCounter, readCounter } from "./counters.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { checkBatch, checkDocument, limitExceeded } from "./limits.js";
import { checkTime } from "./jsonText.js";
import { boundedPage, pageOf, vPage } from "./pagination.js";
import {
  findThread,
  messageCountKey,
  requireThread,
  touchThread,
  vOrder,
  watchLimit,
} from "./threads.js";

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
  /** The caller's own id for the message (unique across the component). */
  id: v.string(),
  threadId: v.string(),
  /** Always the thread's resource. */
  resourceId: v.string(),
  role: vRole,
  /** The message format's name; "v2" unless the caller says otherwise. */
  type: v.string(),
  content: vMessageContent,
  /** Milliseconds since the epoch; messages of a thread are ordered by it. */
  createdAt: v.number(),
};

export const messageTables = {
  messages: defineTable(messageFields)
    .index("by_external_id", ["id"])
    .index("by_thread_created", ["threadId", "createdAt"])
    .index("by_resource_created", ["resourceId", "createdAt"]),
};

export const vMessage = v.object(messageFields);
export type Message = Infer<typeof vMessage>;

export const DEFAULT_MESSAGE_TYPE = "v2";

export const vMessageInput = v.object({
  id: v.string(),
  threadId: v.string(),
  /** Defaults to the thread's resource; any other value is refused. */
  resourceId: v.optional(v.string()),
  role: vRole,
  type: v.optional(v.string()),
  content: vMessageContent,
  /** Default: now for a new message, unchanged for a re-saved one. */
  createdAt: v.optional(v.number()),
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

/** Args and returns of every messages function, shared by the component and the client helper. */
export const messageSignatures = {
  saveMessages: {
    args: { messages: v.array(vMessageInput) },
    returns: v.array(vMessage),
  },
  getMessagesByIds: {
    args: { ids: v.array(v.string()) },
    returns: v.array(vMessage),
  },
  listMessages: {
    args: {
      threadId: v.string(),
      paginationOpts: paginationOptsValidator,
      order: v.optional(vOrder),
      /** Inclusive bounds on createdAt (ms). */
      startDate: v.optional(v.number()),
      endDate: v.optional(v.number()),
      include: v.optional(v.array(vInclude)),
    },
    returns: v.object({
      ...vPage(vMessage).fields,
      /** The `include`d messages with their neighbours, chronological, each once. */
      included: v.array(vMessage),
    }),
  },
  listMessagesByResource: {
    args: { resourceId: v.string(), paginationOpts: paginationOptsValidator, order: v.optional(vOrder) },
    returns: vPage(vMessage),
  },
  updateMessages: {
    args: { messages: v.array(vMessageUpdate) },
    returns: v.array(vMessage),
  },
  deleteMessages: {
    args: { ids: v.array(v.string()) },
    returns: v.number(),
  },
  countMessages: {
    args: { threadId: v.string() },
    returns: v.number(),
  },
  watchMessages: {
    args: { threadId: v.string(), limit: v.optional(v.number()) },
    returns: v.array(vMessage),
  },
};

export function toMessage(doc: Doc<"messages">): Message {
  const { _id, _creationTime, ...message } = doc;
  return message;
}

async function findMessage(db: Reader, id: string): Promise<Doc<"messages"> | null> {
  return db
    .query("messages")
    .withIndex("by_external_id", (q) => q.eq("id", id))
    .unique();
}

/**
 * Messages whose thread is gone are invisible (a deleted thread's messages are
 * removed by scheduled batches after the thread itself).
 */
class LiveThreads {
  private readonly exists = new Map<string, Doc<"threads"> | null>();
  constructor(private readonly db: Reader) {}
  async get(threadId: string): Promise<Doc<"threads"> | null> {
    if (!this.exists.has(threadId)) this.exists.set(threadId, await findThread(this.db, threadId));
    return this.exists.get(threadId)!;
  }
  async isLive(message: Doc<"messages">): Promise<boolean> {
    return (await this.get(message.threadId)) !== null;
  }
}

function checkUniqueIds(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
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
}

/**
 * Upserts messages by id. A re-saved id replaces that message only; moving it to
 * another thread of the same resource moves it between the threads' counts.
 * Every thread touched gets a new updatedAt.
 */
export async function saveMessages(db: Writer, inputs: MessageInput[]): Promise<Message[]> {
  checkBatch("messages", inputs);
  checkUniqueIds(inputs.map((m) => m.id));
  for (const input of inputs) {
    checkTime(input.createdAt, "createdAt");
    checkContent(input.id, input.content);
  }

  // Read and check everything before the first write.
  const threads = new Map<string, Doc<"threads">>();
  for (const input of inputs) {
    if (!threads.has(input.threadId)) threads.set(input.threadId, await requireThread(db, input.threadId));
    const thread = threads.get(input.threadId)!;
    if (input.resourceId !== undefined && input.resourceId !== thread.resourceId) {
      invalidArgument(
        `message "${input.id}" names resource "${input.resourceId}" but its thread "${thread.id}" belongs to "${thread.resourceId}"`,
        { messageId: input.id, threadId: thread.id },
      );
    }
  }
  const now = Date.now();
  const planned: Array<{ existing: Doc<"messages"> | null; message: Message }> = [];
  for (const input of inputs) {
    const thread = threads.get(input.threadId)!;
    const existing = await findMessage(db, input.id);
    if (existing !== null && existing.resourceId !== thread.resourceId) {
      conflict(`message id "${input.id}" is taken by a message of another resource`, { messageId: input.id });
    }
    const message: Message = {
      id: input.id,
      threadId: thread.id,
      resourceId: thread.resourceId,
      role: input.role,
      type: input.type ?? DEFAULT_MESSAGE_TYPE,
      content: input.content,
      createdAt: input.createdAt ?? existing?.createdAt ?? now,
    };
    checkDocument(`message "${input.id}"`, message);
    planned.push({ existing, message });
  }

  const deltas = new Map<string, number>();
  const bump = (threadId: string, delta: number) => deltas.set(threadId, (deltas.get(threadId) ?? 0) + delta);
  const touched = new Set<string>();
  for (const { existing, message } of planned) {
    touched.add(message.threadId);
    if (existing === null) {
      await db.insert("messages", message);
      bump(message.threadId, 1);
      continue;
    }
    if (existing.threadId !== message.threadId) {
      const previous = threads.get(existing.threadId) ?? (await findThread(db, existing.threadId));
      // A message of a thread being deleted is no longer counted there.
      if (previous !== null) {
        threads.set(previous.id, previous);
        bump(previous.id, -1);
        touched.add(previous.id);
      }
      bump(message.threadId, 1);
    }
    await db.replace(existing._id, message);
  }
  for (const [threadId, delta] of deltas) await addToCounter(db, messageCountKey(threadId), delta);
  for (const threadId of touched) await touchThread(db, threads.get(threadId)!, now);
  return planned.map(({ message }) => message);
}

/** The messages found (of live threads), in the order of `ids`, each once. */
export async function getMessagesByIds(db: Reader, ids: string[]): Promise<Message[]> {
  checkBatch("message ids", ids);
  const live = new LiveThreads(db);
  const found: Message[] = [];
  for (const id of new Set(ids)) {
    const doc = await findMessage(db, id);
    if (doc !== null && (await live.isLive(doc))) found.push(toMessage(doc));
  }
  return found;
}

export async function updateMessages(db: Writer, updates: MessageUpdate[]): Promise<Message[]> {
  checkBatch("message updates", updates);
  checkUniqueIds(updates.map((m) => m.id));
  const live = new LiveThreads(db);
  const planned: Array<{ doc: Doc<"messages">; message: Message }> = [];
  for (const update of updates) {
    checkTime(update.createdAt, "createdAt");
    if (update.content !== undefined) checkContent(update.id, update.content);
    const doc = await findMessage(db, update.id);
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
  for (const { doc, message } of planned) {
    await db.replace(doc._id, message);
    touched.add(message.threadId);
  }
  for (const threadId of touched) await touchThread(db, (await live.get(threadId))!, now);
  return planned.map(({ message }) => message);
}

/** Deletes the messages that exist; returns how many were deleted. */
export async function deleteMessages(db: Writer, ids: string[]): Promise<number> {
  checkBatch("message ids", ids);
  const live = new LiveThreads(db);
  const deltas = new Map<string, number>();
  for (const id of new Set(ids)) {
    const doc = await findMessage(db, id);
    if (doc === null || !(await live.isLive(doc))) continue;
    await db.delete(doc._id);
    deltas.set(doc.threadId, (deltas.get(doc.threadId) ?? 0) - 1);
  }
  const now = Date.now();
  let deleted = 0;
  for (const [threadId, delta] of deltas) {
    deleted -= delta;
    await addToCounter(db, messageCountKey(threadId), delta);
    await touchThread(db, (await live.get(threadId))!, now);
  }
  return deleted;
}

export async function countMessages(db: Reader, threadId: string): Promise<number> {
  return readCounter(db, messageCountKey(threadId));
}

function checkDateRange(startDate: number | undefined, endDate: number | undefined): void {
  checkTime(startDate, "startDate");
  checkTime(endDate, "endDate");
}

export async function listMessages(
  db: Reader,
  args: {
    threadId: string;
    paginationOpts: PaginationOptions;
    order?: "asc" | "desc";
    startDate?: number;
    endDate?: number;
    include?: Include[];
  },
) {
  checkDateRange(args.startDate, args.endDate);
  const opts = boundedPage(args.paginationOpts);
  checkIncludes(args.include ?? []);
  const thread = await findThread(db, args.threadId);
  if (thread === null) {
    // A missing (or deleted) thread has no messages.
    return { page: [], isDone: true, continueCursor: args.paginationOpts.cursor ?? "", included: [] };
  }
  const { threadId, startDate, endDate } = args;
  const result = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => {
      const inThread = q.eq("threadId", threadId);
      if (startDate !== undefined && endDate !== undefined) {
        return inThread.gte("createdAt", startDate).lte("createdAt", endDate);
      }
      if (startDate !== undefined) return inThread.gte("createdAt", startDate);
      if (endDate !== undefined) return inThread.lte("createdAt", endDate);
      return inThread;
    })
    .order(args.order ?? "asc")
    .paginate(opts);
  return {
    ...pageOf(result, result.page.map(toMessage)),
    included: await includedMessages(db, threadId, args.include ?? []),
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
    for (const [name, value] of [
      ["withPreviousMessages", item.withPreviousMessages],
      ["withNextMessages", item.withNextMessages],
    ] as const) {
      if (value === undefined) continue;
      if (!Number.isInteger(value) || value < 0) invalidArgument(`include.${name} must be a non-negative integer`);
      if (value > MAX_CONTEXT_MESSAGES) {
        limitExceeded(`include.${name} is ${value}; at most ${MAX_CONTEXT_MESSAGES} are allowed`, {
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
async function includedMessages(db: Reader, threadId: string, include: Include[]): Promise<Message[]> {
  const byId = new Map<string, Doc<"messages">>();
  for (const item of include) {
    const target = await findMessage(db, item.id);
    if (target === null || target.threadId !== threadId) continue;
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
      const at = q.eq("threadId", target.threadId).eq("createdAt", target.createdAt);
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
      const inThread = q.eq("threadId", target.threadId);
      return side === "before" ? inThread.lt("createdAt", target.createdAt) : inThread.gt("createdAt", target.createdAt);
    })
    .order(order)
    .take(count - sameTime.length);
  return [...sameTime, ...rest];
}

/** A page of a resource's messages across its threads (messages of deleted threads are left out). */
export async function listMessagesByResource(
  db: Reader,
  args: { resourceId: string; paginationOpts: PaginationOptions; order?: "asc" | "desc" },
) {
  const result = await db
    .query("messages")
    .withIndex("by_resource_created", (q) => q.eq("resourceId", args.resourceId))
    .order(args.order ?? "asc")
    .paginate(boundedPage(args.paginationOpts));
  const live = new LiveThreads(db);
  const page: Message[] = [];
  for (const doc of result.page) if (await live.isLive(doc)) page.push(toMessage(doc));
  return pageOf(result, page);
}

/** The latest `limit` messages of a thread, in chronological order. */
export async function latestMessages(db: Reader, threadId: string, limit: number | undefined): Promise<Message[]> {
  const max = watchLimit(limit);
  if ((await findThread(db, threadId)) === null) return [];
  const docs = await db
    .query("messages")
    .withIndex("by_thread_created", (q) => q.eq("threadId", threadId))
    .order("desc")
    .take(max);
  return docs.reverse().map(toMessage);
}
