// Public functions of the threads domain.
import { v } from "convex/values";
import { internalMutation, mutation, query } from "./_generated/server.js";
import * as Threads from "./model/threads.js";

const s = Threads.threadSignatures;

/** The thread, or null when it does not exist. */
export const getThread = query({
  ...s.getThread,
  handler: (ctx, args) => Threads.getThread(ctx.db, args.id),
});

/** Creates or replaces a thread (title and metadata become what is given; createdAt is kept). */
export const saveThread = mutation({
  ...s.saveThread,
  handler: (ctx, args) => Threads.saveThread(ctx.db, args),
});

/** Sets the title when given and merges metadata shallowly. NOT_FOUND when the thread does not exist. */
export const updateThread = mutation({
  ...s.updateThread,
  handler: (ctx, args) => Threads.updateThread(ctx.db, args),
});

/** Deletes the thread now and its messages in scheduled batches. A missing thread is a no-op. */
export const deleteThread = mutation({
  ...s.deleteThread,
  handler: async (ctx, args) => {
    await Threads.deleteThread(ctx.db, ctx.scheduler, args.id);
    return null;
  },
});

/** A page of a resource's threads, by createdAt (default) or updatedAt, newest first unless order is "asc". */
export const listThreads = query({
  ...s.listThreads,
  handler: (ctx, args) => Threads.listThreads(ctx.db, args),
});

/** The exact number of threads of a resource. */
export const countThreads = query({
  ...s.countThreads,
  handler: (ctx, args) => Threads.countThreads(ctx.db, args.resourceId),
});

/** Live view of one thread with its message count; null when it does not exist. */
export const watchThread = query({
  ...s.watchThread,
  handler: (ctx, args) => Threads.watchThread(ctx.db, args.id),
});

/** Live view of a resource's most recently updated threads (default 50, at most 1,000). */
export const watchThreadsByResource = query({
  ...s.watchThreadsByResource,
  handler: (ctx, args) => Threads.latestThreads(ctx.db, args.resourceId, args.limit),
});

/** One batch of a thread deletion (scheduled by deleteThread). */
export const deleteThreadMessages = internalMutation({
  args: { threadId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    await Threads.continueThreadDeletion(ctx.db, ctx.scheduler, args.threadId);
    return null;
  },
});
