import { mutationGeneric, queryGeneric } from "convex/server";
import { traceArgs as A, traceReturns as R } from "../component/model/traces.js";
import { ownersOf, type Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions, RunQueryCtx } from "./types.js";

type TraceOwner = { traceId: string; exists: boolean; resourceId?: string };

/**
 * The traces domain's functions, as public functions of the host app.
 * Writes are authorized with the owners of the traces they touch (looked up
 * first, in the same transaction) plus the resourceIds the spans name; a
 * span or trace with no resourceId is unowned (service only under the
 * default policy). Reads are authorized with the owners of what they return
 * plus the resourceId they filter on: a user lists its traces by passing its
 * own resourceId.
 */
export function exposeTraces(component: AgentMemoryComponent, options: ExposeOptions) {
  const c = component.traces;
  const { authorize } = options;
  const op = (name: string, access: "read" | "write", rows: Array<{ resourceId?: string } | null>, resourceId?: string): Operation => {
    const owners = ownersOf(rows);
    if (resourceId !== undefined && !owners.resourceIds.includes(resourceId)) owners.resourceIds = [...owners.resourceIds, resourceId].sort();
    return { name, domain: "traces", access, ...owners };
  };
  const existing = async (ctx: RunQueryCtx, traceIds: string[]) => {
    const owners: TraceOwner[] = await ctx.runQuery(c.traceOwners, { traceIds });
    return owners.filter((o) => o.exists);
  };
  return {
    createSpans: mutationGeneric({
      args: A.createSpans,
      returns: R.createSpans,
      handler: async (ctx, args) => {
        const traces = await existing(ctx, args.spans.map((s) => s.traceId));
        await authorize(ctx, op("createSpans", "write", [...args.spans, ...traces]));
        return ctx.runMutation(c.createSpans, args);
      },
    }),
    updateSpans: mutationGeneric({
      args: A.updateSpans,
      returns: R.updateSpans,
      handler: async (ctx, args) => {
        const traces = await existing(ctx, args.updates.map((u) => u.traceId));
        await authorize(ctx, op("updateSpans", "write", traces));
        return ctx.runMutation(c.updateSpans, args);
      },
    }),
    getTrace: queryGeneric({
      args: A.getTrace,
      returns: R.getTrace,
      handler: async (ctx, args) => {
        const trace = await ctx.runQuery(c.getTrace, args);
        await authorize(ctx, op("getTrace", "read", trace?.spans ?? []));
        return trace;
      },
    }),
    listTraces: queryGeneric({
      args: A.listTraces,
      returns: R.listTraces,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listTraces, args);
        await authorize(ctx, op("listTraces", "read", result.page, args.resourceId));
        return result;
      },
    }),
    deleteTraces: mutationGeneric({
      args: A.deleteTraces,
      returns: R.deleteTraces,
      handler: async (ctx, args) => {
        const traces = await existing(ctx, args.traceIds);
        await authorize(ctx, op("deleteTraces", "write", traces));
        return ctx.runMutation(c.deleteTraces, args);
      },
    }),
  };
}
