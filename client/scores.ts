import { mutationGeneric, queryGeneric } from "convex/server";
import { scoreArgs as A, scoreReturns as R } from "../component/model/scores.js";
import { ownersOf, type Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The scores domain's functions, as public functions of the host app.
 * saveScore is authorized with the resourceId it names (none: unowned,
 * service only under the default policy). Reads are authorized with the
 * owners of what they return — the page, for lists — plus the resourceId
 * they filter on. A user listing a scorer's scores therefore passes its own
 * resourceId (index-served); without it, a page holding anyone else's (or
 * unowned) scores is refused.
 */
export function exposeScores(component: AgentMemoryComponent, options: ExposeOptions) {
  const c = component.scores;
  const { authorize } = options;
  const read = (name: string, rows: Array<{ resourceId?: string } | null>, resourceId?: string): Operation => {
    const owners = ownersOf(rows);
    if (resourceId !== undefined && !owners.resourceIds.includes(resourceId)) owners.resourceIds = [...owners.resourceIds, resourceId].sort();
    return { name, domain: "scores", access: "read", ...owners };
  };
  return {
    saveScore: mutationGeneric({
      args: A.saveScore,
      returns: R.saveScore,
      handler: async (ctx, args) => {
        await authorize(ctx, { name: "saveScore", domain: "scores", access: "write", ...ownersOf([args]) });
        return ctx.runMutation(c.saveScore, args);
      },
    }),
    getScoreById: queryGeneric({
      args: A.getScoreById,
      returns: R.getScoreById,
      handler: async (ctx, args) => {
        const score = await ctx.runQuery(c.getScoreById, args);
        await authorize(ctx, read("getScoreById", [score]));
        return score;
      },
    }),
    listScoresByScorerId: queryGeneric({
      args: A.listScoresByScorerId,
      returns: R.listScoresByScorerId,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listScoresByScorerId, args);
        await authorize(ctx, read("listScoresByScorerId", result.page, args.resourceId));
        return result;
      },
    }),
    listScoresByRunId: queryGeneric({
      args: A.listScoresByRunId,
      returns: R.listScoresByRunId,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listScoresByRunId, args);
        await authorize(ctx, read("listScoresByRunId", result.page));
        return result;
      },
    }),
    listScoresByEntityId: queryGeneric({
      args: A.listScoresByEntityId,
      returns: R.listScoresByEntityId,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listScoresByEntityId, args);
        await authorize(ctx, read("listScoresByEntityId", result.page));
        return result;
      },
    }),
    listScoresBySpan: queryGeneric({
      args: A.listScoresBySpan,
      returns: R.listScoresBySpan,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listScoresBySpan, args);
        await authorize(ctx, read("listScoresBySpan", result.page));
        return result;
      },
    }),
  };
}
