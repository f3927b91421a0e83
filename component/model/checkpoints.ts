/**
 * Tables, validators and helpers of the checkpoints domain: LangGraph's
 * checkpointer (`BaseCheckpointSaver`) on Convex.
 *
 * The model is the Postgres saver's (`checkpoints`, `checkpoint_blobs`,
 * `checkpoint_writes`): a checkpoint row holds the serialized checkpoint
 * without its channel values, its metadata and its channel versions; each
 * channel value is stored once per (namespace, channel, version) as a blob;
 * pending writes are keyed by (checkpoint, task id, index). Values are bytes
 * produced by LangGraph's serializer; one larger than a document is split into
 * `checkpointChunks`.
 *
 * Tenancy (PLAN.md decision 2): a thread is identified by its owner
 * `resourceId` and the caller's `threadId`; every row of a thread points at the
 * thread's registry row (`thread`), so deleting or replacing that row makes the
 * whole thread invisible at once while its rows are purged in scheduled batches.
 *
 * Pruning to the latest checkpoint sets a per-namespace `floor`: rows below it
 * are invisible at once (every read is an index range that starts at the floor)
 * and are purged in scheduled batches.
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc, Id } from "../_generated/dataModel.js";
import { parseJsonForComparison, valueKey } from "./canonical.js";
import { conflict, invalidArgument } from "./errors.js";
import { checkDocument, limitExceeded, utf8Length } from "./limits.js";
import { vPage } from "./pagination.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;
export type ThreadRef = Id<"checkpointThreads">;

// ---------------------------------------------------------------- limits

/** Bytes of a value kept in one document (Convex documents are at most 1 MiB). */
export const CHUNK_BYTES = 900_000;
/** Largest channel value or pending write (serialized bytes). */
export const MAX_VALUE_BYTES = 8 * 1024 * 1024;
/** Value bytes one put call may carry (the SDK splits larger puts). */
export const MAX_CALL_VALUE_BYTES = 8 * 1024 * 1024;
/** Value bytes one read call reads at most (beyond the first value, which is always read). */
export const READ_BUDGET_BYTES = 6 * 1024 * 1024;
/** Bytes of documents one page of a list or of a batch job reads at most. */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** Largest serialized checkpoint (without its channel values): one document. */
export const MAX_CHECKPOINT_BYTES = 900_000;
/** Largest metadata (UTF-8 bytes of its JSON text) and most top-level keys (each one is indexed). */
export const MAX_METADATA_BYTES = 64 * 1024;
export const MAX_METADATA_KEYS = 64;
/** Most channels of one checkpoint, blobs of one call, writes of one call. */
export const MAX_CHANNELS = 4_096;
export const MAX_WRITES_PER_CALL = 1_000;
/** Most keys one getCheckpointValues call takes; most runs or threads one call names. */
export const MAX_KEYS_PER_CALL = 1_000;
export const MAX_IDS_PER_CALL = 100;
/** Documents one batch (delete, copy, prune) touches at most. */
export const BATCH_DOCUMENTS = 1_000;
/** Pending writes returned with a checkpoint before the rest is paged. */
export const WRITES_PER_PAGE = 500;

// ---------------------------------------------------------------- tables

const vChannelVersion = v.object({ channel: v.string(), version: v.string() });
const storedValueFields = {
  /** The serializer's type tag (`dumps_typed`'s first element), e.g. "msgpack"; "empty" for none. */
  type: v.string(),
  /** Bytes of the whole value. */
  size: v.number(),
  /** Documents the value spans (this one plus `chunkCount - 1` in checkpointChunks). */
  chunkCount: v.number(),
  /** The value's first CHUNK_BYTES bytes. */
  data: v.bytes(),
};

export const vThreadStatus = v.union(v.literal("live"), v.literal("copying"));

export const checkpointTables = {
  /** One row per live thread of an owner (or one being filled by copyCheckpointThread). */
  checkpointThreads: defineTable({
    resourceId: v.string(),
    threadId: v.string(),
    status: vThreadStatus,
    createdAt: v.number(),
    updatedAt: v.number(),
  }).index("by_owner_thread", ["resourceId", "threadId"]),
  /** One row per namespace of a thread: its exact checkpoint count and pruning floor. */
  checkpointNamespaces: defineTable({
    thread: v.id("checkpointThreads"),
    checkpointNs: v.string(),
    count: v.number(),
    /** Checkpoints with an id below this one are pruned (invisible, purged in batches). */
    floor: v.optional(v.string()),
  }).index("by_thread_ns", ["thread", "checkpointNs"]),
  checkpoints: defineTable({
    thread: v.id("checkpointThreads"),
    resourceId: v.string(),
    checkpointNs: v.string(),
    checkpointId: v.string(),
    parentCheckpointId: v.optional(v.string()),
    type: v.string(),
    checkpoint: v.bytes(),
    /** JSON text of an object. */
    metadata: v.string(),
    channelVersions: v.array(vChannelVersion),
    /** metadata.run_id when it is a string (delete_for_runs). */
    runId: v.optional(v.string()),
  })
    .index("by_thread_ns_id", ["thread", "checkpointNs", "checkpointId"])
    .index("by_owner_run", ["resourceId", "runId"]),
  /** One row per top-level metadata key of a checkpoint: serves metadata filters by index. */
  checkpointTags: defineTable({
    thread: v.id("checkpointThreads"),
    checkpointNs: v.string(),
    checkpointId: v.string(),
    key: v.string(),
    /** valueKey() of the metadata value: canonical JSON, or a hash of it when long. */
    value: v.string(),
  })
    .index("by_thread_ns_tag", ["thread", "checkpointNs", "key", "value", "checkpointId"])
    .index("by_thread_ns_checkpoint", ["thread", "checkpointNs", "checkpointId"]),
  /** A channel's value at one version, stored once (the Postgres saver's checkpoint_blobs). */
  checkpointBlobs: defineTable({
    thread: v.id("checkpointThreads"),
    checkpointNs: v.string(),
    channel: v.string(),
    version: v.string(),
    ...storedValueFields,
  }).index("by_thread_ns_channel_version", ["thread", "checkpointNs", "channel", "version"]),
  /** A pending write of a task to a checkpoint. */
  checkpointWrites: defineTable({
    thread: v.id("checkpointThreads"),
    checkpointNs: v.string(),
    checkpointId: v.string(),
    taskId: v.string(),
    taskPath: v.string(),
    idx: v.number(),
    channel: v.string(),
    ...storedValueFields,
  })
    .index("by_checkpoint_task", ["thread", "checkpointNs", "checkpointId", "taskId", "idx"])
    // LangGraph's writes_sort_key: (task_path, task_id, idx).
    .index("by_checkpoint_order", ["thread", "checkpointNs", "checkpointId", "taskPath", "taskId", "idx"]),
  /** The 2nd, 3rd, ... pieces of a value larger than CHUNK_BYTES, keyed by the value's logical key. */
  checkpointChunks: defineTable({
    thread: v.id("checkpointThreads"),
    key: v.string(),
    seq: v.number(),
    data: v.bytes(),
  }).index("by_thread_key_seq", ["thread", "key", "seq"]),
};

// ---------------------------------------------------------------- validators

const owner = { resourceId: v.string() };
const threadArgs = { ...owner, threadId: v.string() };

export const vCheckpointRow = v.object({
  threadId: v.string(),
  checkpointNs: v.string(),
  checkpointId: v.string(),
  parentCheckpointId: v.optional(v.string()),
  /** The serializer's type tag of `checkpoint`. */
  type: v.string(),
  /** The serialized checkpoint without its channel values. */
  checkpoint: v.bytes(),
  /** JSON text of the metadata object. */
  metadata: v.string(),
  /** The channel versions, as strings (what the blobs are keyed by). */
  channelVersions: v.array(vChannelVersion),
});
export type CheckpointRow = Infer<typeof vCheckpointRow>;

const returnedValueFields = {
  type: v.string(),
  size: v.number(),
  /** Absent when the value was not read in this call: ask getCheckpointValues for it. */
  data: v.optional(v.bytes()),
};
export const vBlobKey = v.object({ checkpointNs: v.string(), channel: v.string(), version: v.string() });
export const vWriteKey = v.object({ checkpointNs: v.string(), checkpointId: v.string(), taskId: v.string(), idx: v.number() });
export const vBlob = v.object({ checkpointNs: v.string(), channel: v.string(), version: v.string(), ...returnedValueFields });
export const vWrite = v.object({
  checkpointNs: v.string(),
  checkpointId: v.string(),
  taskId: v.string(),
  taskPath: v.string(),
  idx: v.number(),
  channel: v.string(),
  ...returnedValueFields,
});
export type BlobOut = Infer<typeof vBlob>;
export type WriteOut = Infer<typeof vWrite>;

export const vCheckpointTuple = v.object({
  checkpoint: vCheckpointRow,
  /** The blobs of the checkpoint's channel versions that exist (type "empty" for a channel with no value). */
  blobs: v.array(vBlob),
  /** Channel versions not looked up in this call (the read budget ran out): ask getCheckpointValues. */
  unreadBlobs: v.array(vBlobKey),
  /** Pending writes in LangGraph's order (task path, task id, index); more follow when writesCursor is set. */
  writes: v.array(vWrite),
  /** Continue with listCheckpointWrites (fromCheckpointId = toCheckpointId = this checkpoint) and this cursor. */
  writesCursor: v.union(v.string(), v.null()),
});

const vValueIn = { type: v.string(), data: v.bytes() };
export const vBlobIn = v.object({ channel: v.string(), version: v.string(), ...vValueIn });
export const vWriteIn = v.object({ idx: v.number(), channel: v.string(), ...vValueIn });

export const vPruneStrategy = v.union(v.literal("keep_latest"), v.literal("delete"));
export const vBatchProgress = v.object({
  /** True when the whole operation is done; otherwise call again with `cursor`. */
  done: v.boolean(),
  cursor: v.optional(v.string()),
});

export const checkpointArgs = {
  putCheckpoint: {
    ...threadArgs,
    checkpointNs: v.string(),
    checkpointId: v.string(),
    parentCheckpointId: v.optional(v.string()),
    type: v.string(),
    checkpoint: v.bytes(),
    /** JSON text of an object; each top-level key is indexed for listCheckpoints' filter. */
    metadata: v.string(),
    channelVersions: v.array(vChannelVersion),
    /** New channel values (at most MAX_CALL_VALUE_BYTES in all; send more first with putCheckpointBlobs). */
    blobs: v.array(vBlobIn),
  },
  putCheckpointBlobs: { ...threadArgs, checkpointNs: v.string(), blobs: v.array(vBlobIn) },
  putCheckpointWrites: {
    ...threadArgs,
    checkpointNs: v.string(),
    checkpointId: v.string(),
    taskId: v.string(),
    taskPath: v.string(),
    writes: v.array(vWriteIn),
  },
  getCheckpoint: { ...threadArgs, checkpointNs: v.string(), checkpointId: v.optional(v.string()) },
  listCheckpoints: {
    ...threadArgs,
    checkpointNs: v.string(),
    /** Only checkpoints whose id is lower (older) than this one. */
    before: v.optional(v.string()),
    /** JSON text of an object: every key must equal the checkpoint's metadata value. */
    filter: v.optional(v.string()),
    paginationOpts: paginationOptsValidator,
  },
  listCheckpointWrites: {
    ...threadArgs,
    checkpointNs: v.string(),
    fromCheckpointId: v.string(),
    toCheckpointId: v.string(),
    paginationOpts: paginationOptsValidator,
  },
  getCheckpointValues: { ...threadArgs, blobs: v.array(vBlobKey), writes: v.array(vWriteKey) },
  countCheckpoints: { ...threadArgs, checkpointNs: v.string() },
  listCheckpointNamespaces: { ...threadArgs, paginationOpts: paginationOptsValidator },
  listCheckpointThreads: { ...owner, paginationOpts: paginationOptsValidator },
  deleteCheckpointThread: threadArgs,
  deleteCheckpointsForRuns: { ...owner, runIds: v.array(v.string()) },
  copyCheckpointThread: {
    ...owner,
    sourceThreadId: v.string(),
    targetThreadId: v.string(),
    /** From the previous call's result; absent to start. */
    cursor: v.optional(v.string()),
  },
  pruneCheckpoints: {
    ...owner,
    threadIds: v.array(v.string()),
    strategy: vPruneStrategy,
    cursor: v.optional(v.string()),
  },
};

export const checkpointReturns = {
  putCheckpoint: v.null(),
  putCheckpointBlobs: v.null(),
  putCheckpointWrites: v.null(),
  getCheckpoint: v.union(vCheckpointTuple, v.null()),
  listCheckpoints: vPage(vCheckpointRow),
  listCheckpointWrites: vPage(vWrite),
  getCheckpointValues: v.object({
    /** The values read, with their data. */
    blobs: v.array(vBlob),
    writes: v.array(vWrite),
    /** Keys that name nothing. Keys neither returned nor missing were left for another call. */
    missingBlobs: v.array(vBlobKey),
    missingWrites: v.array(vWriteKey),
  }),
  countCheckpoints: v.number(),
  listCheckpointNamespaces: vPage(v.object({ checkpointNs: v.string(), count: v.number() })),
  listCheckpointThreads: vPage(v.object({ threadId: v.string(), createdAt: v.number(), updatedAt: v.number() })),
  deleteCheckpointThread: v.null(),
  deleteCheckpointsForRuns: vBatchProgress,
  copyCheckpointThread: vBatchProgress,
  pruneCheckpoints: vBatchProgress,
};

export type CheckpointArgs<K extends keyof typeof checkpointArgs> = ObjectType<(typeof checkpointArgs)[K]>;

// ---------------------------------------------------------------- checks

function checkText(value: string, field: string, max: number, allowEmpty = false) {
  if (!allowEmpty && value.length === 0) invalidArgument(`${field} must not be empty`, { field });
  if (value.length > max) invalidArgument(`${field} is longer than ${max} characters`, { field });
}

export function checkThreadArgs(args: { resourceId: string; threadId: string }) {
  checkText(args.resourceId, "resourceId", 512);
  checkText(args.threadId, "threadId", 512);
}

export function checkNs(checkpointNs: string) {
  checkText(checkpointNs, "checkpointNs", 1024, true);
}

/** Refuses more than `max` items in one call (their bytes are counted by checkCallBytes). */
function checkCount(what: string, items: unknown[], max: number) {
  if (items.length > max) {
    limitExceeded(`${items.length} ${what} in one call; at most ${max} are allowed: split them`, { limit: "batchItems", max, actual: items.length });
  }
}

function checkValueSize(bytes: number, field: string) {
  if (bytes > MAX_VALUE_BYTES) {
    limitExceeded(`${field} is ${bytes} bytes; one value may be at most ${MAX_VALUE_BYTES} bytes`, {
      limit: "valueBytes",
      max: MAX_VALUE_BYTES,
      actual: bytes,
      field,
    });
  }
}

function checkCallBytes(bytes: number) {
  if (bytes > MAX_CALL_VALUE_BYTES) {
    limitExceeded(
      `the values of one call are ${bytes} bytes; at most ${MAX_CALL_VALUE_BYTES}: send some first with putCheckpointBlobs (or split the writes)`,
      { limit: "batchBytes", max: MAX_CALL_VALUE_BYTES, actual: bytes },
    );
  }
}

function checkBlobsIn(blobs: Array<{ channel: string; version: string; type: string; data: ArrayBuffer }>) {
  checkCount("blobs", blobs, MAX_CHANNELS);
  let total = 0;
  const seen = new Set<string>();
  blobs.forEach((blob, i) => {
    checkText(blob.channel, `blobs[${i}].channel`, 512);
    checkText(blob.version, `blobs[${i}].version`, 256);
    checkText(blob.type, `blobs[${i}].type`, 64);
    checkValueSize(blob.data.byteLength, `blobs[${i}].data`);
    total += blob.data.byteLength;
    const key = `${blob.channel}\u0000${blob.version}`;
    if (seen.has(key)) invalidArgument(`blobs[${i}]: channel "${blob.channel}" version "${blob.version}" appears twice`);
    seen.add(key);
  });
  checkCallBytes(total);
}

/** Parses and checks checkpoint metadata; returns the object and its tags. */
export function metadataTags(text: string): { metadata: Record<string, unknown>; tags: Array<{ key: string; value: string }> } {
  const bytes = utf8Length(text);
  if (bytes > MAX_METADATA_BYTES) {
    limitExceeded(`metadata is ${bytes} bytes of JSON; at most ${MAX_METADATA_BYTES}`, {
      limit: "metadataBytes",
      max: MAX_METADATA_BYTES,
      actual: bytes,
      field: "metadata",
    });
  }
  const metadata = parseJsonForComparison(text, "metadata", true) as Record<string, unknown>;
  const keys = Object.keys(metadata);
  if (keys.length > MAX_METADATA_KEYS) {
    limitExceeded(`metadata has ${keys.length} top-level keys; at most ${MAX_METADATA_KEYS} (each is indexed)`, {
      limit: "metadataKeys",
      max: MAX_METADATA_KEYS,
      actual: keys.length,
      field: "metadata",
    });
  }
  for (const key of keys) checkText(key, "metadata key", 256);
  return { metadata, tags: keys.map((key) => ({ key, value: valueKey(metadata[key]) })) };
}

// ---------------------------------------------------------------- threads and namespaces

/** The thread's registry row (live, or being filled by a copy), or null. One read. */
export async function findThreadRow(db: Reader, resourceId: string, threadId: string): Promise<Doc<"checkpointThreads"> | null> {
  return db
    .query("checkpointThreads")
    .withIndex("by_owner_thread", (q) => q.eq("resourceId", resourceId).eq("threadId", threadId))
    .unique();
}

/** The live thread, or null (a thread being copied into is not visible yet). */
export async function liveThread(db: Reader, resourceId: string, threadId: string) {
  const row = await findThreadRow(db, resourceId, threadId);
  return row !== null && row.status === "live" ? row : null;
}

/** The live thread, created when missing; CONFLICT while a copy fills it. */
async function ensureThread(db: Writer, resourceId: string, threadId: string): Promise<Doc<"checkpointThreads">> {
  const row = await findThreadRow(db, resourceId, threadId);
  const now = Date.now();
  if (row !== null) {
    if (row.status !== "live") conflict(`thread "${threadId}" is being filled by a copy; try again when it is done`, { threadId });
    if (row.updatedAt < now) await db.patch(row._id, { updatedAt: now });
    return row;
  }
  const id = await db.insert("checkpointThreads", { resourceId, threadId, status: "live", createdAt: now, updatedAt: now });
  return (await db.get(id))!;
}

export async function findNamespace(db: Reader, thread: ThreadRef, checkpointNs: string) {
  return db
    .query("checkpointNamespaces")
    .withIndex("by_thread_ns", (q) => q.eq("thread", thread).eq("checkpointNs", checkpointNs))
    .unique();
}

/** The lowest visible checkpoint id of a namespace ("" when nothing is pruned). */
export const floorOf = (ns: Doc<"checkpointNamespaces"> | null) => ns?.floor ?? "";

// ---------------------------------------------------------------- values

/** The logical key of a blob's or a write's chunks (checkpointChunks.key). */
export const blobKeyOf = (ns: string, channel: string, version: string) => JSON.stringify(["b", ns, channel, version]);
export const writeKeyOf = (ns: string, checkpointId: string, taskId: string, idx: number) => JSON.stringify(["w", ns, checkpointId, taskId, idx]);

/** Stores a value's 2nd.. pieces as chunks; returns the fields of its head document. */
async function storeValue(db: Writer, thread: ThreadRef, key: string, type: string, data: ArrayBuffer) {
  const size = data.byteLength;
  const chunkCount = Math.max(1, Math.ceil(size / CHUNK_BYTES));
  for (let seq = 1; seq < chunkCount; seq++) {
    await db.insert("checkpointChunks", { thread, key, seq, data: data.slice(seq * CHUNK_BYTES, (seq + 1) * CHUNK_BYTES) });
  }
  return { type, size, chunkCount, data: chunkCount === 1 ? data : data.slice(0, CHUNK_BYTES) };
}

async function valueChunks(db: Reader, thread: ThreadRef, key: string, chunkCount: number) {
  if (chunkCount <= 1) return [];
  return db
    .query("checkpointChunks")
    .withIndex("by_thread_key_seq", (q) => q.eq("thread", thread).eq("key", key).gte("seq", 1))
    .take(chunkCount - 1);
}

async function deleteValueChunks(db: Writer, thread: ThreadRef, key: string, chunkCount: number) {
  for (const chunk of await valueChunks(db, thread, key, chunkCount)) await db.delete(chunk._id);
}

/** The whole value of a head document (its data and chunks joined). */
export async function readValue(db: Reader, thread: ThreadRef, key: string, head: { size: number; chunkCount: number; data: ArrayBuffer }) {
  if (head.chunkCount <= 1) return head.data;
  const out = new Uint8Array(head.size);
  out.set(new Uint8Array(head.data), 0);
  let offset = head.data.byteLength;
  for (const chunk of await valueChunks(db, thread, key, head.chunkCount)) {
    out.set(new Uint8Array(chunk.data), offset);
    offset += chunk.data.byteLength;
  }
  if (offset !== head.size) throw new Error(`value ${key}: expected ${head.size} bytes, found ${offset}`);
  return out.buffer;
}

/** Keeps the reads of one call under READ_BUDGET_BYTES (the first value is always read). */
export class Budget {
  used = 0;
  fits(bytes: number) {
    return this.used === 0 || this.used + bytes <= READ_BUDGET_BYTES;
  }
  spend(bytes: number) {
    this.used += bytes;
  }
  get exhausted() {
    return this.used >= READ_BUDGET_BYTES;
  }
}

export async function findBlob(db: Reader, thread: ThreadRef, checkpointNs: string, channel: string, version: string) {
  return db
    .query("checkpointBlobs")
    .withIndex("by_thread_ns_channel_version", (q) =>
      q.eq("thread", thread).eq("checkpointNs", checkpointNs).eq("channel", channel).eq("version", version),
    )
    .unique();
}

export async function findWrite(db: Reader, thread: ThreadRef, key: { checkpointNs: string; checkpointId: string; taskId: string; idx: number }) {
  return db
    .query("checkpointWrites")
    .withIndex("by_checkpoint_task", (q) =>
      q
        .eq("thread", thread)
        .eq("checkpointNs", key.checkpointNs)
        .eq("checkpointId", key.checkpointId)
        .eq("taskId", key.taskId)
        .eq("idx", key.idx),
    )
    .unique();
}

/** A head document as returned: with its data when it is whole in the head (or `full` was read). */
export function blobOut(doc: Doc<"checkpointBlobs">, full?: ArrayBuffer): BlobOut {
  const out: BlobOut = { checkpointNs: doc.checkpointNs, channel: doc.channel, version: doc.version, type: doc.type, size: doc.size };
  const data = full ?? (doc.chunkCount <= 1 ? doc.data : undefined);
  if (data !== undefined) out.data = data;
  return out;
}

export function writeOut(doc: Doc<"checkpointWrites">, full?: ArrayBuffer): WriteOut {
  const out: WriteOut = {
    checkpointNs: doc.checkpointNs,
    checkpointId: doc.checkpointId,
    taskId: doc.taskId,
    taskPath: doc.taskPath,
    idx: doc.idx,
    channel: doc.channel,
    type: doc.type,
    size: doc.size,
  };
  const data = full ?? (doc.chunkCount <= 1 ? doc.data : undefined);
  if (data !== undefined) out.data = data;
  return out;
}

/** Inserts the blobs that do not exist yet (a blob is immutable once written, as in the Postgres saver). */
async function insertBlobs(
  db: Writer,
  thread: ThreadRef,
  checkpointNs: string,
  blobs: Array<{ channel: string; version: string; type: string; data: ArrayBuffer }>,
) {
  for (const blob of blobs) {
    if ((await findBlob(db, thread, checkpointNs, blob.channel, blob.version)) !== null) continue;
    const value = await storeValue(db, thread, blobKeyOf(checkpointNs, blob.channel, blob.version), blob.type, blob.data);
    await db.insert("checkpointBlobs", { thread, checkpointNs, channel: blob.channel, version: blob.version, ...value });
  }
}

// ---------------------------------------------------------------- rows

export function rowOut(threadId: string, row: Doc<"checkpoints">): CheckpointRow {
  const out: CheckpointRow = {
    threadId,
    checkpointNs: row.checkpointNs,
    checkpointId: row.checkpointId,
    type: row.type,
    checkpoint: row.checkpoint,
    metadata: row.metadata,
    channelVersions: row.channelVersions,
  };
  if (row.parentCheckpointId !== undefined) out.parentCheckpointId = row.parentCheckpointId;
  return out;
}

export async function findCheckpoint(db: Reader, thread: ThreadRef, checkpointNs: string, checkpointId: string) {
  return db
    .query("checkpoints")
    .withIndex("by_thread_ns_id", (q) => q.eq("thread", thread).eq("checkpointNs", checkpointNs).eq("checkpointId", checkpointId))
    .unique();
}

async function tagsOf(db: Reader, thread: ThreadRef, checkpointNs: string, checkpointId: string) {
  return db
    .query("checkpointTags")
    .withIndex("by_thread_ns_checkpoint", (q) => q.eq("thread", thread).eq("checkpointNs", checkpointNs).eq("checkpointId", checkpointId))
    .take(MAX_METADATA_KEYS + 1);
}

async function writeTags(db: Writer, thread: ThreadRef, checkpointNs: string, checkpointId: string, tags: Array<{ key: string; value: string }>) {
  for (const tag of tags) await db.insert("checkpointTags", { thread, checkpointNs, checkpointId, ...tag });
}

// ---------------------------------------------------------------- writes (mutations)

/** Stands for a document id in a document checked before it is written (ids are at most 37 characters). */
const ID_PLACEHOLDER = "x".repeat(37);

export async function putCheckpoint(db: Writer, args: CheckpointArgs<"putCheckpoint">): Promise<null> {
  checkThreadArgs(args);
  checkNs(args.checkpointNs);
  checkText(args.checkpointId, "checkpointId", 256);
  if (args.parentCheckpointId !== undefined) checkText(args.parentCheckpointId, "parentCheckpointId", 256);
  checkText(args.type, "type", 64);
  if (args.checkpoint.byteLength > MAX_CHECKPOINT_BYTES) {
    limitExceeded(`the serialized checkpoint is ${args.checkpoint.byteLength} bytes; at most ${MAX_CHECKPOINT_BYTES} (channel values travel as blobs)`, {
      limit: "checkpointBytes",
      max: MAX_CHECKPOINT_BYTES,
      actual: args.checkpoint.byteLength,
      field: "checkpoint",
    });
  }
  if (args.channelVersions.length > MAX_CHANNELS) {
    limitExceeded(`the checkpoint has ${args.channelVersions.length} channels; at most ${MAX_CHANNELS}`, {
      limit: "channels",
      max: MAX_CHANNELS,
      actual: args.channelVersions.length,
    });
  }
  const channels = new Set<string>();
  args.channelVersions.forEach((cv, i) => {
    checkText(cv.channel, `channelVersions[${i}].channel`, 512);
    checkText(cv.version, `channelVersions[${i}].version`, 256);
    if (channels.has(cv.channel)) invalidArgument(`channelVersions names channel "${cv.channel}" twice`);
    channels.add(cv.channel);
  });
  checkBlobsIn(args.blobs);
  const { metadata, tags } = metadataTags(args.metadata);

  const runId = typeof metadata.run_id === "string" ? metadata.run_id : undefined;
  const fields = {
    parentCheckpointId: args.parentCheckpointId,
    type: args.type,
    checkpoint: args.checkpoint,
    metadata: args.metadata,
    channelVersions: args.channelVersions,
    runId,
  };
  // The row as it will be stored (the thread's id is a string of at most ID_PLACEHOLDER's length).
  checkDocument(`checkpoint "${args.checkpointId}"`, {
    thread: ID_PLACEHOLDER,
    resourceId: args.resourceId,
    checkpointNs: args.checkpointNs,
    checkpointId: args.checkpointId,
    ...fields,
  });

  const thread = await ensureThread(db, args.resourceId, args.threadId);
  await insertBlobs(db, thread._id, args.checkpointNs, args.blobs);
  const existing = await findCheckpoint(db, thread._id, args.checkpointNs, args.checkpointId);
  if (existing !== null) {
    // As the Postgres saver: the checkpoint and its metadata are replaced.
    await db.patch(existing._id, fields);
    for (const tag of await tagsOf(db, thread._id, args.checkpointNs, args.checkpointId)) await db.delete(tag._id);
  } else {
    await db.insert("checkpoints", {
      thread: thread._id,
      resourceId: args.resourceId,
      checkpointNs: args.checkpointNs,
      checkpointId: args.checkpointId,
      ...fields,
    });
  }
  await writeTags(db, thread._id, args.checkpointNs, args.checkpointId, tags);
  const ns = await findNamespace(db, thread._id, args.checkpointNs);
  if (ns === null) {
    await db.insert("checkpointNamespaces", { thread: thread._id, checkpointNs: args.checkpointNs, count: 1 });
  } else if (existing === null && args.checkpointId >= floorOf(ns)) {
    await db.patch(ns._id, { count: ns.count + 1 });
  }
  return null;
}

export async function putCheckpointBlobs(db: Writer, args: CheckpointArgs<"putCheckpointBlobs">): Promise<null> {
  checkThreadArgs(args);
  checkNs(args.checkpointNs);
  checkBlobsIn(args.blobs);
  const thread = await ensureThread(db, args.resourceId, args.threadId);
  await insertBlobs(db, thread._id, args.checkpointNs, args.blobs);
  return null;
}

/**
 * Saves a task's writes to a checkpoint, as LangGraph's savers do: a write at a
 * regular index (>= 0) is kept when one exists already for (task, index); a
 * special write (negative index: error, interrupt, ...) replaces the old one.
 */
export async function putCheckpointWrites(db: Writer, args: CheckpointArgs<"putCheckpointWrites">): Promise<null> {
  checkThreadArgs(args);
  checkNs(args.checkpointNs);
  checkText(args.checkpointId, "checkpointId", 256);
  checkText(args.taskId, "taskId", 512);
  checkText(args.taskPath, "taskPath", 1024, true);
  checkCount("writes", args.writes, MAX_WRITES_PER_CALL);
  let total = 0;
  const seen = new Set<number>();
  args.writes.forEach((write, i) => {
    if (!Number.isInteger(write.idx)) invalidArgument(`writes[${i}].idx must be an integer`);
    if (seen.has(write.idx)) invalidArgument(`writes[${i}]: index ${write.idx} appears twice`);
    seen.add(write.idx);
    checkText(write.channel, `writes[${i}].channel`, 512);
    checkText(write.type, `writes[${i}].type`, 64);
    checkValueSize(write.data.byteLength, `writes[${i}].data`);
    total += write.data.byteLength;
  });
  checkCallBytes(total);
  const thread = await ensureThread(db, args.resourceId, args.threadId);
  for (const write of args.writes) {
    const key = { checkpointNs: args.checkpointNs, checkpointId: args.checkpointId, taskId: args.taskId, idx: write.idx };
    const existing = await findWrite(db, thread._id, key);
    if (existing !== null && write.idx >= 0) continue;
    const chunkKey = writeKeyOf(args.checkpointNs, args.checkpointId, args.taskId, write.idx);
    if (existing !== null) {
      await deleteValueChunks(db, thread._id, chunkKey, existing.chunkCount);
      await db.delete(existing._id);
    }
    const value = await storeValue(db, thread._id, chunkKey, write.type, write.data);
    await db.insert("checkpointWrites", { thread: thread._id, ...key, taskPath: args.taskPath, channel: write.channel, ...value });
  }
  return null;
}
