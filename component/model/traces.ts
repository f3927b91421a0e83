/**
 * Tables, signatures and helpers of the traces domain: spans of traces
 * (observability). A trace is the set of spans sharing an owner and a traceId:
 * spans are keyed by (`resourceId`, `traceId`, `spanId`) and every index starts
 * with the owner, so two owners' traces of the same id never meet. A trace
 * without `resourceId` is unowned. Its root spans (no parentSpanId) are what
 * `listTraces` lists, through one index per filter. attributes, metadata, input,
 * output and error are JSON text.
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions, type Scheduler } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { internal } from "../_generated/api.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { checkJsonFields } from "./jsonText.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { approximateSize, checkBatch as checkBatchLimits, checkDocument, DELETE_BATCH_SIZE, limitExceeded, MAX_BATCH_ITEMS } from "./limits.js";
import { checkLimit, checkName, checkOwner, checkTime, vOptionalOwner } from "./shared.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** Spans `getTrace` returns at most (its result says `truncated` when there are more). */
export const MAX_TRACE_SPANS = 1_000;
/** Bytes of spans `getTrace` reads at most before it stops (and says `truncated`). */
export const MAX_TRACE_BYTES = 8 * 1024 * 1024;
/** Traces one `deleteTraces` call names at most. */
export const MAX_DELETE_TRACES = 100;

export const vSpanStatus = v.union(v.literal("running"), v.literal("success"), v.literal("error"));

/** A span as a caller writes it; its owner is the call's `resourceId`. */
const spanData = {
  traceId: v.string(),
  spanId: v.string(),
  parentSpanId: v.optional(v.string()),
  name: v.string(),
  /** e.g. "agent_run", "llm_generation", "tool_call". */
  spanType: v.string(),
  /** The entity the span is about (e.g. "agent" / "weatherAgent"). */
  entityType: v.optional(v.string()),
  entityId: v.optional(v.string()),
  /** JSON text. */
  attributes: v.optional(v.string()),
  /** JSON text. */
  metadata: v.optional(v.string()),
  /** JSON text. */
  input: v.optional(v.string()),
  /** JSON text. */
  output: v.optional(v.string()),
  /** JSON text; a span with an error has status "error". */
  error: v.optional(v.string()),
  startedAt: v.number(),
  endedAt: v.optional(v.number()),
};

const spanFields = {
  /** Owner of the span's trace; absent for an unowned trace. */
  resourceId: vOptionalOwner,
  ...spanData,
  /** "error" when error is set, else "success" when endedAt is set, else "running". */
  status: vSpanStatus,
  createdAt: v.number(),
  updatedAt: v.number(),
};

export const traceTables = {
  spans: defineTable({ ...spanFields, isRoot: v.boolean() })
    .index("by_trace_span", ["resourceId", "traceId", "spanId"])
    .index("by_trace_started", ["resourceId", "traceId", "startedAt"])
    .index("by_trace_root", ["resourceId", "traceId", "isRoot"])
    // listTraces: the owner's root spans, one index per filter.
    .index("roots", ["resourceId", "isRoot", "startedAt"])
    .index("roots_by_name", ["resourceId", "isRoot", "name", "startedAt"])
    .index("roots_by_entity", ["resourceId", "isRoot", "entityType", "entityId", "startedAt"])
    .index("roots_by_status", ["resourceId", "isRoot", "status", "startedAt"]),
  /** Traces being deleted in scheduled batches: gone for readers at once. */
  traceTombstones: defineTable({ resourceId: vOptionalOwner, traceId: v.string() }).index("by_trace", ["resourceId", "traceId"]),
};

export const vSpan = v.object(spanFields);
export type Span = Infer<typeof vSpan>;
export const vSpanInput = v.object(spanData);
export const vSpanUpdate = v.object({
  traceId: v.string(),
  spanId: v.string(),
  name: v.optional(v.string()),
  attributes: v.optional(v.string()),
  metadata: v.optional(v.string()),
  input: v.optional(v.string()),
  output: v.optional(v.string()),
  error: v.optional(v.string()),
  endedAt: v.optional(v.number()),
});

const owner = { resourceId: vOptionalOwner };

/** Arguments of every traces function, shared by the component and the client helper. */
export const traceArgs = {
  createSpans: { ...owner, spans: v.array(vSpanInput) },
  updateSpans: { ...owner, updates: v.array(vSpanUpdate) },
  getTrace: { ...owner, traceId: v.string(), limit: v.optional(v.number()) },
  listTraces: {
    ...owner,
    /** At most one of name, entity (entityType + entityId) and status. */
    name: v.optional(v.string()),
    entityType: v.optional(v.string()),
    entityId: v.optional(v.string()),
    status: v.optional(vSpanStatus),
    /** startedAt >= fromDate (ms). */
    fromDate: v.optional(v.number()),
    /** startedAt <= toDate (ms). */
    toDate: v.optional(v.number()),
    paginationOpts: paginationOptsValidator,
  },
  deleteTraces: { ...owner, traceIds: v.array(v.string()) },
};

/** Results of every traces function. */
export const traceReturns = {
  createSpans: v.object({ created: v.number() }),
  updateSpans: v.object({ updated: v.number() }),
  getTrace: v.union(v.object({ traceId: v.string(), spans: v.array(vSpan), truncated: v.boolean() }), v.null()),
  listTraces: vPage(vSpan),
  deleteTraces: v.null(),
};

type ArgsOf<K extends keyof typeof traceArgs> = ObjectType<(typeof traceArgs)[K]>;

/** A stored span as a result. */
function toSpan(row: Doc<"spans">): Span {
  const { _id, _creationTime, isRoot, ...span } = row;
  return span;
}

function statusOf(span: { error?: string; endedAt?: number }): Span["status"] {
  if (span.error !== undefined) return "error";
  return span.endedAt !== undefined ? "success" : "running";
}

function checkBatch(items: unknown[], field: string, max = MAX_BATCH_ITEMS) {
  if (items.length === 0) invalidArgument(`${field} must not be empty`, { field });
  checkBatchLimits(field, items, max);
}

/** The span as it would be stored (its system fields, when it has them, are not counted twice). */
function checkSpanDocument(span: { spanId: string; _id?: unknown; _creationTime?: unknown }) {
  const { _id, _creationTime, ...stored } = span;
  checkDocument(`span "${span.spanId}"`, stored);
}

type Owner = string | undefined;

async function firstSpan(db: Reader, resourceId: Owner, traceId: string) {
  return db.query("spans").withIndex("by_trace_span", (q) => q.eq("resourceId", resourceId).eq("traceId", traceId)).first();
}

async function findSpan(db: Reader, resourceId: Owner, traceId: string, spanId: string) {
  return db
    .query("spans")
    .withIndex("by_trace_span", (q) => q.eq("resourceId", resourceId).eq("traceId", traceId).eq("spanId", spanId))
    .unique();
}

async function tombstone(db: Reader, resourceId: Owner, traceId: string) {
  return db.query("traceTombstones").withIndex("by_trace", (q) => q.eq("resourceId", resourceId).eq("traceId", traceId)).first();
}

/** Creates the owner's spans in one batch (at most MAX_BATCH_ITEMS / MAX_BATCH_BYTES); CONFLICT when the owner already has one of them. */
export async function createSpans(db: Writer, args: ArgsOf<"createSpans">) {
  checkOwner(args.resourceId);
  checkBatch(args.spans, "spans");
  const seen = new Set<string>();
  for (const span of args.spans) {
    for (const field of ["traceId", "spanId", "name", "spanType"] as const) checkName(span[field], field);
    for (const field of ["parentSpanId", "entityType", "entityId"] as const) {
      if (span[field] !== undefined) checkName(span[field]!, field);
    }
    checkTime(span.startedAt, "startedAt");
    checkTime(span.endedAt, "endedAt");
    if (span.endedAt !== undefined && span.endedAt < span.startedAt) invalidArgument("endedAt is before startedAt", { field: "endedAt", spanId: span.spanId });
    checkJsonFields({ attributes: span.attributes, metadata: span.metadata, input: span.input, output: span.output, error: span.error });
    const key = JSON.stringify([span.traceId, span.spanId]);
    if (seen.has(key)) invalidArgument(`span "${span.spanId}" of trace "${span.traceId}" appears twice in the batch`, { traceId: span.traceId, spanId: span.spanId });
    seen.add(key);
  }
  for (const traceId of new Set(args.spans.map((s) => s.traceId))) {
    if ((await tombstone(db, args.resourceId, traceId)) !== null) conflict(`trace "${traceId}" is being deleted`, { traceId });
  }
  const now = Date.now();
  const rows = [];
  for (const span of args.spans) {
    if ((await findSpan(db, args.resourceId, span.traceId, span.spanId)) !== null) {
      conflict(`span "${span.spanId}" of trace "${span.traceId}" exists`, { traceId: span.traceId, spanId: span.spanId });
    }
    const row = {
      ...(args.resourceId === undefined ? {} : { resourceId: args.resourceId }),
      ...span,
      isRoot: span.parentSpanId === undefined,
      status: statusOf(span),
      createdAt: now,
      updatedAt: now,
    };
    checkSpanDocument(row);
    rows.push(row);
  }
  for (const row of rows) await db.insert("spans", row);
  return { created: rows.length };
}

/** Updates the owner's spans in one batch (end time, output, error, ...); NOT_FOUND when one does not exist. */
export async function updateSpans(db: Writer, args: ArgsOf<"updateSpans">) {
  checkOwner(args.resourceId);
  checkBatch(args.updates, "updates");
  const seen = new Set<string>();
  const patches = [];
  for (const update of args.updates) {
    const { traceId, spanId, ...fields } = update;
    checkName(traceId, "traceId");
    checkName(spanId, "spanId");
    if (fields.name !== undefined) checkName(fields.name, "name");
    checkTime(fields.endedAt, "endedAt");
    checkJsonFields({ attributes: fields.attributes, metadata: fields.metadata, input: fields.input, output: fields.output, error: fields.error });
    const key = JSON.stringify([traceId, spanId]);
    if (seen.has(key)) invalidArgument(`span "${spanId}" of trace "${traceId}" appears twice in the batch`, { traceId, spanId });
    seen.add(key);
  }
  for (const update of args.updates) {
    const { traceId, spanId, ...fields } = update;
    const row = await findSpan(db, args.resourceId, traceId, spanId);
    if (row === null || (await tombstone(db, args.resourceId, traceId)) !== null) {
      return notFound(`span "${spanId}" of trace "${traceId}" does not exist`, { traceId, spanId });
    }
    const next = { ...row, ...fields };
    if (next.endedAt !== undefined && next.endedAt < next.startedAt) invalidArgument("endedAt is before startedAt", { field: "endedAt", spanId });
    const patch = { ...fields, status: statusOf(next), updatedAt: Date.now() };
    checkSpanDocument({ ...next, ...patch });
    patches.push({ id: row._id, patch });
  }
  for (const { id, patch } of patches) await db.patch(id, patch);
  return { updated: patches.length };
}

/** The spans of the owner's trace by start time, at most `limit` (1 to MAX_TRACE_SPANS) and MAX_TRACE_BYTES; null when there is none. */
export async function getTrace(db: Reader, args: ArgsOf<"getTrace">) {
  checkOwner(args.resourceId);
  checkName(args.traceId, "traceId");
  const limit = checkLimit(args.limit, "limit", MAX_TRACE_SPANS, MAX_TRACE_SPANS);
  if ((await tombstone(db, args.resourceId, args.traceId)) !== null) return null;
  const spans: Span[] = [];
  let bytes = 0;
  let truncated = false;
  const rows = db.query("spans").withIndex("by_trace_started", (q) => q.eq("resourceId", args.resourceId).eq("traceId", args.traceId));
  for await (const row of rows) {
    if (spans.length === limit || bytes >= MAX_TRACE_BYTES) {
      truncated = true;
      break;
    }
    spans.push(toSpan(row));
    bytes += approximateSize(row);
  }
  return spans.length === 0 ? null : { traceId: args.traceId, spans, truncated };
}

/** The owner's root spans, newest first; filtered by one of name / entity / status, and a startedAt range. */
export async function listTraces(db: Reader, args: ArgsOf<"listTraces">) {
  checkOwner(args.resourceId);
  checkTime(args.fromDate, "fromDate");
  checkTime(args.toDate, "toDate");
  for (const field of ["name", "entityType", "entityId"] as const) {
    if (args[field] !== undefined) checkName(args[field]!, field);
  }
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  if ((args.entityType === undefined) !== (args.entityId === undefined)) {
    invalidArgument("entityType and entityId filter together", { field: args.entityType === undefined ? "entityType" : "entityId" });
  }
  const chosen = [args.name !== undefined, args.entityId !== undefined, args.status !== undefined].filter(Boolean).length;
  if (chosen > 1) invalidArgument("filter by at most one of name, entity and status", { field: "name" });
  const parts: [string, string][] = [];
  let indexName = "roots";
  if (args.name !== undefined) {
    parts.push(["name", args.name]);
    indexName = "roots_by_name";
  } else if (args.entityId !== undefined) {
    parts.push(["entityType", args.entityType!], ["entityId", args.entityId]);
    indexName = "roots_by_entity";
  } else if (args.status !== undefined) {
    parts.push(["status", args.status]);
    indexName = "roots_by_status";
  }
  // Index names follow the filters; the cast spares spelling out four branches.
  const query = (db.query("spans") as any)
    .withIndex(indexName, (q: any) => {
      let range = q.eq("resourceId", args.resourceId).eq("isRoot", true);
      for (const [field, value] of parts) range = range.eq(field, value);
      if (args.fromDate !== undefined) range = range.gte("startedAt", args.fromDate);
      if (args.toDate !== undefined) range = range.lte("startedAt", args.toDate);
      return range;
    })
    .order("desc");
  const result = await paginateChecked<any>(query, opts);
  return pageOf(result, (result.page as Doc<"spans">[]).map(toSpan));
}

/** Deletes up to DELETE_BATCH_SIZE spans of the owner's traces (roots first); returns the traces with spans left. */
async function deleteSomeSpans(db: Writer, resourceId: Owner, traceIds: string[]): Promise<string[]> {
  let budget = DELETE_BATCH_SIZE;
  for (const traceId of traceIds) {
    if (budget === 0) break;
    const roots = db.query("spans").withIndex("by_trace_root", (q) => q.eq("resourceId", resourceId).eq("traceId", traceId).eq("isRoot", true));
    for (const root of await roots.take(budget)) {
      await db.delete(root._id);
      budget--;
    }
  }
  const left: string[] = [];
  for (const traceId of traceIds) {
    if (budget > 0) {
      const spans = db.query("spans").withIndex("by_trace_span", (q) => q.eq("resourceId", resourceId).eq("traceId", traceId));
      for (const span of await spans.take(budget)) {
        await db.delete(span._id);
        budget--;
      }
    }
    if (budget > 0 || (await firstSpan(db, resourceId, traceId)) === null) {
      const stone = await tombstone(db, resourceId, traceId);
      if (stone !== null) await db.delete(stone._id);
    } else left.push(traceId);
  }
  return left;
}

/** Deletes the owner's traces (at most MAX_DELETE_TRACES): gone for readers at once, spans removed in scheduled batches. */
export async function deleteTraces(db: Writer, scheduler: Scheduler, args: ArgsOf<"deleteTraces">) {
  checkOwner(args.resourceId);
  if (args.traceIds.length > MAX_DELETE_TRACES) {
    limitExceeded(`at most ${MAX_DELETE_TRACES} traceIds per deleteTraces call — split the list`, {
      limit: "batchItems",
      max: MAX_DELETE_TRACES,
      actual: args.traceIds.length,
    });
  }
  const traceIds = [...new Set(args.traceIds)];
  for (const traceId of traceIds) checkName(traceId, "traceIds[]");
  for (const traceId of traceIds) {
    if ((await tombstone(db, args.resourceId, traceId)) === null) {
      await db.insert("traceTombstones", { ...(args.resourceId === undefined ? {} : { resourceId: args.resourceId }), traceId });
    }
  }
  await continueDeleteTraces(db, scheduler, { resourceId: args.resourceId, traceIds });
  return null;
}

/** One scheduled batch of a trace deletion; reschedules itself while spans are left. */
export async function continueDeleteTraces(db: Writer, scheduler: Scheduler, args: { resourceId?: string; traceIds: string[] }) {
  const left = await deleteSomeSpans(db, args.resourceId, args.traceIds);
  if (left.length > 0) {
    await scheduler.runAfter(0, internal.traces.continueDeleteTraces, {
      ...(args.resourceId === undefined ? {} : { resourceId: args.resourceId }),
      traceIds: left,
    });
  }
  return null;
}
