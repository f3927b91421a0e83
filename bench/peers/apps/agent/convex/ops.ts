// The host app's functions for the benchmark, using @convex-dev/agent as its docs show:
// createThread / saveMessages / listMessages / fetchContextMessages from the package, the
// component's own listThreadsByUserId and deleteAllForThreadIdAsync (what Agent.deleteThreadAsync calls).
import { createThread, fetchContextMessages, listMessages, saveMessages } from "@convex-dev/agent";
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { components } from "./_generated/api.js";
import { action, mutation, query } from "./_generated/server.js";

const agent = components.agent as any;

export const seedThreads = mutation({
  args: { userId: v.string(), count: v.number() },
  handler: async (ctx, args) => {
    const ids = [];
    for (let i = 0; i < args.count; i++) ids.push(await createThread(ctx, agent, { userId: args.userId, title: `thread ${i}` }));
    return ids;
  },
});

export const seedMessages = mutation({
  args: {
    threadId: v.string(),
    userId: v.string(),
    texts: v.array(v.string()),
    vectors: v.optional(v.array(v.array(v.float64()))),
  },
  handler: async (ctx, args) => {
    await saveMessages(ctx, agent, {
      threadId: args.threadId,
      userId: args.userId,
      messages: args.texts.map((text) => ({ role: "user" as const, content: text })),
      ...(args.vectors === undefined ? {} : { embeddings: { model: "bench-embedding", vectors: args.vectors } }),
    });
    return null;
  },
});

export const listMessagesPage = query({
  args: { threadId: v.string(), paginationOpts: paginationOptsValidator },
  handler: (ctx, args) => listMessages(ctx, agent, args),
});

export const listThreadsPage = query({
  args: { userId: v.string(), paginationOpts: paginationOptsValidator },
  handler: (ctx, args) => ctx.runQuery(agent.threads.listThreadsByUserId, args),
});

/** Vector search over a user's messages (all threads), or one thread's: the top `limit`, no neighbours. */
export const vectorSearch = action({
  args: { userId: v.string(), threadId: v.optional(v.string()), vector: v.array(v.float64()), limit: v.number() },
  handler: async (ctx, args) => {
    const messages = await fetchContextMessages(ctx, agent, {
      userId: args.userId,
      threadId: args.threadId,
      searchText: "the query",
      contextOptions: {
        recentMessages: 0,
        searchOtherThreads: args.threadId === undefined,
        searchOptions: { limit: args.limit, vectorSearch: true, textSearch: false, messageRange: { before: 0, after: 0 } },
      },
      getEmbedding: async () => ({ embedding: args.vector, textEmbeddingModel: "bench-embedding" }),
    });
    return messages.map((m: any) => ({ id: m._id, text: m.text ?? null }));
  },
});

export const deleteThread = mutation({
  args: { threadId: v.string() },
  handler: async (ctx, args) => {
    await ctx.runMutation(agent.threads.deleteAllForThreadIdAsync, { threadId: args.threadId });
    return null;
  },
});
