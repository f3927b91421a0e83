// Public functions of the scores domain.
import { mutation, query } from "./_generated/server.js";
import * as S from "./model/scores.js";
import { scoreArgs as A, scoreReturns as R } from "./model/scores.js";

/** Saves one score (id generated when not given; CONFLICT when the id is taken). */
export const saveScore = mutation({
  args: A.saveScore,
  returns: R.saveScore,
  handler: (ctx, args) => S.saveScore(ctx.db, args),
});

/** One score by its id, or null. */
export const getScoreById = query({
  args: A.getScoreById,
  returns: R.getScoreById,
  handler: (ctx, args) => S.getScoreById(ctx.db, args),
});

/** Scores of a scorer (optionally of one resource), newest first. */
export const listScoresByScorerId = query({
  args: A.listScoresByScorerId,
  returns: R.listScoresByScorerId,
  handler: (ctx, args) => S.listScoresByScorerId(ctx.db, args),
});

/** Scores of a run, newest first. */
export const listScoresByRunId = query({
  args: A.listScoresByRunId,
  returns: R.listScoresByRunId,
  handler: (ctx, args) => S.listScoresByRunId(ctx.db, args),
});

/** Scores of an entity (entityId + entityType), newest first. */
export const listScoresByEntityId = query({
  args: A.listScoresByEntityId,
  returns: R.listScoresByEntityId,
  handler: (ctx, args) => S.listScoresByEntityId(ctx.db, args),
});

/** Scores of a span (traceId + spanId), newest first. */
export const listScoresBySpan = query({
  args: A.listScoresBySpan,
  returns: R.listScoresBySpan,
  handler: (ctx, args) => S.listScoresBySpan(ctx.db, args),
});
