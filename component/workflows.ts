// Public functions of the workflows domain: durable, chunked workflow-run snapshots.
// A run is addressed by its owner (`resourceId`; omitted: the unowned namespace),
// its runId and its workflowName; runIds are unique per owner and workflow.
import { mutation, query } from "./_generated/server.js";
import * as W from "./model/workflows.js";
import { workflowArgs as A, workflowReturns as R } from "./model/workflows.js";

/** Creates or replaces the owner's run's snapshot (JSON text of an object, stored byte for byte); its `status` is read from it. */
export const persistWorkflowSnapshot = mutation({
  args: A.persistWorkflowSnapshot,
  returns: R.persistWorkflowSnapshot,
  handler: (ctx, args) => W.persistWorkflowSnapshot(ctx.db, args),
});

/** The owner's run's snapshot as the JSON text last stored, or null. */
export const loadWorkflowSnapshot = query({
  args: A.loadWorkflowSnapshot,
  returns: R.loadWorkflowSnapshot,
  handler: (ctx, args) => W.loadWorkflowSnapshot(ctx.db, args),
});

/** The owner's run with its snapshot; runId alone is enough unless the owner has it in several workflows (CONFLICT). */
export const getWorkflowRunById = query({
  args: A.getWorkflowRunById,
  returns: R.getWorkflowRunById,
  handler: (ctx, args) => W.getWorkflowRunById(ctx.db, args),
});

/** The owner's runs (without snapshots), newest first, filtered by workflowName / status and a createdAt range. */
export const listWorkflowRuns = query({
  args: A.listWorkflowRuns,
  returns: R.listWorkflowRuns,
  handler: (ctx, args) => W.listWorkflowRuns(ctx.db, args),
});

/** Exact number of the owner's runs matching any combination of workflowName / status (one read). */
export const countWorkflowRuns = query({
  args: A.countWorkflowRuns,
  returns: R.countWorkflowRuns,
  handler: (ctx, args) => W.countWorkflowRuns(ctx.db, args),
});

/** Deletes the owner's run and its snapshot; nothing happens when it does not exist. */
export const deleteWorkflowRunById = mutation({
  args: A.deleteWorkflowRunById,
  returns: R.deleteWorkflowRunById,
  handler: (ctx, args) => W.deleteWorkflowRunById(ctx.db, args),
});

/** Atomically sets `context[stepId]` (and merges requestContext) byte for byte; creates the run when missing. Returns the context. */
export const updateWorkflowResults = mutation({
  args: A.updateWorkflowResults,
  returns: R.updateWorkflowResults,
  handler: (ctx, args) => W.updateWorkflowResults(ctx.db, args),
});

/** Atomically replaces top-level members of the snapshot byte for byte; returns it, or null when the run does not exist. */
export const updateWorkflowState = mutation({
  args: A.updateWorkflowState,
  returns: R.updateWorkflowState,
  handler: (ctx, args) => W.updateWorkflowState(ctx.db, args),
});

/** Live query: one of the owner's runs with its snapshot. */
export const watchWorkflowRun = query({
  args: A.watchWorkflowRun,
  returns: R.watchWorkflowRun,
  handler: (ctx, args) => W.getWorkflowRunById(ctx.db, args),
});

/** Live query: the owner's newest runs matching the filters (`limit` 1 to MAX_WATCH_RUNS, default 20). */
export const watchWorkflowRuns = query({
  args: A.watchWorkflowRuns,
  returns: R.watchWorkflowRuns,
  handler: (ctx, args) => W.watchWorkflowRuns(ctx.db, args),
});
