// Public functions of the resources domain. A resource is an owner; it is
// addressed by its own id, `resourceId`.
import { mutation, query } from "./_generated/server.js";
import * as Resources from "./model/resources.js";
import { resourceArgs as A, resourceReturns as R } from "./model/resources.js";

/** The resource, or null when it does not exist. */
export const getResource = query({
  args: A.getResource,
  returns: R.getResource,
  handler: (ctx, args) => Resources.getResource(ctx.db, args),
});

/** Creates or replaces a resource (createdAt is kept). */
export const saveResource = mutation({
  args: A.saveResource,
  returns: R.saveResource,
  handler: (ctx, args) => Resources.saveResource(ctx.db, args),
});

/** Sets working memory when given and merges metadata shallowly; creates the resource if needed. */
export const updateResource = mutation({
  args: A.updateResource,
  returns: R.updateResource,
  handler: (ctx, args) => Resources.updateResource(ctx.db, args),
});
