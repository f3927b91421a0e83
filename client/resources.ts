import { mutationGeneric, queryGeneric } from "convex/server";
import { resourceSignatures as s } from "../component/model/resources.js";
import type { Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

// A resource is its own owner: its id is the resourceId its threads and messages carry.
const op = (name: string, access: Operation["access"], id: string): Operation => ({
  name,
  domain: "resources",
  access,
  resourceIds: [id],
});

/** The resources domain's functions, as public functions of the host app. */
export function exposeResources(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.resources;
  return {
    getResource: queryGeneric({
      ...s.getResource,
      handler: async (ctx, args) => {
        await authorize(ctx, op("getResource", "read", args.id));
        return ctx.runQuery(fns.getResource, args);
      },
    }),
    saveResource: mutationGeneric({
      ...s.saveResource,
      handler: async (ctx, args) => {
        await authorize(ctx, op("saveResource", "write", args.id));
        return ctx.runMutation(fns.saveResource, args);
      },
    }),
    updateResource: mutationGeneric({
      ...s.updateResource,
      handler: async (ctx, args) => {
        await authorize(ctx, op("updateResource", "write", args.id));
        return ctx.runMutation(fns.updateResource, args);
      },
    }),
  };
}
