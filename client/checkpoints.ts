import { mutationGeneric, queryGeneric } from "convex/server";
import { checkpointArgs as A, checkpointReturns as R } from "../component/model/checkpoints.js";
import type { Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The checkpoints domain's functions (LangGraph's checkpointer), as public
 * functions of the host app. Every one names its owner (`resourceId`), and a
 * thread id names a thread of that owner only; so each call is authorized
 * from its arguments alone, before anything is read, and another owner's
 * thread is simply not there.
 */
export function exposeCheckpoints(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.checkpoints;
  const op = (name: string, access: Operation["access"], resourceId: string): Operation => ({
    name,
    domain: "checkpoints",
    access,
    resourceIds: [resourceId],
  });

  return {
    getCheckpoint: queryGeneric({
      args: A.getCheckpoint,
      returns: R.getCheckpoint,
      handler: async (ctx, args) => {
        await authorize(ctx, op("getCheckpoint", "read", args.resourceId));
        return ctx.runQuery(fns.getCheckpoint, args);
      },
    }),
    listCheckpoints: queryGeneric({
      args: A.listCheckpoints,
      returns: R.listCheckpoints,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listCheckpoints", "read", args.resourceId));
        return ctx.runQuery(fns.listCheckpoints, args);
      },
    }),
    listCheckpointWrites: queryGeneric({
      args: A.listCheckpointWrites,
      returns: R.listCheckpointWrites,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listCheckpointWrites", "read", args.resourceId));
        return ctx.runQuery(fns.listCheckpointWrites, args);
      },
    }),
    getCheckpointValues: queryGeneric({
      args: A.getCheckpointValues,
      returns: R.getCheckpointValues,
      handler: async (ctx, args) => {
        await authorize(ctx, op("getCheckpointValues", "read", args.resourceId));
        return ctx.runQuery(fns.getCheckpointValues, args);
      },
    }),
    countCheckpoints: queryGeneric({
      args: A.countCheckpoints,
      returns: R.countCheckpoints,
      handler: async (ctx, args) => {
        await authorize(ctx, op("countCheckpoints", "read", args.resourceId));
        return ctx.runQuery(fns.countCheckpoints, args);
      },
    }),
    listCheckpointNamespaces: queryGeneric({
      args: A.listCheckpointNamespaces,
      returns: R.listCheckpointNamespaces,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listCheckpointNamespaces", "read", args.resourceId));
        return ctx.runQuery(fns.listCheckpointNamespaces, args);
      },
    }),
    listCheckpointThreads: queryGeneric({
      args: A.listCheckpointThreads,
      returns: R.listCheckpointThreads,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listCheckpointThreads", "read", args.resourceId));
        return ctx.runQuery(fns.listCheckpointThreads, args);
      },
    }),
    putCheckpoint: mutationGeneric({
      args: A.putCheckpoint,
      returns: R.putCheckpoint,
      handler: async (ctx, args) => {
        await authorize(ctx, op("putCheckpoint", "write", args.resourceId));
        return ctx.runMutation(fns.putCheckpoint, args);
      },
    }),
    putCheckpointBlobs: mutationGeneric({
      args: A.putCheckpointBlobs,
      returns: R.putCheckpointBlobs,
      handler: async (ctx, args) => {
        await authorize(ctx, op("putCheckpointBlobs", "write", args.resourceId));
        return ctx.runMutation(fns.putCheckpointBlobs, args);
      },
    }),
    putCheckpointWrites: mutationGeneric({
      args: A.putCheckpointWrites,
      returns: R.putCheckpointWrites,
      handler: async (ctx, args) => {
        await authorize(ctx, op("putCheckpointWrites", "write", args.resourceId));
        return ctx.runMutation(fns.putCheckpointWrites, args);
      },
    }),
    deleteCheckpointThread: mutationGeneric({
      args: A.deleteCheckpointThread,
      returns: R.deleteCheckpointThread,
      handler: async (ctx, args) => {
        await authorize(ctx, op("deleteCheckpointThread", "write", args.resourceId));
        return ctx.runMutation(fns.deleteCheckpointThread, args);
      },
    }),
    deleteCheckpointsForRuns: mutationGeneric({
      args: A.deleteCheckpointsForRuns,
      returns: R.deleteCheckpointsForRuns,
      handler: async (ctx, args) => {
        await authorize(ctx, op("deleteCheckpointsForRuns", "write", args.resourceId));
        return ctx.runMutation(fns.deleteCheckpointsForRuns, args);
      },
    }),
    copyCheckpointThread: mutationGeneric({
      args: A.copyCheckpointThread,
      returns: R.copyCheckpointThread,
      handler: async (ctx, args) => {
        await authorize(ctx, op("copyCheckpointThread", "write", args.resourceId));
        return ctx.runMutation(fns.copyCheckpointThread, args);
      },
    }),
    pruneCheckpoints: mutationGeneric({
      args: A.pruneCheckpoints,
      returns: R.pruneCheckpoints,
      handler: async (ctx, args) => {
        await authorize(ctx, op("pruneCheckpoints", "write", args.resourceId));
        return ctx.runMutation(fns.pruneCheckpoints, args);
      },
    }),
  };
}
