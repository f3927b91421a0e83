// Public functions of the threads domain. Every function addresses threads by
// their owner (`resourceId`) and the caller's id; ids are unique per owner.
import { v } from "convex/values";
import { internalMutation, mutation, query } from "./_generated/server.js";
import * as Threads from "./model/threads.js";
import { threadArgs as A, threadReturns as R } from "./model/threads.js";

/** The owner's thread with this id, or null when there is none. */
export const getThread = query({
  args: A.getThread,
  returns: R.getThread,
  handler: (ctx, args) => Threads.getThread(ctx.db, args),
});

/** Creates or replaces the owner's thread (title and metadata become what is given; createdAt is kept). */
export const saveThread = mutation({
  args: A.saveThread,
  returns: R.saveThread,
  handler: (ctx, args) => Threads.saveThread(ctx.db, args),
});

/** Sets the title when given and merges metadata shallowly. NOT_FOUND when the owner has no such thread. */
export const updateThread = mutation({
  args: A.updateThread,
  returns: R.updateThread,
  handler: (ctx, args) => Threads.updateThread(ctx.db, args),
});

/** Deletes the thread now and its messages in scheduled batches. A missing thread is a no-op. */
export const deleteThread = mutation({
  args: A.deleteThread,
  returns: R.deleteThread,
  handler: (ctx, args) => Threads.deleteThread(ctx.db, ctx.scheduler, args),
});

/** A page of the owner's threads, by createdAt (default) or updatedAt, newest first unless order is "asc". */
export const listThreads = query({
  args: A.listThreads,
  returns: R.listThreads,
  handler: (ctx, args) => Threads.listThreads(ctx.db, args),
});

/** The exact number of the owner's threads (one read). */
export const countThreads = query({
  args: A.countThreads,
  returns: R.countThreads,
  handler: (ctx, args) => Threads.countThreads(ctx.db, args),
});

/** Live view of one thread with its message count; null when the owner has no such thread. */
export const watchThread = query({
  args: A.watchThread,
  returns: R.watchThread,
  handler: (ctx, args) => Threads.watchThread(ctx.db, args),
});

/** Live view of the owner's most recently updated threads (`limit` 1 to 1,000, default 50). */
export const watchThreadsByResource = query({
  args: A.watchThreadsByResource,
  returns: R.watchThreadsByResource,
  handler: (ctx, args) => Threads.latestThreads(ctx.db, args),
});

/** One batch of a thread deletion (scheduled by deleteThread). */
export const deleteThreadMessages = internalMutation({
  args: { resourceId: v.string(), threadId: v.string() },
  returns: v.null(),
  handler: (ctx, args) => Threads.continueThreadDeletion(ctx.db, ctx.scheduler, args),
});
