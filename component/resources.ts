// Public functions of the resources domain.
import { mutation, query } from "./_generated/server.js";
import * as Resources from "./model/resources.js";

const s = Resources.resourceSignatures;

/** The resource, or null when it does not exist. */
export const getResource = query({
  ...s.getResource,
  handler: (ctx, args) => Resources.getResource(ctx.db, args.id),
});

/** Creates or replaces a resource (createdAt is kept). */
export const saveResource = mutation({
  ...s.saveResource,
  handler: (ctx, args) => Resources.saveResource(ctx.db, args),
});

/** Sets working memory when given and merges metadata shallowly; creates the resource if needed. */
export const updateResource = mutation({
  ...s.updateResource,
  handler: (ctx, args) => Resources.updateResource(ctx.db, args),
});
