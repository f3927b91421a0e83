/**
 * Tables, validators and helpers of the traces domain: spans of traces
 * (observability). A trace is the set of spans sharing a traceId; its root
 * spans (no parentSpanId) are what `listTraces` lists, through one index per
 * filter. All spans of a trace share one owner (resourceId, or none).
 * attributes, metadata, input, output and error are JSON text.
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions, type Scheduler } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { internal } from "../_generated/api.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { checkJsonFields, checkName, checkTime } from "./jsonText.js";
import { boundedPage, pageOf, vPage } from "./pagination.js";
import { approximateSize, checkBatch as checkBatchLimits, checkDocument, DELETE_BATCH_SIZE, limitExceeded, MAX_BATCH_ITEMS } from "./limits.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** Spans `getTrace` returns at most (its result says `truncated` when there are more). */
export const MAX_TRACE_SPANS = 1_000;
/** Bytes of spans `getTrace` reads at most before it stops (and says `truncated`). */
export const MAX_TRACE_BYTES = 8 * 1024 * 1024;
/** Traces one `deleteTraces` call names at most. */
export const MAX_DELETE_TRACES = 100;

export const vSpanStatus = v.union(v.literal("running"), v.literal("success"), v.literal("error"));

const spanData = {
  traceId: v.string(),
  spanId: v.string(),
  parentSpanId: v.optional(v.string()),
  name: v.string(),
  /** e.g. "agent_run", "llm_generation", "tool_call". */
  spanType: v.string(),
  /** Owner, for authorization in the host app; the same for every span of a trace. */
  resourceId: v.optional(v.string()),
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
  ...spanData,
  /** "error" when error is set, else "success" when endedAt is set, else "running". */
  status: vSpanStatus,
  createdAt: v.number(),
  updatedAt: v.number(),
};

export const traceTables = {
  spans: defineTable({ ...spanFields, isRoot: v.boolean() })
    .index("by_trace_span", ["traceId", "spanId"])
    .index("by_trace_started", ["traceId", "startedAt"])
    .index("by_trace_root", ["traceId", "isRoot"])
    // listTraces: root spans, one index per filter, with and without an owner.
    .index("roots", ["isRoot", "startedAt"])
    .index("roots_by_name", ["isRoot", "name", "startedAt"])
    .index("roots_by_entity", ["isRoot", "entityType", "entityId", "startedAt"])
    .index("roots_by_status", ["isRoot", "status", "startedAt"])
    .index("roots_by_resource", ["isRoot", "resourceId", "startedAt"])
    .index("roots_by_resource_name", ["isRoot", "resourceId", "name", "startedAt"])
    .index("roots_by_resource_entity", ["isRoot", "resourceId", "entityType", "entityId", "startedAt"])
    .index("roots_by_resource_status", ["isRoot", "resourceId", "status", "startedAt"]),
  /** Traces being deleted in scheduled batches: gone for readers at once. */
  traceTombstones: defineTable({ traceId: v.string() }).index("by_trace", ["traceId"]),
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

export const traceArgs = {
  createSpans: { spans: v.array(vSpanInput) },
  updateSpans: { updates: v.array(vSpanUpdate) },
  getTrace: { traceId: v.string(), limit: v.optional(v.number()) },
  listTraces: {
    resourceId: v.optional(v.string()),
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
  deleteTraces: { traceIds: v.array(v.string()) },
  traceOwners: { traceIds: v.array(v.string()) },
};

export const traceReturns = {
  createSpans: v.object({ created: v.number() }),
  updateSpans: v.object({ updated: v.number() }),
  getTrace: v.union(v.object({ traceId: v.string(), spans: v.array(vSpan), truncated: v.boolean() }), v.null()),
  listTraces: vPage(vSpan),
  deleteTraces: v.null(),
  traceOwners: v.array(v.object({ traceId: v.string(), exists: v.boolean(), resourceId: v.optional(v.string()) })),
};

type ArgsOf<K extends keyof typeof traceArgs> = ObjectType<(typeof traceArgs)[K]>;

function clean(row: Doc<"spans">): Span {
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

function checkSpanDocument(span: Record<string, unknown>) {
  checkDocument(`span "${String(span.spanId)}"`, span);
}

async function firstSpan(db: Reader, traceId: string) {
  return db.query("spans").withIndex("by_trace_span", (q) => q.eq("traceId", traceId)).first();
}

async function tombstone(db: Reader, traceId: string) {
  return db.query("traceTombstones").withIndex("by_trace", (q) => q.eq("traceId", traceId)).first();
}

export async function createSpans(db: Writer, args: ArgsOf<"createSpans">) {
  checkBatch(args.spans, "spans");
  const seen = new Set<string>();
  const owners = new Map<string, string | undefined>();
  for (const span of args.spans) {
    for (const field of ["traceId", "spanId", "name", "spanType"] as const) checkName(span[field], field);
    for (const field of ["parentSpanId", "resourceId", "entityType", "entityId"] as const) {
      if (span[field] !== undefined) checkName(span[field]!, field);
    }
    checkTime(span.startedAt, "startedAt");
    checkTime(span.endedAt, "endedAt");
    if (span.endedAt !== undefined && span.endedAt < span.startedAt) invalidArgument("endedAt is before startedAt", { field: "endedAt", spanId: span.spanId });
    checkJsonFields({ attributes: span.attributes, metadata: span.metadata, input: span.input, output: span.output, error: span.error });
    const key = JSON.stringify([span.traceId, span.spanId]);
    if (seen.has(key)) invalidArgument(`span "${span.spanId}" of trace "${span.traceId}" appears twice in the batch`, { traceId: span.traceId, spanId: span.spanId });
    seen.add(key);
    if (!owners.has(span.traceId)) owners.set(span.traceId, span.resourceId);
    else if (owners.get(span.traceId) !== span.resourceId) {
      invalidArgument(`spans of trace "${span.traceId}" name different resourceIds`, { traceId: span.traceId });
    }
  }
  for (const [traceId, resourceId] of owners) {
    if ((await tombstone(db, traceId)) !== null) conflict(`trace "${traceId}" is being deleted`, { traceId });
    const existing = await firstSpan(db, traceId);
    if (existing !== null && existing.resourceId !== resourceId) {
      conflict(`trace "${traceId}" belongs to ${existing.resourceId === undefined ? "no resource" : "another resource"}`, { traceId });
    }
  }
  const now = Date.now();
  const rows = [];
  for (const span of args.spans) {
    const taken = await db
      .query("spans")
      .withIndex("by_trace_span", (q) => q.eq("traceId", span.traceId).eq("spanId", span.spanId))
      .first();
    if (taken !== null) conflict(`span "${span.spanId}" of trace "${span.traceId}" exists`, { traceId: span.traceId, spanId: span.spanId });
    const row = { ...span, isRoot: span.parentSpanId === undefined, status: statusOf(span), createdAt: now, updatedAt: now };
    checkSpanDocument(row);
    rows.push(row);
  }
  for (const row of rows) await db.insert("spans", row);
  return { created: rows.length };
}

export async function updateSpans(db: Writer, args: ArgsOf<"updateSpans">) {
  checkBatch(args.updates, "updates");
  const seen = new Set<string>();
  const patches = [];
  for (const update of args.updates) {
    const { traceId, spanId, ...fields } = update;
    if (fields.name !== undefined) checkName(fields.name, "name");
    checkTime(fields.endedAt, "endedAt");
    checkJsonFields({ attributes: fields.attributes, metadata: fields.metadata, input: fields.input, output: fields.output, error: fields.error });
    const key = JSON.stringify([traceId, spanId]);
    if (seen.has(key)) invalidArgument(`span "${spanId}" of trace "${traceId}" appears twice in the batch`, { traceId, spanId });
    seen.add(key);
    const row = await db.query("spans").withIndex("by_trace_span", (q) => q.eq("traceId", traceId).eq("spanId", spanId)).unique();
    if (row === null) return notFound(`span "${spanId}" of trace "${traceId}" does not exist`, { traceId, spanId });
    if ((await tombstone(db, traceId)) !== null) conflict(`trace "${traceId}" is being deleted`, { traceId });
    const next = { ...row, ...fields };
    if (next.endedAt !== undefined && next.endedAt < next.startedAt) invalidArgument("endedAt is before startedAt", { field: "endedAt", spanId });
    const patch = { ...fields, status: statusOf(next), updatedAt: Date.now() };
    checkSpanDocument({ ...next, ...patch });
    patches.push({ id: row._id, patch });
  }
  for (const { id, patch } of patches) await db.patch(id, patch);
  return { updated: patches.length };
}

export async function getTrace(db: Reader, args: ArgsOf<"getTrace">) {
  const limit = args.limit ?? MAX_TRACE_SPANS;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRACE_SPANS) {
    invalidArgument(`limit must be an integer from 1 to ${MAX_TRACE_SPANS}`, { field: "limit" });
  }
  if ((await tombstone(db, args.traceId)) !== null) return null;
  const spans: Span[] = [];
  let bytes = 0;
  let truncated = false;
  for await (const row of db.query("spans").withIndex("by_trace_started", (q) => q.eq("traceId", args.traceId))) {
    if (spans.length === limit || bytes >= MAX_TRACE_BYTES) {
      truncated = true;
      break;
    }
    spans.push(clean(row));
    bytes += approximateSize(row);
  }
  return spans.length === 0 ? null : { traceId: args.traceId, spans, truncated };
}

export async function listTraces(db: Reader, args: ArgsOf<"listTraces">) {
  checkTime(args.fromDate, "fromDate");
  checkTime(args.toDate, "toDate");
  if ((args.entityType === undefined) !== (args.entityId === undefined)) {
    invalidArgument("entityType and entityId filter together", { field: args.entityType === undefined ? "entityType" : "entityId" });
  }
  const parts: [string, string][] = [];
  let filter = "";
  if (args.resourceId !== undefined) parts.push(["resourceId", args.resourceId]);
  const chosen = [args.name !== undefined, args.entityId !== undefined, args.status !== undefined].filter(Boolean).length;
  if (chosen > 1) invalidArgument("filter by at most one of name, entity and status", { field: "name" });
  if (args.name !== undefined) {
    parts.push(["name", args.name]);
    filter = "name";
  } else if (args.entityId !== undefined) {
    parts.push(["entityType", args.entityType!], ["entityId", args.entityId]);
    filter = "entity";
  } else if (args.status !== undefined) {
    parts.push(["status", args.status]);
    filter = "status";
  }
  const by = [...(args.resourceId !== undefined ? ["resource"] : []), ...(filter ? [filter] : [])];
  const indexName = by.length === 0 ? "roots" : `roots_by_${by.join("_")}`;
  // Index names follow the filters; the cast spares spelling out eight branches.
  const result = await (db.query("spans") as any)
    .withIndex(indexName, (q: any) => {
      let range = q.eq("isRoot", true);
      for (const [field, value] of parts) range = range.eq(field, value);
      if (args.fromDate !== undefined) range = range.gte("startedAt", args.fromDate);
      if (args.toDate !== undefined) range = range.lte("startedAt", args.toDate);
      return range;
    })
    .order("desc")
    .paginate(boundedPage(args.paginationOpts as PaginationOptions));
  return pageOf(result, (result.page as Doc<"spans">[]).map(clean));
}

export async function traceOwners(db: Reader, args: ArgsOf<"traceOwners">) {
  if (args.traceIds.length > MAX_BATCH_ITEMS) {
    limitExceeded(`at most ${MAX_BATCH_ITEMS} traceIds per call`, { limit: "batchItems", max: MAX_BATCH_ITEMS, actual: args.traceIds.length });
  }
  const out = [];
  for (const traceId of new Set(args.traceIds)) {
    const span = await firstSpan(db, traceId);
    if (span === null) out.push({ traceId, exists: false });
    else out.push(span.resourceId === undefined ? { traceId, exists: true } : { traceId, exists: true, resourceId: span.resourceId });
  }
  return out;
}

/** Deletes up to DELETE_BATCH_SIZE spans of these traces (roots first); returns the traces with spans left. */
async function deleteSomeSpans(db: Writer, traceIds: string[]): Promise<string[]> {
  let budget = DELETE_BATCH_SIZE;
  for (const traceId of traceIds) {
    if (budget === 0) break;
    for (const root of await db.query("spans").withIndex("by_trace_root", (q) => q.eq("traceId", traceId).eq("isRoot", true)).take(budget)) {
      await db.delete(root._id);
      budget--;
    }
  }
  const left: string[] = [];
  for (const traceId of traceIds) {
    if (budget > 0) {
      for (const span of await db.query("spans").withIndex("by_trace_span", (q) => q.eq("traceId", traceId)).take(budget)) {
        await db.delete(span._id);
        budget--;
      }
    }
    if (budget > 0 || (await firstSpan(db, traceId)) === null) {
      const stone = await tombstone(db, traceId);
      if (stone !== null) await db.delete(stone._id);
    } else left.push(traceId);
  }
  return left;
}

export async function deleteTraces(db: Writer, scheduler: Scheduler, args: ArgsOf<"deleteTraces">) {
  if (args.traceIds.length > MAX_DELETE_TRACES) {
    limitExceeded(`at most ${MAX_DELETE_TRACES} traceIds per deleteTraces call — split the list`, {
      limit: "batchItems",
      max: MAX_DELETE_TRACES,
      actual: args.traceIds.length,
    });
  }
  const traceIds = [...new Set(args.traceIds)];
  for (const traceId of traceIds) {
    checkName(traceId, "traceIds");
    if ((await tombstone(db, traceId)) === null) await db.insert("traceTombstones", { traceId });
  }
  await continueDeleteTraces(db, scheduler, { traceIds });
  return null;
}

export async function continueDeleteTraces(db: Writer, scheduler: Scheduler, args: { traceIds: string[] }) {
  const left = await deleteSomeSpans(db, args.traceIds);
  if (left.length > 0) await scheduler.runAfter(0, internal.traces.continueDeleteTraces, { traceIds: left });
  return null;
}
