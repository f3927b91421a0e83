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
import { checkName, checkTime, parseJsonObject, parseJsonText, splitUtf8 } from "./jsonText.js";
import { limitExceeded, utf8Length } from "./limits.js";
import { boundedPage, pageOf, vPage } from "./pagination.js";

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

export const workflowTables = {
  workflowRuns: defineTable({
    workflowName: v.string(),
    runId: v.string(),
    resourceId: v.optional(v.string()),
    status: v.string(),
    chunkCount: v.number(),
    snapshotBytes: v.number(),
    createdAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_run", ["runId", "workflowName"])
    // listWorkflowRuns: one index per combination of the equality filters, createdAt last.
    .index("by_created", ["createdAt"])
    .index("by_workflow", ["workflowName", "createdAt"])
    .index("by_resource", ["resourceId", "createdAt"])
    .index("by_status", ["status", "createdAt"])
    .index("by_workflow_resource", ["workflowName", "resourceId", "createdAt"])
    .index("by_workflow_status", ["workflowName", "status", "createdAt"])
    .index("by_resource_status", ["resourceId", "status", "createdAt"])
    .index("by_workflow_resource_status", ["workflowName", "resourceId", "status", "createdAt"]),
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

const runFilterArgs = {
  workflowName: v.optional(v.string()),
  resourceId: v.optional(v.string()),
  status: v.optional(v.string()),
};

export const workflowArgs = {
  persistWorkflowSnapshot: {
    workflowName: v.string(),
    runId: v.string(),
    resourceId: v.optional(v.string()),
    /** JSON text of an object; keys may start with `$` or `_`. */
    snapshot: v.string(),
    /** Creation time (ms) to record when the run is new; default now. */
    createdAt: v.optional(v.number()),
  },
  loadWorkflowSnapshot: { workflowName: v.string(), runId: v.string() },
  getWorkflowRunById: { runId: v.string(), workflowName: v.optional(v.string()) },
  listWorkflowRuns: {
    ...runFilterArgs,
    /** createdAt >= fromDate (ms), inclusive. */
    fromDate: v.optional(v.number()),
    /** createdAt <= toDate (ms), inclusive. */
    toDate: v.optional(v.number()),
    paginationOpts: paginationOptsValidator,
  },
  countWorkflowRuns: runFilterArgs,
  deleteWorkflowRunById: { runId: v.string(), workflowName: v.optional(v.string()) },
  updateWorkflowResults: {
    workflowName: v.string(),
    runId: v.string(),
    stepId: v.string(),
    /** JSON text of the step's result; stored as `context[stepId]` of the snapshot. */
    result: v.string(),
    /** JSON text of an object merged into the snapshot's `requestContext`. */
    requestContext: v.optional(v.string()),
    /** Owner to record when the run does not exist yet (it is then created). */
    resourceId: v.optional(v.string()),
  },
  updateWorkflowState: {
    workflowName: v.string(),
    runId: v.string(),
    /** JSON text of an object whose keys replace the snapshot's top-level keys. */
    opts: v.string(),
  },
  watchWorkflowRun: { runId: v.string(), workflowName: v.optional(v.string()) },
  watchWorkflowRuns: { ...runFilterArgs, limit: v.optional(v.number()) },
  workflowRunOwner: { runId: v.string(), workflowName: v.optional(v.string()) },
};

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
  workflowRunOwner: v.object({ exists: v.boolean(), resourceId: v.optional(v.string()) }),
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

/** The status a snapshot names (its top-level `status`), or DEFAULT_STATUS. */
export function statusOf(snapshot: Record<string, unknown>, field = "snapshot"): string {
  const status = snapshot.status;
  if (status === undefined || status === null) return DEFAULT_STATUS;
  if (typeof status !== "string" || status.length === 0 || status.length > 64) {
    return invalidArgument(`${field}.status must be a non-empty string of at most 64 characters`, { field });
  }
  return status;
}

/** The run named by runId (and workflowName when given); CONFLICT when runId alone is ambiguous. */
export async function findRun(db: Reader, runId: string, workflowName?: string): Promise<Doc<"workflowRuns"> | null> {
  if (workflowName !== undefined) {
    return db
      .query("workflowRuns")
      .withIndex("by_run", (q) => q.eq("runId", runId).eq("workflowName", workflowName))
      .unique();
  }
  const found = await db
    .query("workflowRuns")
    .withIndex("by_run", (q) => q.eq("runId", runId))
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

type Dimensions = { workflowName?: string; resourceId?: string; status?: string };

/** The counter key of the set of runs matching exactly these filters. */
export function runCounterKey(f: Dimensions): string {
  return counterKey(
    "workflowRuns",
    f.workflowName === undefined ? "*" : `w:${f.workflowName}`,
    f.resourceId === undefined ? "*" : `r:${f.resourceId}`,
    f.status === undefined ? "*" : `s:${f.status}`,
  );
}

/** Every counter a run is counted in: one per combination of its dimensions. */
export function runCounterKeys(run: Dimensions): string[] {
  const keys: string[] = [];
  for (const w of [undefined, run.workflowName]) {
    for (const r of run.resourceId === undefined ? [undefined] : [undefined, run.resourceId]) {
      for (const s of [undefined, run.status]) keys.push(runCounterKey({ workflowName: w, resourceId: r, status: s }));
    }
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
  target: { workflowName: string; runId: string; resourceId?: string; createdAt?: number },
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
  const resourceId = existing.resourceId ?? target.resourceId;
  const old = oldChunks ?? (await readChunks(db, existing));
  const chunkCount = await writeChunks(db, existing._id, text, old);
  await db.patch(existing._id, { status, chunkCount, snapshotBytes, updatedAt: now, resourceId });
  await moveCounters(db, existing, { workflowName: existing.workflowName, resourceId, status });
  return (await db.get(existing._id))!;
}

function checkOwner(existing: Doc<"workflowRuns"> | null, resourceId: string | undefined) {
  if (existing?.resourceId !== undefined && resourceId !== undefined && existing.resourceId !== resourceId) {
    conflict(`run "${existing.runId}" of workflow "${existing.workflowName}" belongs to another resource`, {
      runId: existing.runId,
    });
  }
}

function checkRunNames(args: { workflowName?: string; runId: string }) {
  if (args.workflowName !== undefined) checkName(args.workflowName, "workflowName");
  checkName(args.runId, "runId");
}

// ---------------------------------------------------------------- operations

export async function persistWorkflowSnapshot(db: Writer, args: ArgsOf<"persistWorkflowSnapshot">): Promise<WorkflowRunInfo> {
  checkRunNames(args);
  if (args.resourceId !== undefined) checkName(args.resourceId, "resourceId");
  checkTime(args.createdAt, "createdAt");
  checkSnapshotSize(utf8Length(args.snapshot), "snapshot");
  const status = statusOf(parseJsonObject(args.snapshot, "snapshot"));
  const existing = await findRun(db, args.runId, args.workflowName);
  checkOwner(existing, args.resourceId);
  return info(await storeSnapshot(db, args, existing, args.snapshot, status));
}

export async function loadWorkflowSnapshot(db: Reader, args: ArgsOf<"loadWorkflowSnapshot">): Promise<string | null> {
  const run = await findRun(db, args.runId, args.workflowName);
  return run === null ? null : readSnapshot(db, run);
}

export async function getWorkflowRunById(db: Reader, args: ArgsOf<"getWorkflowRunById">): Promise<WorkflowRun | null> {
  const run = await findRun(db, args.runId, args.workflowName);
  if (run === null) return null;
  return { ...info(run), snapshot: await readSnapshot(db, run) };
}

export async function workflowRunOwner(db: Reader, args: ArgsOf<"workflowRunOwner">) {
  const run = await findRun(db, args.runId, args.workflowName);
  if (run === null) return { exists: false };
  return run.resourceId === undefined ? { exists: true } : { exists: true, resourceId: run.resourceId };
}

/** The query over the index that serves exactly this combination of filters, newest first. */
function runsQuery(db: Reader, f: Dimensions & { fromDate?: number; toDate?: number }) {
  const parts: [string, string][] = [];
  if (f.workflowName !== undefined) parts.push(["workflowName", f.workflowName]);
  if (f.resourceId !== undefined) parts.push(["resourceId", f.resourceId]);
  if (f.status !== undefined) parts.push(["status", f.status]);
  const suffix = parts.map(([field]) => ({ workflowName: "workflow", resourceId: "resource", status: "status" })[field]);
  const indexName = parts.length === 0 ? "by_created" : `by_${suffix.join("_")}`;
  // The index names are built from the filters; the cast only spares spelling out eight branches.
  return (db.query("workflowRuns") as any)
    .withIndex(indexName, (q: any) => {
      let range = q;
      for (const [field, value] of parts) range = range.eq(field, value);
      if (f.fromDate !== undefined) range = range.gte("createdAt", f.fromDate);
      if (f.toDate !== undefined) range = range.lte("createdAt", f.toDate);
      return range;
    })
    .order("desc");
}

export async function listWorkflowRuns(db: Reader, args: ArgsOf<"listWorkflowRuns">) {
  checkTime(args.fromDate, "fromDate");
  checkTime(args.toDate, "toDate");
  const result = await runsQuery(db, args).paginate(boundedPage(args.paginationOpts as PaginationOptions));
  return pageOf(result, (result.page as Doc<"workflowRuns">[]).map(info));
}

export async function watchWorkflowRuns(db: Reader, args: ArgsOf<"watchWorkflowRuns">): Promise<WorkflowRunInfo[]> {
  const limit = args.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_WATCH_RUNS) {
    invalidArgument(`limit must be an integer from 1 to ${MAX_WATCH_RUNS}`, { field: "limit" });
  }
  const rows = (await runsQuery(db, args).take(limit)) as Doc<"workflowRuns">[];
  return rows.map(info);
}

export async function countWorkflowRuns(db: Reader, args: ArgsOf<"countWorkflowRuns">): Promise<number> {
  return readCounter(db, runCounterKey(args));
}

export async function deleteWorkflowRunById(db: Writer, args: ArgsOf<"deleteWorkflowRunById">): Promise<null> {
  const run = await findRun(db, args.runId, args.workflowName);
  if (run === null) return null;
  for (const chunk of await readChunks(db, run)) await db.delete(chunk._id);
  await db.delete(run._id);
  await moveCounters(db, run, null);
  return null;
}

/** A fresh snapshot, as Mastra's stores create one when a step result arrives for an unknown run. */
function emptySnapshot(runId: string): Record<string, unknown> {
  return {
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
  };
}

export async function updateWorkflowResults(db: Writer, args: ArgsOf<"updateWorkflowResults">): Promise<string> {
  checkRunNames(args);
  checkName(args.stepId, "stepId");
  if (args.resourceId !== undefined) checkName(args.resourceId, "resourceId");
  const result = parseJsonText(args.result, "result");
  const requestContext = args.requestContext === undefined ? {} : parseJsonObject(args.requestContext, "requestContext");
  const existing = await findRun(db, args.runId, args.workflowName);
  checkOwner(existing, args.resourceId);
  const stored = existing === null ? null : await readSnapshotChunks(db, existing);
  const snapshot = stored === null ? emptySnapshot(args.runId) : parseJsonObject(stored.text, "stored snapshot");
  const context = isObject(snapshot.context) ? snapshot.context : {};
  context[args.stepId] = result;
  snapshot.context = context;
  snapshot.requestContext = { ...(isObject(snapshot.requestContext) ? snapshot.requestContext : {}), ...requestContext };
  await storeSnapshot(db, args, existing, JSON.stringify(snapshot), statusOf(snapshot), stored?.chunks);
  return JSON.stringify(context);
}

export async function updateWorkflowState(db: Writer, args: ArgsOf<"updateWorkflowState">): Promise<string | null> {
  checkRunNames(args);
  const opts = parseJsonObject(args.opts, "opts");
  statusOf(opts, "opts");
  const existing = await findRun(db, args.runId, args.workflowName);
  if (existing === null) return null;
  const stored = await readSnapshotChunks(db, existing);
  const snapshot = { ...parseJsonObject(stored.text, "stored snapshot"), ...opts };
  const text = JSON.stringify(snapshot);
  await storeSnapshot(db, args, existing, text, statusOf(snapshot), stored.chunks);
  return text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

