// Public functions of the scores domain. Scores are addressed by their owner
// (`resourceId`; omitted: the unowned namespace) and the caller's ids within it.
import { mutation, query } from "./_generated/server.js";
import * as S from "./model/scores.js";
import { scoreArgs as A, scoreReturns as R } from "./model/scores.js";

/** Saves one score for its owner (id generated when not given; CONFLICT when the owner already has that id). */
export const saveScore = mutation({
  args: A.saveScore,
  returns: R.saveScore,
  handler: (ctx, args) => S.saveScore(ctx.db, args),
});

/** The owner's score with this id, or null. */
export const getScoreById = query({
  args: A.getScoreById,
  returns: R.getScoreById,
  handler: (ctx, args) => S.getScoreById(ctx.db, args),
});

/** The owner's scores of a scorer, newest first. */
export const listScoresByScorerId = query({
  args: A.listScoresByScorerId,
  returns: R.listScoresByScorerId,
  handler: (ctx, args) => S.listScoresByScorerId(ctx.db, args),
});

/** The owner's scores of a run, newest first. */
export const listScoresByRunId = query({
  args: A.listScoresByRunId,
  returns: R.listScoresByRunId,
  handler: (ctx, args) => S.listScoresByRunId(ctx.db, args),
});

/** The owner's scores of an entity (entityId + entityType), newest first. */
export const listScoresByEntityId = query({
  args: A.listScoresByEntityId,
  returns: R.listScoresByEntityId,
  handler: (ctx, args) => S.listScoresByEntityId(ctx.db, args),
});

/** The owner's scores of a span (traceId + spanId), newest first. */
export const listScoresBySpan = query({
  args: A.listScoresBySpan,
  returns: R.listScoresBySpan,
  handler: (ctx, args) => S.listScoresBySpan(ctx.db, args),
});
