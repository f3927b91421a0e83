import { mutationGeneric, queryGeneric } from "convex/server";
import { workflowArgs as A, workflowReturns as R } from "../component/model/workflows.js";
import { ownersOf, type Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

type Owner = { exists: boolean; resourceId?: string };

/** Owners a write acts on: the run's current owner and the one the args name; unowned when the run ends up with none. */
function writeOwners(existing: Owner, named: string | undefined): Pick<Operation, "resourceIds" | "touchesUnowned"> {
  const ids = new Set<string>();
  if (existing.resourceId !== undefined) ids.add(existing.resourceId);
  if (named !== undefined) ids.add(named);
  const unownedBefore = existing.exists && existing.resourceId === undefined;
  return { resourceIds: [...ids].sort(), touchesUnowned: unownedBefore || ids.size === 0 };
}

/**
 * The workflows domain's functions, as public functions of the host app.
 * Reads are authorized with the owners of what they return (plus the
 * resourceId they filter on); writes with the run's current owner and the
 * resourceId they name, looked up in the same transaction before writing.
 * A run with no resourceId is unowned (service identities only under the
 * default policy); so is a count or list that names no resourceId and
 * would span owners.
 */
export function exposeWorkflows(component: AgentMemoryComponent, options: ExposeOptions) {
  const c = component.workflows;
  const { authorize } = options;
  const op = (name: string, access: "read" | "write", owners: Pick<Operation, "resourceIds" | "touchesUnowned">): Operation => ({
    name,
    domain: "workflows",
    access,
    ...owners,
  });
  const named = (resourceId: string | undefined, rows: Array<{ resourceId?: string } | null>) => {
    const owners = ownersOf(rows);
    if (resourceId !== undefined && !owners.resourceIds.includes(resourceId)) {
      owners.resourceIds = [...owners.resourceIds, resourceId].sort();
    }
    return owners;
  };

  return {
    persistWorkflowSnapshot: mutationGeneric({
      args: A.persistWorkflowSnapshot,
      returns: R.persistWorkflowSnapshot,
      handler: async (ctx, args) => {
        const existing: Owner = await ctx.runQuery(c.workflowRunOwner, { runId: args.runId, workflowName: args.workflowName });
        await authorize(ctx, op("persistWorkflowSnapshot", "write", writeOwners(existing, args.resourceId)));
        return ctx.runMutation(c.persistWorkflowSnapshot, args);
      },
    }),
    loadWorkflowSnapshot: queryGeneric({
      args: A.loadWorkflowSnapshot,
      returns: R.loadWorkflowSnapshot,
      handler: async (ctx, args) => {
        const owner: Owner = await ctx.runQuery(c.workflowRunOwner, args);
        await authorize(ctx, op("loadWorkflowSnapshot", "read", owner.exists ? ownersOf([owner]) : ownersOf([])));
        return ctx.runQuery(c.loadWorkflowSnapshot, args);
      },
    }),
    getWorkflowRunById: queryGeneric({
      args: A.getWorkflowRunById,
      returns: R.getWorkflowRunById,
      handler: async (ctx, args) => {
        const run = await ctx.runQuery(c.getWorkflowRunById, args);
        await authorize(ctx, op("getWorkflowRunById", "read", ownersOf([run])));
        return run;
      },
    }),
    listWorkflowRuns: queryGeneric({
      args: A.listWorkflowRuns,
      returns: R.listWorkflowRuns,
      handler: async (ctx, args) => {
        const result = await ctx.runQuery(c.listWorkflowRuns, args);
        await authorize(ctx, op("listWorkflowRuns", "read", named(args.resourceId, result.page)));
        return result;
      },
    }),
    countWorkflowRuns: queryGeneric({
      args: A.countWorkflowRuns,
      returns: R.countWorkflowRuns,
      handler: async (ctx, args) => {
        // A count that names no resourceId spans every owner's runs.
        const owners =
          args.resourceId === undefined ? { resourceIds: [], touchesUnowned: true } : { resourceIds: [args.resourceId], touchesUnowned: false };
        await authorize(ctx, op("countWorkflowRuns", "read", owners));
        return ctx.runQuery(c.countWorkflowRuns, args);
      },
    }),
    deleteWorkflowRunById: mutationGeneric({
      args: A.deleteWorkflowRunById,
      returns: R.deleteWorkflowRunById,
      handler: async (ctx, args) => {
        const owner: Owner = await ctx.runQuery(c.workflowRunOwner, args);
        await authorize(ctx, op("deleteWorkflowRunById", "write", owner.exists ? ownersOf([owner]) : ownersOf([])));
        return ctx.runMutation(c.deleteWorkflowRunById, args);
      },
    }),
    updateWorkflowResults: mutationGeneric({
      args: A.updateWorkflowResults,
      returns: R.updateWorkflowResults,
      handler: async (ctx, args) => {
        const existing: Owner = await ctx.runQuery(c.workflowRunOwner, { runId: args.runId, workflowName: args.workflowName });
        await authorize(ctx, op("updateWorkflowResults", "write", writeOwners(existing, args.resourceId)));
        return ctx.runMutation(c.updateWorkflowResults, args);
      },
    }),
    updateWorkflowState: mutationGeneric({
      args: A.updateWorkflowState,
      returns: R.updateWorkflowState,
      handler: async (ctx, args) => {
        const existing: Owner = await ctx.runQuery(c.workflowRunOwner, { runId: args.runId, workflowName: args.workflowName });
        await authorize(ctx, op("updateWorkflowState", "write", existing.exists ? ownersOf([existing]) : ownersOf([])));
        return ctx.runMutation(c.updateWorkflowState, args);
      },
    }),
    watchWorkflowRun: queryGeneric({
      args: A.watchWorkflowRun,
      returns: R.watchWorkflowRun,
      handler: async (ctx, args) => {
        const run = await ctx.runQuery(c.watchWorkflowRun, args);
        await authorize(ctx, op("watchWorkflowRun", "read", ownersOf([run])));
        return run;
      },
    }),
    watchWorkflowRuns: queryGeneric({
      args: A.watchWorkflowRuns,
      returns: R.watchWorkflowRuns,
      handler: async (ctx, args) => {
        const runs = await ctx.runQuery(c.watchWorkflowRuns, args);
        await authorize(ctx, op("watchWorkflowRuns", "read", named(args.resourceId, runs)));
        return runs;
      },
    }),
  };
}
