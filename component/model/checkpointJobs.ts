/**
 * The checkpoints domain's operations on whole threads, every one in bounded
 * batches: deleting a thread (at once for readers, purged by the scheduler),
 * deleting the checkpoints of runs, copying a thread, and pruning.
 *
 * Batches read at most BATCH_DOCUMENTS documents and PAGE_BYTES bytes, and write
 * what they read (a copy) or delete it: far under a transaction's 16 MiB and
 * 16,000 / 32,000 documents.
 */
import type { GenericDatabaseReader, GenericDatabaseWriter, Scheduler } from "convex/server";
import { v } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc, Id, TableNames } from "../_generated/dataModel.js";
import { conflict, invalidArgument } from "./errors.js";
import { checkBatch } from "./limits.js";
import { paginateChecked } from "./pagination.js";
import { checkOwner } from "./shared.js";
import {
  BATCH_DOCUMENTS,
  blobKeyOf,
  checkThreadArgs,
  findNamespace,
  findThreadRow,
  liveThread,
  MAX_IDS_PER_CALL,
  PAGE_BYTES,
  type CheckpointArgs,
  type ThreadRef,
  writeKeyOf,
} from "./checkpoints.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** Every table of a thread, with an index whose first field is `thread`. */
const THREAD_TABLES = [
  { table: "checkpointNamespaces", index: "by_thread_ns" },
  { table: "checkpoints", index: "by_thread_ns_id" },
  { table: "checkpointTags", index: "by_thread_ns_checkpoint" },
  { table: "checkpointBlobs", index: "by_thread_ns_channel_version" },
  { table: "checkpointWrites", index: "by_checkpoint_task" },
  { table: "checkpointChunks", index: "by_thread_key_seq" },
] as const;
type ThreadTable = (typeof THREAD_TABLES)[number]["table"];

/** One page of a thread's rows of one table (one `paginate`: one per function). */
function threadPage(db: Reader, phase: number, thread: ThreadRef, cursor: string | null) {
  const { table, index } = THREAD_TABLES[phase];
  // Every entry's index starts with `thread`; the cast spares one branch per table.
  return paginateChecked((db.query(table) as any).withIndex(index, (q: any) => q.eq("thread", thread)), {
    numItems: BATCH_DOCUMENTS,
    cursor,
    maximumBytesRead: PAGE_BYTES,
  }) as Promise<{
    page: Array<Doc<ThreadTable>>;
    isDone: boolean;
    continueCursor: string;
  }>;
}

// ---------------------------------------------------------------- deleting a thread

export const vPurgeArgs = { thread: v.id("checkpointThreads"), phase: v.number() };

/** Deletes the registry row (the thread is gone for readers at once) and schedules the purge of its rows. */
export async function retireThread(db: Writer, scheduler: Scheduler, row: Doc<"checkpointThreads">) {
  await db.delete(row._id);
  await scheduler.runAfter(0, internal.checkpoints.purgeThread, { thread: row._id, phase: 0 });
}

/** One batch of a purge: deletes the first page of the current table, then schedules the next batch. */
export async function purgeThreadBatch(db: Writer, scheduler: Scheduler, args: { thread: ThreadRef; phase: number }) {
  // Rows read are deleted, so every batch starts again at the beginning of the range.
  const batch = await threadPage(db, args.phase, args.thread, null);
  for (const doc of batch.page) await db.delete(doc._id as Id<TableNames>);
  const next = batch.isDone ? args.phase + 1 : args.phase;
  if (next < THREAD_TABLES.length) {
    await scheduler.runAfter(0, internal.checkpoints.purgeThread, { thread: args.thread, phase: next });
  }
  return { deleted: batch.page.length, done: next >= THREAD_TABLES.length };
}

export async function deleteCheckpointThread(db: Writer, scheduler: Scheduler, args: CheckpointArgs<"deleteCheckpointThread">) {
  checkThreadArgs(args);
  const row = await findThreadRow(db, args.resourceId, args.threadId);
  if (row !== null) await retireThread(db, scheduler, row);
  return null;
}

// ---------------------------------------------------------------- deleting runs

/** Deletes one checkpoint with its tags and pending writes; returns the documents deleted. */
async function deleteCheckpointRow(db: Writer, row: Doc<"checkpoints">): Promise<number> {
  let deleted = 1;
  await db.delete(row._id);
  const tags = db
    .query("checkpointTags")
    .withIndex("by_thread_ns_checkpoint", (q) => q.eq("thread", row.thread).eq("checkpointNs", row.checkpointNs).eq("checkpointId", row.checkpointId));
  for await (const tag of tags) {
    await db.delete(tag._id);
    deleted++;
  }
  const writes = db
    .query("checkpointWrites")
    .withIndex("by_checkpoint_task", (q) => q.eq("thread", row.thread).eq("checkpointNs", row.checkpointNs).eq("checkpointId", row.checkpointId));
  for await (const write of writes) {
    deleted += await deleteWithChunks(db, write, writeKeyOf(write.checkpointNs, write.checkpointId, write.taskId, write.idx));
  }
  return deleted;
}

async function deleteWithChunks(db: Writer, head: Doc<"checkpointWrites"> | Doc<"checkpointBlobs">, key: string): Promise<number> {
  let deleted = 1;
  await db.delete(head._id);
  if (head.chunkCount > 1) {
    const chunks = await db
      .query("checkpointChunks")
      .withIndex("by_thread_key_seq", (q) => q.eq("thread", head.thread).eq("key", key).gte("seq", 1))
      .take(head.chunkCount - 1);
    for (const chunk of chunks) await db.delete(chunk._id);
    deleted += chunks.length;
  }
  return deleted;
}

/**
 * Deletes the checkpoints (with their writes) whose metadata `run_id` is one of
 * `runIds`, in the owner's threads: one bounded batch per call. Checkpoints
 * deleted are gone at once; `done: false` means more remain: call again.
 */
export async function deleteCheckpointsForRuns(db: Writer, args: CheckpointArgs<"deleteCheckpointsForRuns">) {
  checkOwner(args.resourceId);
  checkBatch("run ids", args.runIds, MAX_IDS_PER_CALL);
  let budget = BATCH_DOCUMENTS;
  const counts = new Map<string, Doc<"checkpointNamespaces"> | null>();
  for (const runId of new Set(args.runIds)) {
    const rows = db.query("checkpoints").withIndex("by_owner_run", (q) => q.eq("resourceId", args.resourceId).eq("runId", runId));
    for await (const row of rows) {
      if (budget <= 0) return { done: false };
      budget -= await deleteCheckpointRow(db, row);
      const key = `${row.thread}\u0000${row.checkpointNs}`;
      if (!counts.has(key)) counts.set(key, await findNamespace(db, row.thread, row.checkpointNs));
      const ns = counts.get(key)!;
      if (ns !== null && row.checkpointId >= (ns.floor ?? "") && ns.count > 0) {
        ns.count -= 1;
        await db.patch(ns._id, { count: ns.count });
      }
    }
  }
  return { done: true };
}

// ---------------------------------------------------------------- copying a thread

type CopyState = { source: ThreadRef; target: ThreadRef; phase: number; cursor: string | null };

function decodeCopyCursor(db: Reader, text: string): CopyState {
  try {
    const state = JSON.parse(text) as CopyState;
    const source = db.normalizeId("checkpointThreads", state.source);
    const target = db.normalizeId("checkpointThreads", state.target);
    if (source !== null && target !== null && Number.isInteger(state.phase) && state.phase >= 0 && state.phase < THREAD_TABLES.length) {
      return { source, target, phase: state.phase, cursor: typeof state.cursor === "string" ? state.cursor : null };
    }
  } catch {
    // fall through
  }
  return invalidArgument("cursor is not a cursor of copyCheckpointThread", { field: "cursor" });
}

/**
 * Copies every row of a thread to another thread of the same owner, one
 * bounded batch per call; the target stays invisible until the last batch,
 * and `done: false` means: call again with `cursor`. The target must not
 * exist (CONFLICT); a copy into it that was left unfinished is dropped and
 * started again. A missing source copies nothing.
 */
export async function copyCheckpointThread(db: Writer, scheduler: Scheduler, args: CheckpointArgs<"copyCheckpointThread">) {
  checkThreadArgs({ resourceId: args.resourceId, threadId: args.sourceThreadId });
  checkThreadArgs({ resourceId: args.resourceId, threadId: args.targetThreadId });
  if (args.sourceThreadId === args.targetThreadId) invalidArgument("sourceThreadId and targetThreadId are the same thread");
  let state: CopyState;
  if (args.cursor === undefined) {
    const source = await liveThread(db, args.resourceId, args.sourceThreadId);
    if (source === null) return { done: true };
    const existing = await findThreadRow(db, args.resourceId, args.targetThreadId);
    if (existing !== null) {
      if (existing.status === "live") {
        conflict(`thread "${args.targetThreadId}" exists; copy into a new thread id (or delete it first)`, { threadId: args.targetThreadId });
      }
      await retireThread(db, scheduler, existing);
    }
    const now = Date.now();
    const target = await db.insert("checkpointThreads", {
      resourceId: args.resourceId,
      threadId: args.targetThreadId,
      status: "copying",
      createdAt: now,
      updatedAt: now,
    });
    state = { source: source._id, target, phase: 0, cursor: null };
  } else {
    state = decodeCopyCursor(db, args.cursor);
    const target = await db.get(state.target);
    if (target === null || target.status !== "copying" || target.resourceId !== args.resourceId || target.threadId !== args.targetThreadId) {
      conflict("this copy was superseded or cancelled; start it again without a cursor", { threadId: args.targetThreadId });
    }
    const source = await liveThread(db, args.resourceId, args.sourceThreadId);
    if (source === null || source._id !== state.source) {
      await retireThread(db, scheduler, target!);
      conflict(`thread "${args.sourceThreadId}" was deleted during the copy`, { threadId: args.sourceThreadId });
    }
  }
  const batch = await threadPage(db, state.phase, state.source, state.cursor);
  const table = THREAD_TABLES[state.phase].table;
  for (const doc of batch.page) {
    const { _id, _creationTime, ...fields } = doc as Doc<ThreadTable> & Record<string, unknown>;
    await db.insert(table, { ...(fields as any), thread: state.target });
  }
  if (!batch.isDone) {
    return { done: false, cursor: JSON.stringify({ ...state, cursor: batch.continueCursor }) };
  }
  if (state.phase + 1 < THREAD_TABLES.length) {
    return { done: false, cursor: JSON.stringify({ ...state, phase: state.phase + 1, cursor: null }) };
  }
  await db.patch(state.target, { status: "live", updatedAt: Date.now() });
  return { done: true };
}

// ---------------------------------------------------------------- pruning

type PruneState = { thread: number; after: string | null };

function decodePruneCursor(text: string | undefined, threads: number): PruneState {
  if (text === undefined) return { thread: 0, after: null };
  try {
    const state = JSON.parse(text) as PruneState;
    if (Number.isInteger(state.thread) && state.thread >= 0 && state.thread <= threads && (state.after === null || typeof state.after === "string")) {
      return state;
    }
  } catch {
    // fall through
  }
  return invalidArgument("cursor is not a cursor of pruneCheckpoints", { field: "cursor" });
}

/**
 * LangGraph's prune: "delete" deletes each thread (at once, purged in
 * batches); "keep_latest" keeps the latest checkpoint of every namespace of
 * each thread: a floor per namespace hides the older ones at once, and a
 * scheduled purge deletes them with their writes and the blobs nothing visible
 * uses. Namespaces are floored in batches: `done: false` means call again.
 */
export async function pruneCheckpoints(db: Writer, scheduler: Scheduler, args: CheckpointArgs<"pruneCheckpoints">) {
  checkBatch("thread ids", args.threadIds, MAX_IDS_PER_CALL);
  for (const threadId of args.threadIds) checkThreadArgs({ resourceId: args.resourceId, threadId });
  if (args.strategy === "delete") {
    for (const threadId of new Set(args.threadIds)) {
      const row = await findThreadRow(db, args.resourceId, threadId);
      if (row !== null) await retireThread(db, scheduler, row);
    }
    return { done: true };
  }
  const state = decodePruneCursor(args.cursor, args.threadIds.length);
  let budget = BATCH_DOCUMENTS / 4;
  for (let i = state.thread; i < args.threadIds.length; i++) {
    const thread = await liveThread(db, args.resourceId, args.threadIds[i]);
    if (thread === null) continue;
    const after = i === state.thread ? state.after : null;
    const namespaces = db
      .query("checkpointNamespaces")
      .withIndex("by_thread_ns", (q) => (after === null ? q.eq("thread", thread._id) : q.eq("thread", thread._id).gt("checkpointNs", after)));
    let floored = false;
    let lastHandled = after;
    const schedulePurge = () =>
      scheduler.runAfter(0, internal.checkpoints.purgePruned, { thread: thread._id, after: null, phase: 0, cursor: null });
    for await (const ns of namespaces) {
      if (budget <= 0) {
        if (floored) await schedulePurge();
        return { done: false, cursor: JSON.stringify({ thread: i, after: lastHandled }) };
      }
      budget--;
      lastHandled = ns.checkpointNs;
      const latest = await db
        .query("checkpoints")
        .withIndex("by_thread_ns_id", (q) => q.eq("thread", thread._id).eq("checkpointNs", ns.checkpointNs).gte("checkpointId", ns.floor ?? ""))
        .order("desc")
        .first();
      if (latest === null || latest.checkpointId === ns.floor) continue;
      await db.patch(ns._id, { floor: latest.checkpointId, count: 1 });
      floored = true;
    }
    if (floored) await schedulePurge();
  }
  return { done: true };
}

export const vPurgePrunedArgs = {
  thread: v.id("checkpointThreads"),
  /** Namespaces up to this one are done. */
  after: v.union(v.string(), v.null()),
  phase: v.number(),
  cursor: v.union(v.string(), v.null()),
};

const PRUNE_PHASES = 4;
/** The blob purge of a pruned namespace runs only while this many checkpoints or fewer are visible in it. */
const MAX_VISIBLE_FOR_BLOB_PURGE = 100;
/** Blobs younger than this are never purged by a prune. */
const BLOB_GRACE_MS = 60_000;

/**
 * One batch of the purge after a prune, for the first namespace (after
 * `after`) that has a floor: deletes checkpoints below the floor (phase 0),
 * their tags (1), their writes (2), then the blobs that neither the floor
 * checkpoint uses nor were written after the prune (3).
 */
export async function purgePrunedBatch(
  db: Writer,
  scheduler: Scheduler,
  args: { thread: ThreadRef; after: string | null; phase: number; cursor: string | null },
) {
  if ((await db.get(args.thread)) === null) return { done: true }; // the thread's own purge deletes everything
  const after = args.after;
  let ns: Doc<"checkpointNamespaces"> | null = null;
  let skipped = 0;
  const namespaces = db
    .query("checkpointNamespaces")
    .withIndex("by_thread_ns", (q) => (after === null ? q.eq("thread", args.thread) : q.eq("thread", args.thread).gt("checkpointNs", after)));
  for await (const row of namespaces) {
    if (row.floor !== undefined) {
      ns = row;
      break;
    }
    if (++skipped >= BATCH_DOCUMENTS) {
      await scheduler.runAfter(0, internal.checkpoints.purgePruned, { thread: args.thread, after: row.checkpointNs, phase: 0, cursor: null });
      return { done: false };
    }
  }
  if (ns === null) return { done: true };
  const floor = ns.floor!;
  const range = { thread: args.thread, checkpointNs: ns.checkpointNs };
  let finished: boolean;
  if (args.phase === 0) {
    const rows = await db
      .query("checkpoints")
      .withIndex("by_thread_ns_id", (q) => q.eq("thread", range.thread).eq("checkpointNs", range.checkpointNs).lt("checkpointId", floor))
      .take(BATCH_DOCUMENTS);
    for (const row of rows) await db.delete(row._id);
    finished = rows.length < BATCH_DOCUMENTS;
  } else if (args.phase === 1) {
    const tags = await db
      .query("checkpointTags")
      .withIndex("by_thread_ns_checkpoint", (q) => q.eq("thread", range.thread).eq("checkpointNs", range.checkpointNs).lt("checkpointId", floor))
      .take(BATCH_DOCUMENTS);
    for (const tag of tags) await db.delete(tag._id);
    finished = tags.length < BATCH_DOCUMENTS;
  } else if (args.phase === 2) {
    let budget = BATCH_DOCUMENTS;
    let bytes = 0;
    finished = true;
    const writes = db
      .query("checkpointWrites")
      .withIndex("by_checkpoint_task", (q) => q.eq("thread", range.thread).eq("checkpointNs", range.checkpointNs).lt("checkpointId", floor));
    for await (const write of writes) {
      if (budget <= 0 || bytes >= PAGE_BYTES) {
        finished = false;
        break;
      }
      budget -= await deleteWithChunks(db, write, writeKeyOf(write.checkpointNs, write.checkpointId, write.taskId, write.idx));
      bytes += write.size;
    }
  } else {
    // The blobs that visible checkpoints use stay: the floor one's and any put since. With
    // more than a few of those, this namespace keeps its old blobs until the thread goes.
    const visible = await db
      .query("checkpoints")
      .withIndex("by_thread_ns_id", (q) => q.eq("thread", range.thread).eq("checkpointNs", range.checkpointNs).gte("checkpointId", floor))
      .take(MAX_VISIBLE_FOR_BLOB_PURGE + 1);
    if (visible.length > MAX_VISIBLE_FOR_BLOB_PURGE) {
      await scheduler.runAfter(0, internal.checkpoints.purgePruned, { thread: args.thread, after: ns.checkpointNs, phase: 0, cursor: null });
      return { done: false };
    }
    const used = new Set(visible.flatMap((row) => row.channelVersions.map((cv) => `${cv.channel}\u0000${cv.version}`)));
    // A blob written in the last minute may belong to a checkpoint whose values went ahead
    // with putCheckpointBlobs and that is not saved yet.
    const recent = Date.now() - BLOB_GRACE_MS;
    const batch = await db
      .query("checkpointBlobs")
      .withIndex("by_thread_ns_channel_version", (q) => q.eq("thread", range.thread).eq("checkpointNs", range.checkpointNs))
      .paginate({ numItems: BATCH_DOCUMENTS / 10, cursor: args.cursor, maximumBytesRead: PAGE_BYTES });
    for (const blob of batch.page) {
      if (used.has(`${blob.channel}\u0000${blob.version}`) || blob._creationTime > recent) continue;
      await deleteWithChunks(db, blob, blobKeyOf(blob.checkpointNs, blob.channel, blob.version));
    }
    if (!batch.isDone) {
      await scheduler.runAfter(0, internal.checkpoints.purgePruned, { ...args, cursor: batch.continueCursor });
      return { done: false };
    }
    finished = true;
  }
  const next = finished ? args.phase + 1 : args.phase;
  if (next < PRUNE_PHASES) {
    await scheduler.runAfter(0, internal.checkpoints.purgePruned, { thread: args.thread, after: args.after, phase: next, cursor: null });
  } else {
    await scheduler.runAfter(0, internal.checkpoints.purgePruned, { thread: args.thread, after: ns.checkpointNs, phase: 0, cursor: null });
  }
  return { done: false };
}
