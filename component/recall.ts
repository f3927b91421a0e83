// Public functions of recall: the owner's messages nearest to a query (semantic, or
// hybrid with keywords), with their neighbours; embeddings written after the messages;
// exact counts. Every function takes the owner (`resourceId`).
import { v } from "convex/values";
import { action, internalQuery, mutation, query } from "./_generated/server.js";
import * as Recall from "./model/recall.js";
import { recallArgs as A, recallReturns as R } from "./model/recall.js";
import { checkName } from "./model/shared.js";
import { countEmbeddings } from "./model/recallEmbeddings.js";

/**
 * The owner's `topK` messages (of one thread, or of all) nearest to `queryVector`,
 * optionally fused with a keyword search of their text (reciprocal rank fusion),
 * each with `before`/`after` neighbours of its thread, grouped by thread and
 * chronological. Reads at most `topK * (1 + before + after)` messages (and, with a
 * keyword query, `topK` keyword matches); never an embedding.
 */
export const recallMessages = action({
  args: A.recallMessages,
  returns: R.recallMessages,
  handler: (ctx, args) => Recall.runRecall(ctx, args),
});

/**
 * Sets or (with null) removes the embeddings of the owner's messages, all or nothing
 * (NOT_FOUND when one is missing); at most 1,000 a call and 12 MiB of embeddings.
 */
export const setMessageEmbeddings = mutation({
  args: A.setMessageEmbeddings,
  returns: R.setMessageEmbeddings,
  handler: (ctx, args) => Recall.setMessageEmbeddings(ctx.db, args),
});

/** The exact number of the owner's messages that have an embedding (of one thread when given; one read). */
export const countMessageEmbeddings = query({
  args: A.countMessageEmbeddings,
  returns: R.countMessageEmbeddings,
  handler: (ctx, args) => {
    checkName(args.resourceId, "resourceId");
    if (args.threadId !== undefined) checkName(args.threadId, "threadId");
    return countEmbeddings(ctx.db, args.resourceId, args.threadId);
  },
});

/** What a recall needs first: the namespace of its dimension, and the owner's embeddings still being deleted. */
export const recallPlan = internalQuery({
  args: { resourceId: v.string(), dimension: v.number() },
  returns: Recall.vRecallPlan,
  handler: (ctx, args) => Recall.recallPlan(ctx.db, args),
});

/** A recall's keyword side. */
export const keywordSearch = internalQuery({
  args: Recall.keywordSearchArgs,
  returns: v.object({ matches: v.array(Recall.vKeywordMatch), saturated: v.boolean() }),
  handler: (ctx, args) => Recall.keywordSearch(ctx.db, args),
});

/** A recall's hits with their neighbours. */
export const readRecallContext = internalQuery({
  args: Recall.readContextArgs,
  returns: Recall.vContextRead,
  handler: (ctx, args) => Recall.readRecallContext(ctx.db, args),
});
