/**
 * Tables, validators and helpers of the workflows domain.
 *
 * A run is one row of `workflowRuns` (metadata: names, owner, status, sizes,
 * times); its snapshot is JSON text split into `workflowSnapshotChunks` of at
 * most SNAPSHOT_CHUNK_BYTES each, keyed by (run, seq). Every write replaces
 * the chunks in the same transaction as the row, so a reader (one query, one
 * snapshot of the database) never sees a mix of an old and a new snapshot.
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc, Id } from "../_generated/dataModel.js";
import { addToCounter, counterKey, readCounter } from "./counters.js";
import { conflict, invalidArgument } from "./errors.js";
import {
  checkJsonText,
  checkUniqueKeys,
  isJsonObjectText,
  memberText,
  memberUpdate,
  membersOf,
  parseJsonObject,
  setMembers,
  splitUtf8,
  stringValue,
  type JsonObject,
} from "./jsonText.js";
import { limitExceeded, utf8Length } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { checkLimit, checkName, checkOwner, checkTime, vOptionalOwner } from "./shared.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/**
 * Largest snapshot accepted (UTF-8 bytes of its JSON text). A merge reads the
 * chunks (N bytes) and patches or deletes them, which reads them again (N):
 * 2 × 7 MiB stays under the 16 MiB a transaction may read.
 */
export const MAX_SNAPSHOT_BYTES = 7 * 1024 * 1024;
/** Bytes of snapshot text per chunk document (Convex documents are at most 1 MiB). */
export const SNAPSHOT_CHUNK_BYTES = 900_000;
/** Chunks a snapshot may span (MAX_SNAPSHOT_BYTES / SNAPSHOT_CHUNK_BYTES, rounded up). */
export const MAX_SNAPSHOT_CHUNKS = Math.ceil(MAX_SNAPSHOT_BYTES / SNAPSHOT_CHUNK_BYTES);
/** Rows a live `watchWorkflowRuns` query returns at most. */
export const MAX_WATCH_RUNS = 100;
/** Status of a snapshot that names none. */
export const DEFAULT_STATUS = "pending";

/**
 * A run is keyed by its owner, its runId and its workflowName; every index starts
 * with the owner (a run without one lives in the unowned namespace, `undefined`).
 */
export const workflowTables = {
  workflowRuns: defineTable({
    resourceId: v.optional(v.string()),
    workflowName: v.string(),
    runId: v.string(),
    status: v.string(),
    chunkCount: v.number(),
    snapshotBytes: v.number(),
    createdAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_run", ["resourceId", "runId", "workflowName"])
    // listWorkflowRuns: one index per combination of the equality filters, createdAt last.
    .index("by_created", ["resourceId", "createdAt"])
    .index("by_workflow", ["resourceId", "workflowName", "createdAt"])
    .index("by_status", ["resourceId", "status", "createdAt"])
    .index("by_workflow_status", ["resourceId", "workflowName", "status", "createdAt"]),
  workflowSnapshotChunks: defineTable({
    run: v.id("workflowRuns"),
    seq: v.number(),
    text: v.string(),
  }).index("by_run_seq", ["run", "seq"]),
};

// ---------------------------------------------------------------- validators

/** A run without its snapshot (what lists return). */
export const vWorkflowRunInfo = v.object({
  workflowName: v.string(),
  runId: v.string(),
  resourceId: v.optional(v.string()),
  /** Read from the snapshot's top-level `status` ("pending" when it has none). */
  status: v.string(),
  /** UTF-8 bytes of the snapshot's JSON text. */
  snapshotBytes: v.number(),
  createdAt: v.number(),
  updatedAt: v.number(),
});
export type WorkflowRunInfo = Infer<typeof vWorkflowRunInfo>;

/** A run with its snapshot, as JSON text exactly as persisted (or as last merged). */
export const vWorkflowRun = vWorkflowRunInfo.extend({ snapshot: v.string() });
export type WorkflowRun = Infer<typeof vWorkflowRun>;

/** The owner of the runs a call addresses; omitted: the unowned namespace. */
const owner = { resourceId: vOptionalOwner };
const runFilterArgs = { ...owner, workflowName: v.optional(v.string()), status: v.optional(v.string()) };
/** One run: runId alone is enough unless the owner has runs of that id in several workflows. */
const runLookup = { ...owner, runId: v.string(), workflowName: v.optional(v.string()) };

/** Arguments of every workflows function, shared by the component and the client helper. */
export const workflowArgs = {
  persistWorkflowSnapshot: {
    ...owner,
    workflowName: v.string(),
    runId: v.string(),
    /** JSON text of an object; keys may start with `$` or `_`. */
    snapshot: v.string(),
    /** Creation time (ms) to record when the run is new; default now. */
    createdAt: v.optional(v.number()),
  },
  loadWorkflowSnapshot: { ...owner, workflowName: v.string(), runId: v.string() },
  getWorkflowRunById: runLookup,
  listWorkflowRuns: {
    ...runFilterArgs,
    /** createdAt >= fromDate (ms), inclusive. */
    fromDate: v.optional(v.number()),
    /** createdAt <= toDate (ms), inclusive. */
    toDate: v.optional(v.number()),
    paginationOpts: paginationOptsValidator,
  },
  countWorkflowRuns: runFilterArgs,
  deleteWorkflowRunById: runLookup,
  updateWorkflowResults: {
    ...owner,
    workflowName: v.string(),
    runId: v.string(),
    stepId: v.string(),
    /** JSON text of the step's result; stored as `context[stepId]` of the snapshot, byte for byte. */
    result: v.string(),
    /** JSON text of an object whose members are merged into the snapshot's `requestContext`. */
    requestContext: v.optional(v.string()),
  },
  updateWorkflowState: {
    ...owner,
    workflowName: v.string(),
    runId: v.string(),
    /** JSON text of an object whose members replace the snapshot's top-level members. */
    opts: v.string(),
  },
  watchWorkflowRun: runLookup,
  watchWorkflowRuns: { ...runFilterArgs, limit: v.optional(v.number()) },
};

/** Results of every workflows function. */
export const workflowReturns = {
  persistWorkflowSnapshot: vWorkflowRunInfo,
  loadWorkflowSnapshot: v.union(v.string(), v.null()),
  getWorkflowRunById: v.union(vWorkflowRun, v.null()),
  listWorkflowRuns: vPage(vWorkflowRunInfo),
  countWorkflowRuns: v.number(),
  deleteWorkflowRunById: v.null(),
  /** JSON text of the snapshot's `context` after the merge. */
  updateWorkflowResults: v.string(),
  /** JSON text of the snapshot after the merge; null when the run does not exist. */
  updateWorkflowState: v.union(v.string(), v.null()),
  watchWorkflowRun: v.union(vWorkflowRun, v.null()),
  watchWorkflowRuns: v.array(vWorkflowRunInfo),
};

type ArgsOf<K extends keyof typeof workflowArgs> = ObjectType<(typeof workflowArgs)[K]>;

// ---------------------------------------------------------------- helpers

function info(run: Doc<"workflowRuns">): WorkflowRunInfo {
  const out: WorkflowRunInfo = {
    workflowName: run.workflowName,
    runId: run.runId,
    status: run.status,
    snapshotBytes: run.snapshotBytes,
    createdAt: run.createdAt,
    updatedAt: run.updatedAt,
  };
  if (run.resourceId !== undefined) out.resourceId = run.resourceId;
  return out;
}

/** The status a snapshot names (its top-level `status` string), or DEFAULT_STATUS when it names none. */
export function statusOf(snapshot: JsonObject, field = "snapshot"): string {
  const text = memberText(snapshot, "status");
  if (text === undefined || text.trim() === "null") return DEFAULT_STATUS;
  const status = stringValue(text);
  if (status === undefined || status.length === 0 || status.length > 64) {
    return invalidArgument(`${field}.status must be a non-empty string of at most 64 characters`, { field });
  }
  return status;
}

/** The owner's run named by runId (and workflowName when given); CONFLICT when runId alone is ambiguous. */
export async function findRun(
  db: Reader,
  resourceId: string | undefined,
  runId: string,
  workflowName?: string,
): Promise<Doc<"workflowRuns"> | null> {
  if (workflowName !== undefined) {
    return db
      .query("workflowRuns")
      .withIndex("by_run", (q) => q.eq("resourceId", resourceId).eq("runId", runId).eq("workflowName", workflowName))
      .unique();
  }
  const found = await db
    .query("workflowRuns")
    .withIndex("by_run", (q) => q.eq("resourceId", resourceId).eq("runId", runId))
    .take(2);
  if (found.length > 1) {
    conflict(`run "${runId}" exists in several workflows; pass workflowName`, { runId });
  }
  return found[0] ?? null;
}

async function readChunks(db: Reader, run: Doc<"workflowRuns">): Promise<Doc<"workflowSnapshotChunks">[]> {
  return db
    .query("workflowSnapshotChunks")
    .withIndex("by_run_seq", (q) => q.eq("run", run._id))
    .take(MAX_SNAPSHOT_CHUNKS + 1);
}

async function readSnapshotChunks(db: Reader, run: Doc<"workflowRuns">) {
  const chunks = await readChunks(db, run);
  if (chunks.length !== run.chunkCount) {
    // Not a refusal of the caller's input but a broken invariant of the component's own rows:
    // it must surface as an internal error (never mapped to an SDK error class), so a plain Error.
    throw new Error(`workflow run ${run.runId}: expected ${run.chunkCount} snapshot chunks, found ${chunks.length}`);
  }
  return { text: chunks.map((c) => c.text).join(""), chunks };
}

async function readSnapshot(db: Reader, run: Doc<"workflowRuns">): Promise<string> {
  return (await readSnapshotChunks(db, run)).text;
}

/** Replaces the run's chunks with `text` split in pieces (patching in place, inserting and deleting the difference). */
async function writeChunks(db: Writer, runRef: Id<"workflowRuns">, text: string, old: Doc<"workflowSnapshotChunks">[]) {
  const pieces = splitUtf8(text, SNAPSHOT_CHUNK_BYTES);
  for (let seq = 0; seq < pieces.length; seq++) {
    if (seq < old.length) await db.patch(old[seq]._id, { seq, text: pieces[seq] });
    else await db.insert("workflowSnapshotChunks", { run: runRef, seq, text: pieces[seq] });
  }
  for (let seq = pieces.length; seq < old.length; seq++) await db.delete(old[seq]._id);
  return pieces.length;
}

type Dimensions = { resourceId?: string; workflowName?: string; status?: string };

/** The counter key of the owner's runs matching exactly these filters (absent: any). */
export function runCounterKey(f: Dimensions): string {
  return counterKey(
    "workflowRuns",
    f.resourceId === undefined ? "-" : `r:${f.resourceId}`,
    f.workflowName === undefined ? "*" : `w:${f.workflowName}`,
    f.status === undefined ? "*" : `s:${f.status}`,
  );
}

/** Every counter a run is counted in: its owner with each combination of its other dimensions. */
export function runCounterKeys(run: Dimensions): string[] {
  const keys: string[] = [];
  for (const w of [undefined, run.workflowName]) {
    for (const s of [undefined, run.status]) keys.push(runCounterKey({ resourceId: run.resourceId, workflowName: w, status: s }));
  }
  return keys;
}

async function moveCounters(db: Writer, before: Dimensions | null, after: Dimensions | null) {
  const old = new Set(before === null ? [] : runCounterKeys(before));
  const now = new Set(after === null ? [] : runCounterKeys(after));
  for (const key of old) if (!now.has(key)) await addToCounter(db, key, -1);
  for (const key of now) if (!old.has(key)) await addToCounter(db, key, 1);
}

function checkSnapshotSize(bytes: number, field: string) {
  if (bytes > MAX_SNAPSHOT_BYTES) {
    limitExceeded(
      `${field} is ${bytes} bytes; at most ${MAX_SNAPSHOT_BYTES} bytes of JSON text are stored per run — keep large payloads elsewhere and store references`,
      { limit: "snapshotBytes", max: MAX_SNAPSHOT_BYTES, actual: bytes, field },
    );
  }
}

/**
 * Writes `text` as the run's snapshot (creating the run when `existing` is
 * null), keeping the row, its chunks and the counters consistent.
 */
async function storeSnapshot(
  db: Writer,
  target: { resourceId?: string; workflowName: string; runId: string; createdAt?: number },
  existing: Doc<"workflowRuns"> | null,
  text: string,
  status: string,
  /** The run's chunks when the caller has read them already (each byte is read once per transaction). */
  oldChunks?: Doc<"workflowSnapshotChunks">[],
): Promise<Doc<"workflowRuns">> {
  const snapshotBytes = utf8Length(text);
  checkSnapshotSize(snapshotBytes, "snapshot");
  const now = Date.now();
  if (existing === null) {
    const createdAt = target.createdAt ?? now;
    const row = {
      workflowName: target.workflowName,
      runId: target.runId,
      status,
      chunkCount: 0,
      snapshotBytes,
      createdAt,
      updatedAt: Math.max(now, createdAt),
      ...(target.resourceId === undefined ? {} : { resourceId: target.resourceId }),
    };
    const ref = await db.insert("workflowRuns", row);
    const chunkCount = await writeChunks(db, ref, text, []);
    await db.patch(ref, { chunkCount });
    await moveCounters(db, null, row);
    return (await db.get(ref))!;
  }
  const old = oldChunks ?? (await readChunks(db, existing));
  const chunkCount = await writeChunks(db, existing._id, text, old);
  await db.patch(existing._id, { status, chunkCount, snapshotBytes, updatedAt: now });
  await moveCounters(db, existing, { resourceId: existing.resourceId, workflowName: existing.workflowName, status });
  return (await db.get(existing._id))!;
}

function checkRun(args: { resourceId?: string; workflowName?: string; runId: string }) {
  checkOwner(args.resourceId);
  if (args.workflowName !== undefined) checkName(args.workflowName, "workflowName");
  checkName(args.runId, "runId");
}

function checkFilters(args: Dimensions) {
  checkOwner(args.resourceId);
  if (args.workflowName !== undefined) checkName(args.workflowName, "workflowName");
  if (args.status !== undefined) checkName(args.status, "status", 64);
}

/** A stored snapshot as an object whose members can be merged (unique keys at the merged levels). */
function storedObject(text: string): JsonObject {
  const snapshot = parseJsonObject(text, "stored snapshot");
  checkUniqueKeys(snapshot, "the stored snapshot", true);
  return snapshot;
}

// ---------------------------------------------------------------- operations

/** Creates or replaces the owner's run's snapshot (JSON text of an object), stored byte for byte. */
export async function persistWorkflowSnapshot(db: Writer, args: ArgsOf<"persistWorkflowSnapshot">): Promise<WorkflowRunInfo> {
  checkRun(args);
  checkTime(args.createdAt, "createdAt");
  checkSnapshotSize(utf8Length(args.snapshot), "snapshot");
  const status = statusOf(parseJsonObject(args.snapshot, "snapshot"));
  const existing = await findRun(db, args.resourceId, args.runId, args.workflowName);
  return info(await storeSnapshot(db, args, existing, args.snapshot, status));
}

/** The owner's run's snapshot as the JSON text last stored, or null. */
export async function loadWorkflowSnapshot(db: Reader, args: ArgsOf<"loadWorkflowSnapshot">): Promise<string | null> {
  checkRun(args);
  const run = await findRun(db, args.resourceId, args.runId, args.workflowName);
  return run === null ? null : readSnapshot(db, run);
}

/** The owner's run with its snapshot, or null. */
export async function getWorkflowRunById(db: Reader, args: ArgsOf<"getWorkflowRunById">): Promise<WorkflowRun | null> {
  checkRun(args);
  const run = await findRun(db, args.resourceId, args.runId, args.workflowName);
  if (run === null) return null;
  return { ...info(run), snapshot: await readSnapshot(db, run) };
}

/** The query over the index that serves exactly this combination of filters, newest first. */
function runsQuery(db: Reader, f: Dimensions & { fromDate?: number; toDate?: number }) {
  const parts: [string, string][] = [];
  if (f.workflowName !== undefined) parts.push(["workflowName", f.workflowName]);
  if (f.status !== undefined) parts.push(["status", f.status]);
  const suffix = parts.map(([field]) => ({ workflowName: "workflow", status: "status" })[field]);
  const indexName = parts.length === 0 ? "by_created" : `by_${suffix.join("_")}`;
  // The index names are built from the filters; the cast only spares spelling out four branches.
  return (db.query("workflowRuns") as any)
    .withIndex(indexName, (q: any) => {
      let range = q.eq("resourceId", f.resourceId);
      for (const [field, value] of parts) range = range.eq(field, value);
      if (f.fromDate !== undefined) range = range.gte("createdAt", f.fromDate);
      if (f.toDate !== undefined) range = range.lte("createdAt", f.toDate);
      return range;
    })
    .order("desc");
}

/** A page of the owner's runs (without snapshots), newest first, filtered by workflowName / status and a createdAt range. */
export async function listWorkflowRuns(db: Reader, args: ArgsOf<"listWorkflowRuns">) {
  checkFilters(args);
  checkTime(args.fromDate, "fromDate");
  checkTime(args.toDate, "toDate");
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const result = await paginateChecked<any>(runsQuery(db, args), opts);
  return pageOf(result, (result.page as Doc<"workflowRuns">[]).map(info));
}

/** The owner's newest runs matching the filters (`limit` 1 to MAX_WATCH_RUNS, default 20). */
export async function watchWorkflowRuns(db: Reader, args: ArgsOf<"watchWorkflowRuns">): Promise<WorkflowRunInfo[]> {
  checkFilters(args);
  const limit = checkLimit(args.limit, "limit", MAX_WATCH_RUNS, 20);
  const rows = (await runsQuery(db, args).take(limit)) as Doc<"workflowRuns">[];
  return rows.map(info);
}

/** The exact number of the owner's runs matching workflowName / status (one read). */
export async function countWorkflowRuns(db: Reader, args: ArgsOf<"countWorkflowRuns">): Promise<number> {
  checkFilters(args);
  return readCounter(db, runCounterKey(args));
}

/** Deletes the owner's run and its snapshot; a missing run is a no-op. */
export async function deleteWorkflowRunById(db: Writer, args: ArgsOf<"deleteWorkflowRunById">): Promise<null> {
  checkRun(args);
  const run = await findRun(db, args.resourceId, args.runId, args.workflowName);
  if (run === null) return null;
  for (const chunk of await readChunks(db, run)) await db.delete(chunk._id);
  await db.delete(run._id);
  await moveCounters(db, run, null);
  return null;
}

/** A fresh snapshot, as Mastra's stores create one when a step result arrives for an unknown run. */
function emptySnapshot(runId: string): string {
  return JSON.stringify({
    runId,
    status: DEFAULT_STATUS,
    value: {},
    context: {},
    activePaths: [],
    serializedStepGraph: [],
    suspendedPaths: {},
    waitingPaths: {},
    resumeLabels: {},
    requestContext: {},
    timestamp: Date.now(),
  });
}

/**
 * The text of `container` (a member value of `snapshot`, named `name`) with
 * `updates` set in it: spliced into it when it is an object, a new object of
 * the updates otherwise (a missing or non-object member is replaced).
 */
function mergeInto(snapshot: JsonObject, name: string, updates: ReturnType<typeof membersOf>): string {
  const current = memberText(snapshot, name);
  if (current !== undefined && isJsonObjectText(current)) {
    const object = parseJsonObject(current, `the stored snapshot's ${name}`);
    checkUniqueKeys(object, `the stored snapshot's ${name}`, true);
    return setMembers(object, updates);
  }
  return setMembers(parseJsonObject("{}", name), updates);
}

/**
 * Atomically sets `context[stepId]` of the owner's run to `result` (its text
 * byte for byte) and merges `requestContext`'s members; creates the run when it
 * does not exist. Every other byte of the snapshot stays as stored. Returns the
 * context as JSON text.
 */
export async function updateWorkflowResults(db: Writer, args: ArgsOf<"updateWorkflowResults">): Promise<string> {
  checkRun(args);
  checkName(args.stepId, "stepId");
  checkJsonText(args.result, "result");
  const requestContext = args.requestContext === undefined ? undefined : parseJsonObject(args.requestContext, "requestContext");
  if (requestContext !== undefined) checkUniqueKeys(requestContext, "requestContext", false);
  const existing = await findRun(db, args.resourceId, args.runId, args.workflowName);
  const stored = existing === null ? null : await readSnapshotChunks(db, existing);
  const snapshot = storedObject(stored === null ? emptySnapshot(args.runId) : stored.text);
  const context = mergeInto(snapshot, "context", [memberUpdate(args.stepId, args.result)]);
  const updates = [memberUpdate("context", context)];
  if (requestContext !== undefined) {
    updates.push(memberUpdate("requestContext", mergeInto(snapshot, "requestContext", membersOf(requestContext))));
  }
  const text = setMembers(snapshot, updates);
  await storeSnapshot(db, args, existing, text, statusOf(snapshot), stored?.chunks);
  return context;
}

/**
 * Atomically replaces top-level members of the owner's run's snapshot with those
 * of `opts` (their text byte for byte); every other byte stays as stored.
 * Returns the snapshot, or null when the run does not exist.
 */
export async function updateWorkflowState(db: Writer, args: ArgsOf<"updateWorkflowState">): Promise<string | null> {
  checkRun(args);
  const opts = parseJsonObject(args.opts, "opts");
  checkUniqueKeys(opts, "opts", false);
  const newStatus = memberText(opts, "status") === undefined ? undefined : statusOf(opts, "opts");
  const existing = await findRun(db, args.resourceId, args.runId, args.workflowName);
  if (existing === null) return null;
  const stored = await readSnapshotChunks(db, existing);
  const snapshot = storedObject(stored.text);
  const text = setMembers(snapshot, membersOf(opts));
  await storeSnapshot(db, args, existing, text, newStatus ?? statusOf(snapshot), stored.chunks);
  return text;
}
