// Public functions of the workflows domain: durable, chunked workflow-run snapshots.
import { mutation, query } from "./_generated/server.js";
import * as W from "./model/workflows.js";
import { workflowArgs as A, workflowReturns as R } from "./model/workflows.js";

/** Creates or replaces a run's snapshot (JSON text of an object); its `status` is read from it. */
export const persistWorkflowSnapshot = mutation({
  args: A.persistWorkflowSnapshot,
  returns: R.persistWorkflowSnapshot,
  handler: (ctx, args) => W.persistWorkflowSnapshot(ctx.db, args),
});

/** The run's snapshot as the JSON text last stored, or null. */
export const loadWorkflowSnapshot = query({
  args: A.loadWorkflowSnapshot,
  returns: R.loadWorkflowSnapshot,
  handler: (ctx, args) => W.loadWorkflowSnapshot(ctx.db, args),
});

/** A run with its snapshot; runId alone is enough unless it exists in several workflows (CONFLICT). */
export const getWorkflowRunById = query({
  args: A.getWorkflowRunById,
  returns: R.getWorkflowRunById,
  handler: (ctx, args) => W.getWorkflowRunById(ctx.db, args),
});

/** Runs (without snapshots), newest first, filtered by any of workflowName / resourceId / status and a createdAt range. */
export const listWorkflowRuns = query({
  args: A.listWorkflowRuns,
  returns: R.listWorkflowRuns,
  handler: (ctx, args) => W.listWorkflowRuns(ctx.db, args),
});

/** Exact number of runs matching any combination of workflowName / resourceId / status (one read). */
export const countWorkflowRuns = query({
  args: A.countWorkflowRuns,
  returns: R.countWorkflowRuns,
  handler: (ctx, args) => W.countWorkflowRuns(ctx.db, args),
});

/** Deletes a run and its snapshot; nothing happens when it does not exist. */
export const deleteWorkflowRunById = mutation({
  args: A.deleteWorkflowRunById,
  returns: R.deleteWorkflowRunById,
  handler: (ctx, args) => W.deleteWorkflowRunById(ctx.db, args),
});

/** Atomically sets `context[stepId]` (and merges requestContext); creates the run when missing. Returns the context. */
export const updateWorkflowResults = mutation({
  args: A.updateWorkflowResults,
  returns: R.updateWorkflowResults,
  handler: (ctx, args) => W.updateWorkflowResults(ctx.db, args),
});

/** Atomically merges top-level keys into the snapshot; returns it, or null when the run does not exist. */
export const updateWorkflowState = mutation({
  args: A.updateWorkflowState,
  returns: R.updateWorkflowState,
  handler: (ctx, args) => W.updateWorkflowState(ctx.db, args),
});

/** Live query: one run with its snapshot. */
export const watchWorkflowRun = query({
  args: A.watchWorkflowRun,
  returns: R.watchWorkflowRun,
  handler: (ctx, args) => W.getWorkflowRunById(ctx.db, args),
});

/** Live query: the newest runs matching the filters (at most MAX_WATCH_RUNS, default 20). */
export const watchWorkflowRuns = query({
  args: A.watchWorkflowRuns,
  returns: R.watchWorkflowRuns,
  handler: (ctx, args) => W.watchWorkflowRuns(ctx.db, args),
});

/** Who owns a run (for host-app authorization before a write). */
export const workflowRunOwner = query({
  args: A.workflowRunOwner,
  returns: R.workflowRunOwner,
  handler: (ctx, args) => W.workflowRunOwner(ctx.db, args),
});
