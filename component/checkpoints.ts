// Public functions of the checkpoints domain: LangGraph's checkpointer. Every function names the owner (resourceId).
import { internalMutation, mutation, query } from "./_generated/server.js";
import * as C from "./model/checkpoints.js";
import * as Reads from "./model/checkpointReads.js";
import { checkpointArgs as A, checkpointReturns as R } from "./model/checkpoints.js";
import * as Jobs from "./model/checkpointJobs.js";
import { v } from "convex/values";

/** Saves a checkpoint (replacing one with the same id) with its new channel values, each stored once per version. */
export const putCheckpoint = mutation({
  args: A.putCheckpoint,
  returns: R.putCheckpoint,
  handler: (ctx, args) => C.putCheckpoint(ctx.db, args),
});

/** Saves channel values ahead of a putCheckpoint whose values would not fit in one call. */
export const putCheckpointBlobs = mutation({
  args: A.putCheckpointBlobs,
  returns: R.putCheckpointBlobs,
  handler: (ctx, args) => C.putCheckpointBlobs(ctx.db, args),
});

/** Saves a task's pending writes to a checkpoint (an existing regular write is kept, a special one replaced). */
export const putCheckpointWrites = mutation({
  args: A.putCheckpointWrites,
  returns: R.putCheckpointWrites,
  handler: (ctx, args) => C.putCheckpointWrites(ctx.db, args),
});

/** A checkpoint (or the namespace's latest) with its channel values and pending writes, or null. */
export const getCheckpoint = query({
  args: A.getCheckpoint,
  returns: R.getCheckpoint,
  handler: (ctx, args) => Reads.getCheckpoint(ctx.db, args),
});

/** A page of a namespace's checkpoints, newest first, before a checkpoint id and matching a metadata filter. */
export const listCheckpoints = query({
  args: A.listCheckpoints,
  returns: R.listCheckpoints,
  handler: (ctx, args) => Reads.listCheckpoints(ctx.db, args),
});

/** A page of the pending writes of a range of checkpoints, in LangGraph's order. */
export const listCheckpointWrites = query({
  args: A.listCheckpointWrites,
  returns: R.listCheckpointWrites,
  handler: (ctx, args) => Reads.listCheckpointWrites(ctx.db, args),
});

/** Whole channel values and pending writes by key, as many as one call may read. */
export const getCheckpointValues = query({
  args: A.getCheckpointValues,
  returns: R.getCheckpointValues,
  handler: (ctx, args) => Reads.getCheckpointValues(ctx.db, args),
});

/** The exact number of visible checkpoints of a namespace of a thread (one read past the thread). */
export const countCheckpoints = query({
  args: A.countCheckpoints,
  returns: R.countCheckpoints,
  handler: (ctx, args) => Reads.countCheckpoints(ctx.db, args),
});

/** A page of a thread's checkpoint namespaces ("" is the root graph's), by name. */
export const listCheckpointNamespaces = query({
  args: A.listCheckpointNamespaces,
  returns: R.listCheckpointNamespaces,
  handler: (ctx, args) => Reads.listCheckpointNamespaces(ctx.db, args),
});

/** A page of an owner's checkpoint threads, by thread id. */
export const listCheckpointThreads = query({
  args: A.listCheckpointThreads,
  returns: R.listCheckpointThreads,
  handler: (ctx, args) => Reads.listCheckpointThreads(ctx.db, args),
});

/** Deletes a thread: gone for readers at once, its rows purged in scheduled batches. A missing thread is a no-op. */
export const deleteCheckpointThread = mutation({
  args: A.deleteCheckpointThread,
  returns: R.deleteCheckpointThread,
  handler: (ctx, args) => Jobs.deleteCheckpointThread(ctx.db, ctx.scheduler, args),
});

/** Deletes the checkpoints of runs (metadata run_id) with their writes; one batch per call, `done: false` means call again. */
export const deleteCheckpointsForRuns = mutation({
  args: A.deleteCheckpointsForRuns,
  returns: R.deleteCheckpointsForRuns,
  handler: (ctx, args) => Jobs.deleteCheckpointsForRuns(ctx.db, args),
});

/** Copies a thread to a new thread id of the same owner; one batch per call, `done: false` means call again with the cursor. */
export const copyCheckpointThread = mutation({
  args: A.copyCheckpointThread,
  returns: R.copyCheckpointThread,
  handler: (ctx, args) => Jobs.copyCheckpointThread(ctx.db, ctx.scheduler, args),
});

/** Prunes threads: "keep_latest" keeps each namespace's latest checkpoint, "delete" deletes them. */
export const pruneCheckpoints = mutation({
  args: A.pruneCheckpoints,
  returns: R.pruneCheckpoints,
  handler: (ctx, args) => Jobs.pruneCheckpoints(ctx.db, ctx.scheduler, args),
});

/** One batch of a deleted thread's purge (scheduled). */
export const purgeThread = internalMutation({
  args: Jobs.vPurgeArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    await Jobs.purgeThreadBatch(ctx.db, ctx.scheduler, args);
    return null;
  },
});

/** One batch of the purge after a prune (scheduled). */
export const purgePruned = internalMutation({
  args: Jobs.vPurgePrunedArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    await Jobs.purgePrunedBatch(ctx.db, ctx.scheduler, args);
    return null;
  },
});
