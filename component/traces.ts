// Public functions of the traces domain. Traces are addressed by their owner
// (`resourceId`; omitted: the unowned namespace) and the caller's trace and span ids.
import { internalMutation, mutation, query } from "./_generated/server.js";
import { v } from "convex/values";
import * as T from "./model/traces.js";
import { traceArgs as A, traceReturns as R } from "./model/traces.js";

/** Creates the owner's spans in one batch (at most MAX_BATCH_ITEMS / MAX_BATCH_BYTES; LIMIT_EXCEEDED beyond). */
export const createSpans = mutation({
  args: A.createSpans,
  returns: R.createSpans,
  handler: (ctx, args) => T.createSpans(ctx.db, args),
});

/** Updates the owner's spans in one batch (end time, output, error, ...); NOT_FOUND when one does not exist. */
export const updateSpans = mutation({
  args: A.updateSpans,
  returns: R.updateSpans,
  handler: (ctx, args) => T.updateSpans(ctx.db, args),
});

/** The spans of the owner's trace by start time, at most `limit` (≤ MAX_TRACE_SPANS) and MAX_TRACE_BYTES; `truncated` says when more exist. */
export const getTrace = query({
  args: A.getTrace,
  returns: R.getTrace,
  handler: (ctx, args) => T.getTrace(ctx.db, args),
});

/** The owner's root spans, newest first; filter by one of name / entity / status, and a startedAt range. */
export const listTraces = query({
  args: A.listTraces,
  returns: R.listTraces,
  handler: (ctx, args) => T.listTraces(ctx.db, args),
});

/** Deletes the owner's traces (at most MAX_DELETE_TRACES); gone for readers at once, spans removed in scheduled batches. */
export const deleteTraces = mutation({
  args: A.deleteTraces,
  returns: R.deleteTraces,
  handler: (ctx, args) => T.deleteTraces(ctx.db, ctx.scheduler, args),
});

/** One batch of a trace deletion (scheduled by deleteTraces). */
export const continueDeleteTraces = internalMutation({
  args: { resourceId: v.optional(v.string()), traceIds: v.array(v.string()) },
  returns: v.null(),
  handler: (ctx, args) => T.continueDeleteTraces(ctx.db, ctx.scheduler, args),
});
