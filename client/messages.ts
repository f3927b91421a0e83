import { mutationGeneric, queryGeneric } from "convex/server";
import { checkBatch } from "../component/model/limits.js";
import { messageSignatures as s, type Message } from "../component/model/messages.js";
import type { Thread } from "../component/model/threads.js";
import { ownersOf, type Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions, RunQueryCtx } from "./types.js";

const op = (name: string, access: Operation["access"], owners: Pick<Operation, "resourceIds" | "touchesUnowned">): Operation => ({
  name,
  domain: "messages",
  access,
  ...owners,
});

/** The messages domain's functions, as public functions of the host app. */
export function exposeMessages(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.messages;
  const fetchThread = (ctx: RunQueryCtx, id: string): Promise<Thread | null> =>
    ctx.runQuery(component.threads.getThread, { id });
  const fetchMessages = (ctx: RunQueryCtx, ids: string[]): Promise<Message[]> =>
    ctx.runQuery(fns.getMessagesByIds, { ids });

  return {
    saveMessages: mutationGeneric({
      ...s.saveMessages,
      handler: async (ctx, args) => {
        checkBatch("messages", args.messages);
        // The owners of the threads written to, of the messages overwritten, and any resource named.
        const rows: Array<{ resourceId?: string } | null> = [];
        for (const threadId of new Set(args.messages.map((m) => m.threadId))) {
          rows.push(await fetchThread(ctx, threadId));
        }
        rows.push(...(await fetchMessages(ctx, args.messages.map((m) => m.id))));
        for (const m of args.messages) if (m.resourceId !== undefined) rows.push({ resourceId: m.resourceId });
        await authorize(ctx, op("saveMessages", "write", ownersOf(rows)));
        return ctx.runMutation(fns.saveMessages, args);
      },
    }),
    getMessagesByIds: queryGeneric({
      ...s.getMessagesByIds,
      handler: async (ctx, args) => {
        const messages = await fetchMessages(ctx, args.ids);
        await authorize(ctx, op("getMessagesByIds", "read", ownersOf(messages)));
        return messages;
      },
    }),
    listMessages: queryGeneric({
      ...s.listMessages,
      handler: async (ctx, args) => {
        const thread = await fetchThread(ctx, args.threadId);
        await authorize(ctx, op("listMessages", "read", ownersOf([thread])));
        return ctx.runQuery(fns.listMessages, args);
      },
    }),
    listMessagesByResource: queryGeneric({
      ...s.listMessagesByResource,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listMessagesByResource", "read", { resourceIds: [args.resourceId] }));
        return ctx.runQuery(fns.listMessagesByResource, args);
      },
    }),
    updateMessages: mutationGeneric({
      ...s.updateMessages,
      handler: async (ctx, args) => {
        checkBatch("message updates", args.messages);
        const existing = await fetchMessages(ctx, args.messages.map((m) => m.id));
        await authorize(ctx, op("updateMessages", "write", ownersOf(existing)));
        return ctx.runMutation(fns.updateMessages, args);
      },
    }),
    deleteMessages: mutationGeneric({
      ...s.deleteMessages,
      handler: async (ctx, args) => {
        const existing = await fetchMessages(ctx, args.ids);
        await authorize(ctx, op("deleteMessages", "write", ownersOf(existing)));
        return ctx.runMutation(fns.deleteMessages, args);
      },
    }),
    countMessages: queryGeneric({
      ...s.countMessages,
      handler: async (ctx, args) => {
        const thread = await fetchThread(ctx, args.threadId);
        await authorize(ctx, op("countMessages", "read", ownersOf([thread])));
        return ctx.runQuery(fns.countMessages, args);
      },
    }),
    watchMessages: queryGeneric({
      ...s.watchMessages,
      handler: async (ctx, args) => {
        const thread = await fetchThread(ctx, args.threadId);
        await authorize(ctx, op("watchMessages", "read", ownersOf([thread])));
        return ctx.runQuery(fns.watchMessages, args);
      },
    }),
  };
}
