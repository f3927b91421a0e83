/**
 * The reads of the checkpoints domain: a checkpoint with its values and writes,
 * pages of checkpoints (newest first, metadata filters by index), pages of
 * writes, values by key, namespaces, threads and counts. Every read is an
 * index range of one owner's thread, bounded in documents and bytes.
 */
import type { GenericDatabaseReader, PaginationOptions } from "convex/server";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { canonicalJson, parseJsonForComparison, valueKey } from "./canonical.js";
import {
  blobKeyOf,
  blobOut,
  Budget,
  checkNs,
  checkThreadArgs,
  findBlob,
  findCheckpoint,
  findNamespace,
  findWrite,
  floorOf,
  liveThread,
  MAX_KEYS_PER_CALL,
  MAX_METADATA_KEYS,
  PAGE_BYTES,
  readValue,
  rowOut,
  WRITES_PER_PAGE,
  writeKeyOf,
  writeOut,
  type BlobOut,
  type CheckpointArgs,
  type CheckpointRow,
  type ThreadRef,
  type WriteOut,
} from "./checkpoints.js";
import { invalidArgument } from "./errors.js";
import { limitExceeded, utf8Length } from "./limits.js";
import { boundedPage, pageOf, paginateChecked } from "./pagination.js";
import { checkOwner } from "./shared.js";

type Reader = GenericDatabaseReader<DataModel>;

/** The owner's live thread, after checking the names the call gives (INVALID_ARGUMENT otherwise). */
function checkedThread(db: Reader, args: { resourceId: string; threadId: string; checkpointNs?: string }) {
  checkThreadArgs(args);
  if (args.checkpointNs !== undefined) checkNs(args.checkpointNs);
  return liveThread(db, args.resourceId, args.threadId);
}

function writesRange(db: Reader, thread: ThreadRef, checkpointNs: string, from: string, to: string) {
  return db
    .query("checkpointWrites")
    .withIndex("by_checkpoint_order", (q) =>
      q.eq("thread", thread).eq("checkpointNs", checkpointNs).gte("checkpointId", from).lte("checkpointId", to),
    );
}

/**
 * A checkpoint (the given one, or the namespace's latest) with the blobs of its
 * channel versions and its pending writes. Reads 2 + channels + writes documents
 * (and chunks), at most READ_BUDGET_BYTES of values beyond the first: values not
 * read come back without `data`, writes beyond the first page with a cursor.
 */
export async function getCheckpoint(db: Reader, args: CheckpointArgs<"getCheckpoint">) {
  const thread = await checkedThread(db, args);
  if (thread === null) return null;
  const ns = await findNamespace(db, thread._id, args.checkpointNs);
  if (ns === null) return null;
  const floor = floorOf(ns);
  let row: Doc<"checkpoints"> | null;
  if (args.checkpointId !== undefined) {
    row = args.checkpointId < floor ? null : await findCheckpoint(db, thread._id, args.checkpointNs, args.checkpointId);
  } else {
    row = await db
      .query("checkpoints")
      .withIndex("by_thread_ns_id", (q) => q.eq("thread", thread._id).eq("checkpointNs", args.checkpointNs).gte("checkpointId", floor))
      .order("desc")
      .first();
  }
  if (row === null) return null;
  const budget = new Budget();
  budget.spend(row.checkpoint.byteLength);
  const blobs: BlobOut[] = [];
  const unreadBlobs: Array<{ checkpointNs: string; channel: string; version: string }> = [];
  for (const cv of row.channelVersions) {
    if (budget.exhausted) {
      unreadBlobs.push({ checkpointNs: row.checkpointNs, channel: cv.channel, version: cv.version });
      continue;
    }
    const head = await findBlob(db, thread._id, row.checkpointNs, cv.channel, cv.version);
    if (head === null) continue;
    budget.spend(head.data.byteLength);
    if (head.chunkCount > 1 && budget.fits(head.size - head.data.byteLength)) {
      budget.spend(head.size - head.data.byteLength);
      blobs.push(blobOut(head, await readValue(db, thread._id, blobKeyOf(head.checkpointNs, head.channel, head.version), head)));
    } else {
      blobs.push(blobOut(head));
    }
  }
  const page = await paginateChecked(writesRange(db, thread._id, row.checkpointNs, row.checkpointId, row.checkpointId), {
    numItems: WRITES_PER_PAGE,
    cursor: null,
    maximumBytesRead: Math.max(PAGE_BYTES - budget.used, 64 * 1024),
  });
  return {
    checkpoint: rowOut(args.threadId, row),
    blobs,
    unreadBlobs,
    writes: page.page.map((doc) => writeOut(doc)),
    writesCursor: page.isDone ? null : page.continueCursor,
  };
}

/** The keys of a filter, the one served by the index first (a caller's keys, then step, then source). */
function filterPlan(text: string | undefined) {
  if (text === undefined) return null;
  const filter = parseJsonForComparison(text, "filter", true) as Record<string, unknown>;
  const keys = Object.keys(filter);
  if (keys.length === 0) return null;
  if (keys.length > MAX_METADATA_KEYS) invalidArgument(`a filter names at most ${MAX_METADATA_KEYS} keys`, { field: "filter" });
  // LangGraph's own keys take few values ("source" four): a caller's key narrows the range most.
  const rank = (key: string) => (key === "source" ? 2 : key === "step" ? 1 : 0);
  const driving = [...keys].sort((a, b) => rank(a) - rank(b))[0];
  const expected = Object.fromEntries(keys.map((key) => [key, canonicalJson(filter[key])]));
  return { driving, value: valueKey(filter[driving]), expected };
}

function matches(row: Doc<"checkpoints">, expected: Record<string, string>) {
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(row.metadata) as Record<string, unknown>;
  } catch {
    return false;
  }
  return Object.entries(expected).every(([key, text]) => key in metadata && canonicalJson(metadata[key]) === text);
}

/**
 * Cursors of listCheckpoints: "k:" + the last checkpoint id returned. Pages go
 * newest first, so the next page is the ids below it: an index range, whatever
 * was written or deleted in between.
 */
function decodeListCursor(cursor: string | null): string | undefined {
  if (cursor === null || cursor === "") return undefined;
  if (!cursor.startsWith("k:")) invalidArgument("paginationOpts.cursor is not a cursor of listCheckpoints", { field: "paginationOpts" });
  return cursor.slice(2);
}

const rowBytes = (row: Doc<"checkpoints">) => row.checkpoint.byteLength + utf8Length(row.metadata) + 64 * row.channelVersions.length;

/**
 * A page of a namespace's checkpoints, newest first, without values. Without a
 * filter a page reads its own rows plus 3 documents (thread, namespace, and
 * one row to know whether more follow). With one, the filter's most selective
 * key is an index range (one tag per checkpoint) and each candidate row is
 * read once to check the other keys, so a page may be short and still not
 * done. A page also stops at PAGE_BYTES of rows.
 */
export async function listCheckpoints(db: Reader, args: CheckpointArgs<"listCheckpoints">) {
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const plan = filterPlan(args.filter);
  const after = decodeListCursor(opts.cursor);
  const empty = { page: [], isDone: true, continueCursor: "" };
  const thread = await checkedThread(db, args);
  if (thread === null) return empty;
  const ns = await findNamespace(db, thread._id, args.checkpointNs);
  if (ns === null) return empty;
  const floor = floorOf(ns);
  const below = [args.before, after].filter((id): id is string => id !== undefined).sort()[0];
  const page: CheckpointRow[] = [];
  let bytes = 0;
  const full = () => page.length >= opts.numItems || bytes >= PAGE_BYTES;
  const done = () => ({ page, isDone: true, continueCursor: "" });
  const more = () => ({ page, isDone: false, continueCursor: `k:${page[page.length - 1].checkpointId}` });
  if (plan === null) {
    const rows = db
      .query("checkpoints")
      .withIndex("by_thread_ns_id", (q) => {
        const range = q.eq("thread", thread._id).eq("checkpointNs", args.checkpointNs).gte("checkpointId", floor);
        return below === undefined ? range : range.lt("checkpointId", below);
      })
      .order("desc");
    for await (const row of rows) {
      if (full()) return more();
      page.push(rowOut(args.threadId, row));
      bytes += rowBytes(row);
    }
    return done();
  }
  const tags = db
    .query("checkpointTags")
    .withIndex("by_thread_ns_tag", (q) => {
      const range = q
        .eq("thread", thread._id)
        .eq("checkpointNs", args.checkpointNs)
        .eq("key", plan.driving)
        .eq("value", plan.value)
        .gte("checkpointId", floor);
      return below === undefined ? range : range.lt("checkpointId", below);
    })
    .order("desc");
  let scanned = 0;
  let last: string | undefined;
  for await (const tag of tags) {
    if (full() || scanned >= opts.numItems) {
      return { page, isDone: false, continueCursor: `k:${last}` };
    }
    scanned++;
    last = tag.checkpointId;
    const row = await findCheckpoint(db, thread._id, tag.checkpointNs, tag.checkpointId);
    if (row === null || !matches(row, plan.expected)) continue;
    page.push(rowOut(args.threadId, row));
    bytes += rowBytes(row);
  }
  return done();
}

/** Pending writes of checkpoints fromCheckpointId..toCheckpointId (inclusive), by checkpoint then LangGraph's order. */
export async function listCheckpointWrites(db: Reader, args: CheckpointArgs<"listCheckpointWrites">) {
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const thread = await checkedThread(db, args);
  if (thread === null) return { page: [], isDone: true, continueCursor: "" };
  const ns = await findNamespace(db, thread._id, args.checkpointNs);
  const from = args.fromCheckpointId < floorOf(ns) ? floorOf(ns) : args.fromCheckpointId;
  const result = await paginateChecked(writesRange(db, thread._id, args.checkpointNs, from, args.toCheckpointId), {
    ...opts,
    maximumBytesRead: PAGE_BYTES,
  });
  return pageOf(result, result.page.map((doc) => writeOut(doc)));
}

/** Reads whole values (blobs and writes) by key, up to READ_BUDGET_BYTES beyond the first. */
export async function getCheckpointValues(db: Reader, args: CheckpointArgs<"getCheckpointValues">) {
  if (args.blobs.length + args.writes.length > MAX_KEYS_PER_CALL) {
    limitExceeded(`${args.blobs.length + args.writes.length} keys in one call; at most ${MAX_KEYS_PER_CALL} are allowed: split them`, {
      limit: "batchItems",
      max: MAX_KEYS_PER_CALL,
      actual: args.blobs.length + args.writes.length,
    });
  }
  const out = { blobs: [] as BlobOut[], writes: [] as WriteOut[], missingBlobs: [] as typeof args.blobs, missingWrites: [] as typeof args.writes };
  const thread = await checkedThread(db, args);
  if (thread === null) return { ...out, missingBlobs: args.blobs, missingWrites: args.writes };
  const budget = new Budget();
  for (const key of args.blobs) {
    if (budget.exhausted) return out;
    const head = await findBlob(db, thread._id, key.checkpointNs, key.channel, key.version);
    if (head === null) {
      out.missingBlobs.push(key);
      continue;
    }
    if (!budget.fits(head.size)) return out;
    budget.spend(head.size);
    out.blobs.push(blobOut(head, await readValue(db, thread._id, blobKeyOf(key.checkpointNs, key.channel, key.version), head)));
  }
  for (const key of args.writes) {
    if (budget.exhausted) return out;
    const head = await findWrite(db, thread._id, key);
    if (head === null) {
      out.missingWrites.push(key);
      continue;
    }
    if (!budget.fits(head.size)) return out;
    budget.spend(head.size);
    out.writes.push(writeOut(head, await readValue(db, thread._id, writeKeyOf(key.checkpointNs, key.checkpointId, key.taskId, key.idx), head)));
  }
  return out;
}

export async function countCheckpoints(db: Reader, args: CheckpointArgs<"countCheckpoints">): Promise<number> {
  const thread = await checkedThread(db, args);
  if (thread === null) return 0;
  return (await findNamespace(db, thread._id, args.checkpointNs))?.count ?? 0;
}

export async function listCheckpointNamespaces(db: Reader, args: CheckpointArgs<"listCheckpointNamespaces">) {
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const thread = await checkedThread(db, args);
  if (thread === null) return { page: [], isDone: true, continueCursor: "" };
  const result = await paginateChecked(
    db.query("checkpointNamespaces").withIndex("by_thread_ns", (q) => q.eq("thread", thread._id)),
    opts,
  );
  return pageOf(
    result,
    result.page.filter((ns) => ns.count > 0).map((ns) => ({ checkpointNs: ns.checkpointNs, count: ns.count })),
  );
}

export async function listCheckpointThreads(db: Reader, args: CheckpointArgs<"listCheckpointThreads">) {
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  checkOwner(args.resourceId);
  const result = await paginateChecked(
    db.query("checkpointThreads").withIndex("by_owner_thread", (q) => q.eq("resourceId", args.resourceId)),
    opts,
  );
  return pageOf(
    result,
    result.page.filter((row) => row.status === "live").map((row) => ({ threadId: row.threadId, createdAt: row.createdAt, updatedAt: row.updatedAt })),
  );
}
