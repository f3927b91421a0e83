// Public functions of the messages domain. Every function takes the owner
// (`resourceId`); message and thread ids are looked up among the owner's rows only.
import { mutation, query } from "./_generated/server.js";
import * as Messages from "./model/messages.js";
import { messageArgs as A, messageReturns as R } from "./model/messages.js";

/** Upserts the owner's messages by id (at most MAX_BATCH_ITEMS / MAX_BATCH_BYTES per call). */
export const saveMessages = mutation({
  args: A.saveMessages,
  returns: R.saveMessages,
  handler: (ctx, args) => Messages.saveMessages(ctx.db, args),
});

/** The owner's messages that exist among `ids`, in the order asked, each once. */
export const getMessagesByIds = query({
  args: A.getMessagesByIds,
  returns: R.getMessagesByIds,
  handler: (ctx, args) => Messages.getMessagesByIds(ctx.db, args),
});

/**
 * A page of the owner's thread's messages by createdAt (asc by default), optionally
 * within [startDate, endDate]; `included` holds the `include`d messages with their neighbours.
 */
export const listMessages = query({
  args: A.listMessages,
  returns: R.listMessages,
  handler: (ctx, args) => Messages.listMessages(ctx.db, args),
});

/** A page of the owner's messages across its threads, by createdAt. */
export const listMessagesByResource = query({
  args: A.listMessagesByResource,
  returns: R.listMessagesByResource,
  handler: (ctx, args) => Messages.listMessagesByResource(ctx.db, args),
});

/** Changes role, type, content or createdAt of the owner's messages; NOT_FOUND if any is missing. */
export const updateMessages = mutation({
  args: A.updateMessages,
  returns: R.updateMessages,
  handler: (ctx, args) => Messages.updateMessages(ctx.db, args),
});

/** Deletes the owner's messages that exist among `ids`; returns how many were deleted. */
export const deleteMessages = mutation({
  args: A.deleteMessages,
  returns: R.deleteMessages,
  handler: (ctx, args) => Messages.deleteMessages(ctx.db, args),
});

/** The exact number of messages of the owner's thread (0 for a missing thread; one read). */
export const countMessages = query({
  args: A.countMessages,
  returns: R.countMessages,
  handler: (ctx, args) => Messages.countMessages(ctx.db, args),
});

/** Live view of the owner's thread's latest messages (`limit` 1 to 1,000, default 50), in chronological order. */
export const watchMessages = query({
  args: A.watchMessages,
  returns: R.watchMessages,
  handler: (ctx, args) => Messages.latestMessages(ctx.db, args),
});
