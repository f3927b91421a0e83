import { mutationGeneric, queryGeneric } from "convex/server";
import { threadSignatures as s, type Thread } from "../component/model/threads.js";
import { ownersOf, type Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions, RunQueryCtx } from "./types.js";

const op = (name: string, access: Operation["access"], owners: Pick<Operation, "resourceIds" | "touchesUnowned">): Operation => ({
  name,
  domain: "threads",
  access,
  ...owners,
});

/** The threads domain's functions, as public functions of the host app. */
export function exposeThreads(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.threads;
  const fetchThread = (ctx: RunQueryCtx, id: string): Promise<Thread | null> =>
    ctx.runQuery(fns.getThread, { id });

  return {
    getThread: queryGeneric({
      ...s.getThread,
      handler: async (ctx, args) => {
        const thread = await fetchThread(ctx, args.id);
        await authorize(ctx, op("getThread", "read", ownersOf([thread])));
        return thread;
      },
    }),
    saveThread: mutationGeneric({
      ...s.saveThread,
      handler: async (ctx, args) => {
        // Saving over an existing id needs the right to that thread's resource too.
        const existing = await fetchThread(ctx, args.id);
        const owners = ownersOf([existing, { resourceId: args.resourceId }]);
        await authorize(ctx, op("saveThread", "write", owners));
        return ctx.runMutation(fns.saveThread, args);
      },
    }),
    updateThread: mutationGeneric({
      ...s.updateThread,
      handler: async (ctx, args) => {
        const existing = await fetchThread(ctx, args.id);
        await authorize(ctx, op("updateThread", "write", ownersOf([existing])));
        return ctx.runMutation(fns.updateThread, args);
      },
    }),
    deleteThread: mutationGeneric({
      ...s.deleteThread,
      handler: async (ctx, args) => {
        const existing = await fetchThread(ctx, args.id);
        await authorize(ctx, op("deleteThread", "write", ownersOf([existing])));
        return ctx.runMutation(fns.deleteThread, args);
      },
    }),
    listThreads: queryGeneric({
      ...s.listThreads,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listThreads", "read", { resourceIds: [args.resourceId] }));
        return ctx.runQuery(fns.listThreads, args);
      },
    }),
    countThreads: queryGeneric({
      ...s.countThreads,
      handler: async (ctx, args) => {
        await authorize(ctx, op("countThreads", "read", { resourceIds: [args.resourceId] }));
        return ctx.runQuery(fns.countThreads, args);
      },
    }),
    watchThread: queryGeneric({
      ...s.watchThread,
      handler: async (ctx, args) => {
        const watched = await ctx.runQuery(fns.watchThread, args);
        await authorize(ctx, op("watchThread", "read", ownersOf([watched?.thread])));
        return watched;
      },
    }),
    watchThreadsByResource: queryGeneric({
      ...s.watchThreadsByResource,
      handler: async (ctx, args) => {
        await authorize(ctx, op("watchThreadsByResource", "read", { resourceIds: [args.resourceId] }));
        return ctx.runQuery(fns.watchThreadsByResource, args);
      },
    }),
  };
}
