// Public functions of the messages domain.
import { mutation, query } from "./_generated/server.js";
import * as Messages from "./model/messages.js";

const s = Messages.messageSignatures;

/** Upserts messages by id (at most MAX_BATCH_ITEMS / MAX_BATCH_BYTES per call). */
export const saveMessages = mutation({
  ...s.saveMessages,
  handler: (ctx, args) => Messages.saveMessages(ctx.db, args.messages),
});

/** The messages that exist among `ids`, in the order asked, each once. */
export const getMessagesByIds = query({
  ...s.getMessagesByIds,
  handler: (ctx, args) => Messages.getMessagesByIds(ctx.db, args.ids),
});

/**
 * A page of a thread's messages by createdAt (asc by default), optionally within
 * [startDate, endDate]; `included` holds the `include`d messages with their neighbours.
 */
export const listMessages = query({
  ...s.listMessages,
  handler: (ctx, args) => Messages.listMessages(ctx.db, args),
});

/** A page of a resource's messages across its threads, by createdAt. */
export const listMessagesByResource = query({
  ...s.listMessagesByResource,
  handler: (ctx, args) => Messages.listMessagesByResource(ctx.db, args),
});

/** Changes role, type, content or createdAt of existing messages; NOT_FOUND if any is missing. */
export const updateMessages = mutation({
  ...s.updateMessages,
  handler: (ctx, args) => Messages.updateMessages(ctx.db, args.messages),
});

/** Deletes the messages that exist among `ids`; returns how many were deleted. */
export const deleteMessages = mutation({
  ...s.deleteMessages,
  handler: (ctx, args) => Messages.deleteMessages(ctx.db, args.ids),
});

/** The exact number of messages of a thread (0 for a missing thread). */
export const countMessages = query({
  ...s.countMessages,
  handler: (ctx, args) => Messages.countMessages(ctx.db, args.threadId),
});

/** Live view of a thread's latest messages (default 50, at most 1,000), in chronological order. */
export const watchMessages = query({
  ...s.watchMessages,
  handler: (ctx, args) => Messages.latestMessages(ctx.db, args.threadId, args.limit),
});
